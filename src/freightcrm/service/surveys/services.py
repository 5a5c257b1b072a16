"""Satisfaction surveys (满意度调查): sending invitations with a secret link, taking one answer each.

A link's token comes from `core.tokens` (random, only its hash stored). An answer claims its
invitation with one conditional UPDATE (not answered, not expired): two submissions racing each
other get one answer and one refusal, never two answers. A low score (see `choices.LOW_OVERALL`,
`choices.LOW_NPS`) puts a follow-up visit on the account manager's list in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import LinkUnavailable
from freightcrm.core.tokens import new_token, plausible, token_hash
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.surveys.choices import LOW_NPS, LOW_OVERALL, Dimension
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyTemplate
from freightcrm.service.visits.choices import VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit

MAX_EXPIRY_DAYS = 90
DEFAULT_EXPIRY_DAYS = 14
FOLLOW_UP_DAYS = 3  # a low score is followed up within three days
MAX_TEXT = 2_000


class SurveyUnavailable(LinkUnavailable):
    """The survey link cannot be answered: unknown (404), or already answered or expired (410)."""


@dataclass(frozen=True)
class SentInvitation:
    invitation: SurveyInvitation
    token: str  # shown to the sender once; never stored

    @property
    def path(self) -> str:
        from django.urls import reverse

        return reverse("survey-answer", args=[self.token])


def email_configured() -> bool:
    """E-mail goes out only when the deployment set an SMTP host (Django's default is not a choice)."""
    return bool(settings.is_overridden("EMAIL_HOST") and settings.EMAIL_HOST)  # type: ignore[misc]


@transaction.atomic
def survey_send(
    *,
    actor: Any,
    template: SurveyTemplate,
    customer: Customer,
    contacts: Iterable[Contact],
    expires_in_days: int = DEFAULT_EXPIRY_DAYS,
    base_url: str = "",
) -> list[SentInvitation]:
    """One invitation per contact, each with its own link; e-mailed only when e-mail is configured."""
    access.require_permission(actor, "service.add_surveyinvitation", customer)
    contacts = list(contacts)
    errors: dict[str, Any] = {}
    if not template.is_active:
        errors["template"] = _("This survey template is no longer in use.")
    if not contacts:
        errors["contacts"] = _("Choose at least one contact to survey.")
    elif any(contact.customer_id != customer.pk for contact in contacts):
        errors["contacts"] = _("Only this customer's contacts can be surveyed.")
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _("The link must expire in 1 to %(max)s days.") % {"max": MAX_EXPIRY_DAYS}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    sent = []
    for contact in contacts:
        token, digest = new_token()
        invitation = SurveyInvitation.objects.create(
            template=template,
            customer=customer,
            contact=contact,
            token_hash=digest,
            sent_by=actor,
            sent_at=now,
            expires_at=now + dt.timedelta(days=expires_in_days),
        )
        sent.append(SentInvitation(invitation, token))
    if email_configured():
        for item in sent:
            recipient = item.invitation.contact
            if recipient is not None and recipient.email:
                _mail_on_commit(recipient, customer, template, base_url.rstrip("/") + item.path)
    return sent


def _mail_on_commit(contact: Contact, customer: Customer, template: SurveyTemplate, link: str) -> None:
    transaction.on_commit(lambda: _mail(contact, customer, template, link))


def _mail(contact: Contact, customer: Customer, template: SurveyTemplate, link: str) -> None:
    send_mail(
        subject=gettext("Satisfaction survey: %(name)s") % {"name": template.name},
        message=gettext(
            "Dear %(contact)s,\n\nThank you for working with us. Please tell us how we are doing "
            "(about two minutes):\n%(link)s\n\nThe link is personal and can be used once."
        )
        % {"contact": contact.name, "link": link},
        from_email=None,
        recipient_list=[contact.email],
        fail_silently=True,
    )


def invitation_for_token(token: str) -> SurveyInvitation:
    """The invitation behind `token`, looked up by its hash; `SurveyUnavailable` (404) otherwise."""
    if not plausible(token):
        raise SurveyUnavailable(_("This survey link is not valid."), code="survey_not_found", status=404)
    try:
        return SurveyInvitation.objects.select_related("template", "customer", "contact").get(
            token_hash=token_hash(token)
        )
    except SurveyInvitation.DoesNotExist as exc:
        raise SurveyUnavailable(
            _("This survey link is not valid."), code="survey_not_found", status=404
        ) from exc


def check_open(invitation: SurveyInvitation, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if invitation.answered_at is not None:
        raise SurveyUnavailable(
            _("This survey has already been answered. Thank you!"), code="survey_answered", status=410
        )
    if invitation.expires_at <= now:
        raise SurveyUnavailable(_("This survey link has expired."), code="survey_expired", status=410)


def questions_of(template: SurveyTemplate) -> list[SurveyQuestion]:
    return list(template.questions.order_by("position", "pk"))


def field_name(question: SurveyQuestion) -> str:
    return f"q{question.pk}"


def _parse(questions: list[SurveyQuestion], data: Mapping[str, Any]) -> dict[int, int | str]:
    values: dict[int, int | str] = {}
    errors: dict[str, Any] = {}
    for question in questions:
        raw = str(data.get(field_name(question), "") or "").strip()
        if question.is_text:
            if len(raw) > MAX_TEXT:
                errors[field_name(question)] = _("Please keep it under %(max)s characters.") % {
                    "max": MAX_TEXT
                }
            elif raw:
                values[question.pk] = raw
            elif question.required:
                errors[field_name(question)] = _("Please answer this question.")
            continue
        if not raw:
            if question.required:
                errors[field_name(question)] = _("Please choose a score.")
            continue
        scale = question.scale
        if not raw.isdigit() or int(raw) not in scale:
            errors[field_name(question)] = _("Choose a score from %(low)s to %(high)s.") % {
                "low": scale.start,
                "high": scale.stop - 1,
            }
            continue
        values[question.pk] = int(raw)
    if errors:
        raise ValidationError(errors)
    return values


def is_low(overall: int | None, nps: int | None) -> bool:
    return (overall is not None and overall <= LOW_OVERALL) or (nps is not None and nps <= LOW_NPS)


@transaction.atomic
def survey_answer(*, token: str, data: Mapping[str, Any], now: dt.datetime | None = None) -> SurveyInvitation:
    """Take the one answer of the invitation behind `token`: validate everything, then claim it."""
    now = now or timezone.now()
    invitation = invitation_for_token(token)
    check_open(invitation, now)
    questions = questions_of(invitation.template)
    values = _parse(questions, data)
    by_dimension = {q.dimension: values.get(q.pk) for q in questions if not q.is_text}
    overall = by_dimension.get(Dimension.OVERALL)
    nps = by_dimension.get(Dimension.NPS)
    overall = overall if isinstance(overall, int) else None
    nps = nps if isinstance(nps, int) else None
    low = is_low(overall, nps)
    claimed = SurveyInvitation.objects.filter(
        pk=invitation.pk, answered_at__isnull=True, expires_at__gt=now
    ).update(answered_at=now, overall_score=overall, nps_score=nps, low_score=low, updated_at=now)
    if not claimed:  # another submission got there first (or it expired this instant)
        invitation.refresh_from_db()
        check_open(invitation, now)
        raise SurveyUnavailable(
            _("This survey has already been answered. Thank you!"), code="survey_answered", status=410
        )
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(
            invitation=invitation,
            question=question,
            dimension=question.dimension,
            score=value if isinstance(value, int) else None,
            text=value if isinstance(value, str) else "",
        )
        for question in questions
        if (value := values.get(question.pk)) is not None
    )
    invitation.answered_at, invitation.overall_score, invitation.nps_score = now, overall, nps
    invitation.low_score = low
    if low:
        follow_up_open(invitation=invitation, today=timezone.localdate(now))
    return invitation


def follow_up_open(*, invitation: SurveyInvitation, today: dt.date) -> Visit | None:
    """Put a follow-up visit on the account manager's list within `FOLLOW_UP_DAYS` days.

    The customer's open visit is brought forward and marked as the follow-up when there is one
    (a customer has one open visit at a time); otherwise a new one is planned. Customers without an
    account manager get no follow-up here: they appear in the low-score list of the results page.
    """
    customer = Customer.objects.select_related("owner").get(pk=invitation.customer_id)
    if customer.owner_id is None:
        return None
    due = today + dt.timedelta(days=FOLLOW_UP_DAYS)
    score = ", ".join(
        part
        for part in (
            gettext("overall %(score)s/5") % {"score": invitation.overall_score}
            if invitation.overall_score is not None
            else "",
            f"NPS {invitation.nps_score}" if invitation.nps_score is not None else "",
        )
        if part
    )
    purpose = gettext("Follow up a low survey score (%(score)s)") % {"score": score}
    visit = Visit.objects.select_for_update().filter(customer=customer, status=VisitStatus.PLANNED).first()
    if visit is None:
        return Visit.objects.create(
            customer=customer,
            source=VisitSource.SURVEY,
            survey_invitation=invitation,
            assignee_id=customer.owner_id,
            due_on=due,
            purpose=purpose[:200],
        )
    visit.source = VisitSource.SURVEY
    visit.survey_invitation = invitation
    visit.due_on = min(visit.due_on, due)
    visit.purpose = purpose[:200]
    visit.save(update_fields=["source", "survey_invitation", "due_on", "purpose", "updated_at"])
    return visit
