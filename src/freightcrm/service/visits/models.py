"""Return visits (回访): the rules that say who is visited how often, and the visits themselves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.customers import choices as customer_choices
from freightcrm.customers.models import Contact, Customer, Tag
from freightcrm.service.visits.choices import VisitMode, VisitOutcome, VisitSource, VisitStatus

__all__ = ["Visit", "VisitRule"]


class VisitRule(TimeStampedModel):
    """Which customers get a return visit every `interval_months` months.

    A customer matches when it has every condition set on the rule (tag, status, kind, minimum
    annual logistics spend); empty conditions match everyone. Rules with the shortest interval win
    when a customer matches several: a customer has at most one open visit at a time.
    """

    name = models.CharField(_("name"), max_length=60, unique=True)
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("customer status"), max_length=12, choices=customer_choices.Status.choices, blank=True
    )
    kind = models.CharField(
        _("customer kind"), max_length=1, choices=customer_choices.CustomerKind.choices, blank=True
    )
    min_annual_spend = models.DecimalField(
        _("minimum annual logistics spend (CNY 10k)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    interval_months = models.PositiveSmallIntegerField(_("interval (months)"))
    mode = models.CharField(
        _("usual visit mode"), max_length=12, choices=VisitMode.choices, default=VisitMode.PHONE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["interval_months", "name"]
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_months__gte=1, interval_months__lte=24), name="visit_rule_interval_1_24"
            ),
            models.CheckConstraint(
                condition=Q(min_annual_spend__isnull=True) | Q(min_annual_spend__gte=0),
                name="visit_rule_min_spend_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Visit(TimeStampedModel):
    """One return visit: planned (due on a day) until it is recorded as done or cancelled."""

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="visits"
    )
    rule = models.ForeignKey(
        VisitRule, verbose_name=_("visit rule"), on_delete=models.SET_NULL, null=True, blank=True
    )
    source = models.CharField(
        _("source"), max_length=8, choices=VisitSource.choices, default=VisitSource.MANUAL
    )
    survey_invitation = models.ForeignKey(
        "service.SurveyInvitation",
        verbose_name=_("survey answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_visits",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_visits",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.PLANNED
    )
    due_on = models.DateField(_("due on"))
    mode = models.CharField(
        _("visit mode"), max_length=12, choices=VisitMode.choices, default=VisitMode.PHONE
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("customer participants"), blank=True, related_name="+"
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff participants"), blank=True, related_name="+"
    )
    purpose = models.CharField(_("purpose"), max_length=200, blank=True)
    content = models.TextField(_("content"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices, blank=True)
    next_actions = models.TextField(_("next actions"), blank=True)
    next_visit_on = models.DateField(_("next visit on"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("return visit")
        verbose_name_plural = _("return visits")
        indexes = [
            models.Index(fields=["customer", "visited_at"]),
            models.Index(fields=["status", "due_on"]),
            models.Index(fields=["assignee", "due_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=list(VisitStatus.values)), name="visit_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=VisitStatus.DONE) | Q(visited_at__isnull=False),
                name="visit_done_has_time",
            ),
            # One open visit per customer: generation is idempotent even if two runs race.
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(status=VisitStatus.PLANNED),
                name="visit_one_planned_per_customer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.due_on:%Y-%m-%d}"
