"""Satisfaction surveys (满意度调查): templates, invitations with a secret link, answers.

The link's token is shown once, when the invitation is made; only its SHA-256 is stored, so the
database alone never lets anyone answer in a customer's name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.surveys.choices import NPS_MAX, SCALE_MAX, Dimension

__all__ = ["SurveyAnswer", "SurveyInvitation", "SurveyQuestion", "SurveyTemplate"]


class SurveyTemplate(TimeStampedModel):
    name = models.CharField(_("name"), max_length=80, unique=True)
    intro = models.TextField(_("introduction"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-is_default", "name"]
        verbose_name = _("survey template")
        verbose_name_plural = _("survey templates")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="survey_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    template = models.ForeignKey(
        SurveyTemplate, verbose_name=_("survey template"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("question"), max_length=200)
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        ordering = ["template", "position", "id"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(dimension__in=list(Dimension.values)), name="survey_dimension_valid"
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def is_text(self) -> bool:
        return self.dimension == Dimension.COMMENT

    @property
    def scale(self) -> range:
        """The allowed scores: 0–10 for NPS, 1–5 for the other scales."""
        return range(0, NPS_MAX + 1) if self.dimension == Dimension.NPS else range(1, SCALE_MAX + 1)


class SurveyInvitation(TimeStampedModel):
    """One contact's link to one survey; answered at most once, before it expires."""

    customer_path = "customer"

    template = models.ForeignKey(
        SurveyTemplate,
        verbose_name=_("survey template"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    overall_score = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True)
    nps_score = models.PositiveSmallIntegerField(_("NPS score"), null=True, blank=True)
    low_score = models.BooleanField(_("low score"), default=False)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [models.Index(fields=["customer", "sent_at"]), models.Index(fields=["sent_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("sent_at")), name="survey_expires_after_sent"
            ),
            models.CheckConstraint(
                condition=Q(nps_score__isnull=True) | Q(nps_score__lte=NPS_MAX), name="survey_nps_0_10"
            ),
            models.CheckConstraint(
                condition=Q(overall_score__isnull=True)
                | Q(overall_score__gte=1, overall_score__lte=SCALE_MAX),
                name="survey_overall_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} · {self.customer}"


class SurveyAnswer(models.Model):
    invitation = models.ForeignKey(
        SurveyInvitation,
        verbose_name=_("survey invitation"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    question = models.ForeignKey(
        SurveyQuestion, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers"
    )
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        indexes = [models.Index(fields=["dimension", "invitation"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"], name="survey_answer_once_per_question"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=NPS_MAX), name="survey_score_0_10"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.score if self.score is not None else self.text}"
