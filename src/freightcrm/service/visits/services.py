"""Return visits (回访): generating due visits from the rules, scheduling, recording, cancelling.

Who is visited how often is data (`VisitRule`); `visit_plans_generate` turns the rules into planned
visits for each customer's account manager and is safe to run any number of times a day. A
customer has at most one planned visit at a time (a database constraint), so a visit that comes
due is never planned twice, whichever rule or person planned it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.visits.choices import VisitMode, VisitOutcome, VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit, VisitRule

GENERATE_AHEAD_DAYS = 31  # visits coming due within a month are planned now, so calendars show them
BATCH = 1_000
CHANGE = "service.change_visit"
ADD = "service.add_visit"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day: 31 Jan + 1 = 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def rule_customers(rule: VisitRule) -> QuerySet[Customer]:
    """The customers `rule` selects: every condition the rule sets must hold."""
    customers = Customer.objects.all()
    if rule.tag_id:
        customers = customers.filter(tags=rule.tag_id)
    if rule.status:
        customers = customers.filter(status=rule.status)
    if rule.kind:
        customers = customers.filter(kind=rule.kind)
    if rule.min_annual_spend is not None:
        customers = customers.filter(annual_logistics_spend__gte=rule.min_annual_spend)
    return customers


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


@transaction.atomic
def visit_plans_generate(*, today: dt.date, ahead_days: int = GENERATE_AHEAD_DAYS) -> int:
    """Plan the visits the rules make due by `today + ahead_days`; return how many were planned.

    A customer's next visit is due `interval` months after its last done visit (today when it was
    never visited), for its account manager. Customers with an open visit, and customers without
    an account manager, are skipped; rules with shorter intervals go first. Only the customers a rule
    selects are read, so this stays cheap with a million customers in the archive.
    """
    horizon = today + dt.timedelta(days=ahead_days)
    planned = 0
    open_visit = Visit.objects.filter(customer=OuterRef("pk"), status=VisitStatus.PLANNED)
    last_done = (
        Visit.objects.filter(customer=OuterRef("pk"), status=VisitStatus.DONE)
        .order_by()
        .values("customer")
        .annotate(last=Max("visited_at"))
        .values("last")
    )
    for rule in VisitRule.objects.filter(is_active=True).order_by("interval_months", "pk"):
        candidates = (
            rule_customers(rule)
            .filter(owner__isnull=False)
            .exclude(Exists(open_visit))
            .annotate(last_done=Subquery(last_done))
            .order_by("pk")
            .values_list("pk", "owner_id", "last_done")
        )
        batch: list[Visit] = []
        for customer_id, owner_id, last in candidates.iterator(chunk_size=BATCH):
            last_day = _local_date(last)
            due = add_months(last_day, rule.interval_months) if last_day else today
            if due > horizon:
                continue
            batch.append(
                Visit(
                    customer_id=customer_id,
                    rule=rule,
                    source=VisitSource.RULE,
                    assignee_id=owner_id,
                    due_on=due,
                    mode=rule.mode,
                    purpose=rule.name,
                )
            )
            if len(batch) >= BATCH:
                planned += len(Visit.objects.bulk_create(batch, ignore_conflicts=True))
                batch = []
        if batch:
            planned += len(Visit.objects.bulk_create(batch, ignore_conflicts=True))
    return planned


def _check_mode(mode: str) -> None:
    if mode not in VisitMode.values:
        raise ValidationError({"mode": _("Choose phone, on-site or online.")})


@transaction.atomic
def visit_schedule(
    *,
    actor: Any,
    customer: Customer,
    due_on: dt.date,
    mode: str = VisitMode.PHONE,
    purpose: str = "",
    assignee: Any = None,
) -> Visit:
    """Plan a visit by hand; refused when the customer already has a planned visit (reschedule it)."""
    access.require_permission(actor, ADD, customer)
    _check_mode(mode)
    if due_on < timezone.localdate() - dt.timedelta(days=1):
        raise ValidationError({"due_on": _("A new visit cannot be planned in the past.")})
    if Visit.objects.filter(customer=customer, status=VisitStatus.PLANNED).exists():
        raise ValidationError(
            {"due_on": _("This customer already has a planned visit: reschedule or record that one.")}
        )
    visit = Visit(
        customer=customer,
        source=VisitSource.MANUAL,
        assignee=assignee or customer.owner or actor,
        due_on=due_on,
        mode=mode,
        purpose=purpose.strip(),
    )
    visit.full_clean(exclude=["customer", "assignee"])
    visit.save()
    return visit


@transaction.atomic
def visit_record(
    *,
    actor: Any,
    visited_at: dt.datetime,
    mode: str,
    content: str,
    outcome: str,
    visit: Visit | None = None,
    customer: Customer | None = None,
    contacts: Iterable[Contact] = (),
    staff: Iterable[Any] = (),
    next_actions: str = "",
    next_visit_on: dt.date | None = None,
) -> Visit:
    """Record a visit as done: the planned `visit`, or a visit made without a plan to `customer`.

    A done visit happened: a time in the future is refused. With `next_visit_on`, the next visit is
    planned on that day.
    """
    if visit is None and customer is None:
        raise ValidationError({"customer": _("Say which customer was visited.")})
    if visit is not None:
        visit = Visit.objects.select_for_update().select_related("customer").get(pk=visit.pk)
        customer = visit.customer
    assert customer is not None
    access.require_permission(actor, CHANGE if visit is not None else ADD, customer)
    errors: dict[str, Any] = {}
    if visit is not None and visit.status != VisitStatus.PLANNED:
        raise ValidationError(
            _("Only a planned visit can be recorded; this one is %(status)s.")
            % {"status": visit.get_status_display()}
        )
    now = timezone.now()
    if visited_at is None or timezone.is_naive(visited_at):
        errors["visited_at"] = _("Give the date and time of the visit.")
    elif visited_at > now + dt.timedelta(minutes=5):
        errors["visited_at"] = _("A visit recorded as done cannot be dated in the future.")
    if mode not in VisitMode.values:
        errors["mode"] = _("Choose phone, on-site or online.")
    if outcome not in VisitOutcome.values:
        errors["outcome"] = _("Choose the outcome of the visit.")
    if not content.strip():
        errors["content"] = _("Write down what was discussed.")
    contacts = list(contacts)
    if any(contact.customer_id != customer.pk for contact in contacts):
        errors["contacts"] = _("Only this customer's contacts can take part.")
    if next_visit_on is not None and visited_at and not errors.get("visited_at"):
        if next_visit_on <= timezone.localtime(visited_at).date():
            errors["next_visit_on"] = _("The next visit must come after this one.")
    if errors:
        raise ValidationError(errors)
    if visit is None:
        if Visit.objects.filter(customer=customer, status=VisitStatus.PLANNED).exists() and next_visit_on:
            raise ValidationError(
                {
                    "next_visit_on": _(
                        "This customer already has a planned visit: reschedule that one instead."
                    )
                }
            )
        visit = Visit(customer=customer, source=VisitSource.MANUAL, assignee=customer.owner or actor)
        visit.due_on = timezone.localtime(visited_at).date()
    visit.status = VisitStatus.DONE
    visit.visited_at = visited_at
    visit.mode = mode
    visit.content = content.strip()
    visit.outcome = outcome
    visit.next_actions = next_actions.strip()
    visit.next_visit_on = next_visit_on
    visit.recorded_by = actor
    visit.full_clean(exclude=["customer", "assignee", "rule", "survey_invitation", "recorded_by"])
    visit.save()
    visit.contacts.set(contacts)
    visit.staff.set(list(staff) or [actor])
    if next_visit_on is not None:
        Visit.objects.create(
            customer=customer,
            source=VisitSource.MANUAL,
            rule=visit.rule,
            assignee=visit.assignee,
            due_on=next_visit_on,
            mode=mode,
            purpose=str(_("Follow-up of the visit on %(day)s")) % {"day": f"{visited_at:%Y-%m-%d}"},
        )
    return visit


def _planned(visit: Visit) -> Visit:
    locked = Visit.objects.select_for_update().select_related("customer").get(pk=visit.pk)
    if locked.status != VisitStatus.PLANNED:
        raise ValidationError(
            _("Only a planned visit can be changed; this one is %(status)s.")
            % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def visit_cancel(*, actor: Any, visit: Visit, reason: str) -> Visit:
    visit = _planned(visit)
    access.require_permission(actor, CHANGE, visit.customer)
    if not reason.strip():
        raise ValidationError({"cancel_reason": _("Say why the visit is cancelled.")})
    visit.status = VisitStatus.CANCELLED
    visit.cancel_reason = reason.strip()[:200]
    visit.recorded_by = actor
    visit.save(update_fields=["status", "cancel_reason", "recorded_by", "updated_at"])
    return visit


@transaction.atomic
def visit_reschedule(*, actor: Any, visit: Visit, due_on: dt.date) -> Visit:
    visit = _planned(visit)
    access.require_permission(actor, CHANGE, visit.customer)
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("A visit cannot be moved into the past.")})
    visit.due_on = due_on
    visit.save(update_fields=["due_on", "updated_at"])
    return visit


def overdue_or_due(today: dt.date, within_days: int) -> Q:
    return Q(status=VisitStatus.PLANNED, due_on__lte=today + dt.timedelta(days=within_days))
