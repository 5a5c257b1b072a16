"""Writes of the complaint area: filing, the state machine, assignment, confirmation, escalation.

The complaint area owns `Complaint`, its `ComplaintEvent` log, the category tree and the
per-severity `ComplaintTarget`s. Every service checks the actor's rights (`core.access.require_permission`),
validates before it writes, writes one `ComplaintEvent` for what it did, and runs in one
transaction: a refusal changes nothing. Services take `now` so tests and the demo can freeze time.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import ApplicationError
from freightcrm.core.models import allocate_numbers
from freightcrm.customers.choices import Currency
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.complaints.choices import (
    DONE_STATES,
    OPEN_STATES,
    TRANSITIONS,
    Action,
    Channel,
    Confirmation,
    Escalation,
    Severity,
    State,
)
from freightcrm.service.complaints.models import (
    Complaint,
    ComplaintCategory,
    ComplaintEvent,
    ComplaintTarget,
)
from freightcrm.shipments.models import Shipment

PERM_ADD = "service.add_complaint"
PERM_CHANGE = "service.change_complaint"


class InvalidTransition(ApplicationError):
    """The action is not allowed from the complaint's current state (e.g. closing an unresolved one)."""

    code = "invalid_transition"
    status = 409


def complaint_number(day: dt.date, sequence: int) -> str:
    """`TS` + the day it was received + a running number of that day: TS202611230001."""
    return f"TS{day:%Y%m%d}{sequence:04d}"


def due_times(severity: str, received_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Response and resolution due times from the severity's target (calendar hours)."""
    target = ComplaintTarget.objects.filter(severity=severity).first()
    if target is None:
        raise ValidationError(
            {"severity": _("There is no target for this severity; ask a manager to set one.")}
        )
    return (
        received_at + dt.timedelta(hours=target.response_hours),
        received_at + dt.timedelta(hours=target.resolution_hours),
    )


def _event(
    complaint: Complaint, *, actor: Any, action: str, at: dt.datetime, from_state: str = "", note: str = ""
) -> ComplaintEvent:
    return ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=from_state,
        to_state=complaint.state,
        at=at,
        note=note,
    )


def _locked(complaint: Complaint) -> Complaint:
    """The complaint re-read under a row lock, so two handlers cannot both move it."""
    return Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)


@transaction.atomic
def complaint_file(
    *,
    actor: User,
    customer: Customer,
    channel: str,
    category: ComplaintCategory,
    description: str,
    severity: str = Severity.NORMAL,
    contact: Contact | None = None,
    shipment: Shipment | None = None,
    handler: User | None = None,
    received_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """File a complaint as received; its due times come from the severity's target."""
    now = now or timezone.now()
    received_at = received_at or now
    access.require_permission(actor, PERM_ADD, customer)
    errors: dict[str, Any] = {}
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("This contact belongs to another customer.")
    if shipment is not None and shipment.customer_id != customer.pk:
        errors["shipment"] = _("This shipment belongs to another customer.")
    if not (description or "").strip():
        errors["description"] = _("Describe what the customer complains about.")
    if channel not in Channel.values:
        errors["channel"] = _("Choose a channel from the list.")
    if severity not in Severity.values:
        errors["severity"] = _("Choose a severity from the list.")
    if received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = _("A complaint cannot be received in the future.")
    if handler is not None and not (handler.is_active and handler.has_perm(PERM_CHANGE)):
        errors["handler"] = _("The handler must be an active user who may handle complaints.")
    if errors:
        raise ValidationError(errors)
    response_due, resolution_due = due_times(severity, received_at)
    day = timezone.localdate(received_at)
    sequence = allocate_numbers(f"TS{day:%Y%m%d}")[0]
    complaint = Complaint(
        number=complaint_number(day, sequence),
        customer=customer,
        contact=contact,
        channel=channel,
        category=category,
        severity=severity,
        shipment=shipment,
        description=description.strip(),
        handler=handler,
        filed_by=actor,
        state=State.RECEIVED,
        received_at=received_at,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
    )
    complaint.full_clean()
    complaint.save()
    _event(complaint, actor=actor, action=Action.FILE, at=received_at)
    return complaint


def _transition(
    *, actor: User, complaint: Complaint, action: str, now: dt.datetime | None, note: str = ""
) -> tuple[Complaint, str, dt.datetime]:
    """Lock, check rights and that `action` is allowed from the current state, move the locked copy to
    the action's target state (`TRANSITIONS`); return it with the old state."""
    now = now or timezone.now()
    access.require_permission(actor, PERM_CHANGE, complaint.customer)
    current = _locked(complaint)
    sources, target = TRANSITIONS[action]
    if current.state not in sources:
        raise InvalidTransition(
            _("A complaint that is “%(state)s” cannot be moved by “%(action)s”."),
            params={"state": current.get_state_display(), "action": Action(action).label},
        )
    if now < current.received_at:
        raise ValidationError(_("This step cannot be dated before the complaint was received."))
    before = current.state
    current.state = target
    return current, before, now


def _finish(
    current: Complaint,
    complaint: Complaint,
    *,
    actor: User,
    action: str,
    before: str,
    now: dt.datetime,
    note: str,
) -> Complaint:
    current.full_clean()
    current.save()
    _event(current, actor=actor, action=action, at=now, from_state=before, note=note)
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_acknowledge(
    *, actor: User, complaint: Complaint, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    """The first response to the customer (the response target measures up to here)."""
    current, before, now = _transition(actor=actor, complaint=complaint, action=Action.ACKNOWLEDGE, now=now)
    current.acknowledged_at = now
    if current.handler_id is None:
        current.handler = actor
    return _finish(
        current, complaint, actor=actor, action=Action.ACKNOWLEDGE, before=before, now=now, note=note
    )


@transaction.atomic
def complaint_investigate(
    *, actor: User, complaint: Complaint, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    current, before, now = _transition(actor=actor, complaint=complaint, action=Action.INVESTIGATE, now=now)
    current.investigating_at = current.investigating_at or now
    return _finish(
        current, complaint, actor=actor, action=Action.INVESTIGATE, before=before, now=now, note=note
    )


def _money(value: Any) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"compensation_amount": _("Enter an amount such as 200.00.")}) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationError({"compensation_amount": _("The compensation cannot be negative.")})
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
        raise ValidationError({"compensation_amount": _("Enter an amount with at most two decimals.")})
    return amount


@transaction.atomic
def complaint_resolve(
    *,
    actor: User,
    complaint: Complaint,
    resolution: str,
    compensation_amount: Decimal | str | int = 0,
    compensation_currency: str = Currency.CNY,
    note: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """Record how the complaint was resolved (required) and any compensation paid."""
    current, before, now = _transition(actor=actor, complaint=complaint, action=Action.RESOLVE, now=now)
    errors: dict[str, Any] = {}
    if not (resolution or "").strip():
        errors["resolution"] = _("Say how the complaint was resolved.")
    if compensation_currency not in Currency.values:
        errors["compensation_currency"] = _("Choose a currency from the list.")
    if errors:
        raise ValidationError(errors)
    current.compensation_amount = _money(compensation_amount)
    current.compensation_currency = compensation_currency
    current.resolution = resolution.strip()
    current.resolved_at = now
    return _finish(current, complaint, actor=actor, action=Action.RESOLVE, before=before, now=now, note=note)


@transaction.atomic
def complaint_close(
    *, actor: User, complaint: Complaint, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    """Close a resolved complaint; an unresolved one is refused (`InvalidTransition`)."""
    current, before, now = _transition(actor=actor, complaint=complaint, action=Action.CLOSE, now=now)
    current.closed_at = now
    return _finish(current, complaint, actor=actor, action=Action.CLOSE, before=before, now=now, note=note)


@transaction.atomic
def complaint_reopen(
    *, actor: User, complaint: Complaint, note: str, now: dt.datetime | None = None
) -> Complaint:
    """Back to investigating, counted. The original due times stay: the customer has waited since filing.

    The earlier resolution text stays on record in the event log; the resolution and close times are
    cleared, so the resolution time measures the final one.
    """
    if not (note or "").strip():
        raise ValidationError({"note": _("Say why the complaint is reopened.")})
    current, before, now = _transition(actor=actor, complaint=complaint, action=Action.REOPEN, now=now)
    current.reopen_count += 1
    current.resolved_at = None
    current.closed_at = None
    current.confirmation = ""
    current.confirmed_at = None
    current.confirmation_note = ""
    earlier = gettext("Earlier resolution: %(text)s") % {"text": current.resolution}
    note = f"{note.strip()}\n{earlier}" if current.resolution else note.strip()
    return _finish(current, complaint, actor=actor, action=Action.REOPEN, before=before, now=now, note=note)


@transaction.atomic
def complaint_assign(
    *, actor: User, complaint: Complaint, handler: User, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    now = now or timezone.now()
    access.require_permission(actor, PERM_CHANGE, complaint.customer)
    current = _locked(complaint)
    if current.state == State.CLOSED:
        raise InvalidTransition(_("A closed complaint cannot be reassigned; reopen it first."))
    if not (handler.is_active and handler.has_perm(PERM_CHANGE)):
        raise ValidationError({"handler": _("The handler must be an active user who may handle complaints.")})
    if not access.can_see(handler, current.customer):
        raise ValidationError({"handler": _("The handler may not see this customer.")})
    current.handler = handler
    current.save(update_fields=["handler", "updated_at"])
    text = f"→ {handler.get_full_name() or handler.get_username()}" + (
        f": {note.strip()}" if note.strip() else ""
    )
    _event(current, actor=actor, action=Action.ASSIGN, at=now, from_state=current.state, note=text)
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaint_confirm(
    *, actor: User, complaint: Complaint, confirmation: str, note: str = "", now: dt.datetime | None = None
) -> Complaint:
    """Record whether the customer accepts the resolution (only once it is resolved or closed)."""
    now = now or timezone.now()
    access.require_permission(actor, PERM_CHANGE, complaint.customer)
    current = _locked(complaint)
    if current.state not in DONE_STATES:
        raise InvalidTransition(_("The customer can confirm only a resolved complaint."))
    if confirmation not in Confirmation.values:
        raise ValidationError({"confirmation": _("Choose confirmed or disputed.")})
    if confirmation == Confirmation.DISPUTED and not (note or "").strip():
        raise ValidationError({"note": _("Say what the customer disputes.")})
    current.confirmation = confirmation
    current.confirmed_at = now
    current.confirmation_note = (note or "").strip()[:500]
    current.full_clean()
    current.save()
    _event(
        current,
        actor=actor,
        action=Action.CONFIRM,
        at=now,
        from_state=current.state,
        note=f"{Confirmation(confirmation).label}"
        + (f": {current.confirmation_note}" if current.confirmation_note else ""),
    )
    complaint.refresh_from_db()
    return complaint


@transaction.atomic
def complaints_escalate(*, now: dt.datetime) -> int:
    """Escalate every open complaint past a due time to the managers; idempotent; returns how many moved.

    Level 1: not acknowledged by the response due time. Level 2: not resolved by the resolution due
    time. A level is only ever raised, so running this twice (or daily) escalates each step once.
    """
    moved = 0
    steps = (
        (Escalation.RESPONSE, Q(state=State.RECEIVED, response_due_at__lt=now)),
        (Escalation.RESOLUTION, Q(state__in=OPEN_STATES, resolution_due_at__lt=now)),
    )
    for level, overdue in steps:
        due = Complaint.objects.select_for_update().filter(overdue, escalation_level__lt=level)
        rows = list(due.values_list("pk", "state"))
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            ids = [pk for pk, _state in chunk]
            Complaint.objects.filter(pk__in=ids, escalated_at__isnull=True).update(escalated_at=now)
            Complaint.objects.filter(pk__in=ids).update(escalation_level=level, updated_at=now)
            ComplaintEvent.objects.bulk_create(
                [
                    ComplaintEvent(
                        complaint_id=pk,
                        action=Action.ESCALATE,
                        from_state=state,
                        to_state=state,
                        at=now,
                        note=str(Escalation(level).label),
                    )
                    for pk, state in chunk
                ]
            )
        moved += len(rows)
    return moved


def complaint_apply(
    *,
    actor: User,
    complaint: Complaint,
    action: str,
    note: str = "",
    resolution: str = "",
    compensation_amount: Decimal | str | int | None = None,
    compensation_currency: str = "",
    confirmation: str = "",
    handler: User | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """One entry point for the page's buttons and the API's transitions: dispatch `action` by name."""
    note = note or ""
    if action == Action.ACKNOWLEDGE:
        return complaint_acknowledge(actor=actor, complaint=complaint, note=note, now=now)
    if action == Action.INVESTIGATE:
        return complaint_investigate(actor=actor, complaint=complaint, note=note, now=now)
    if action == Action.RESOLVE:
        return complaint_resolve(
            actor=actor,
            complaint=complaint,
            resolution=resolution,
            compensation_amount=compensation_amount if compensation_amount not in (None, "") else 0,
            compensation_currency=compensation_currency or Currency.CNY,
            note=note,
            now=now,
        )
    if action == Action.CLOSE:
        return complaint_close(actor=actor, complaint=complaint, note=note, now=now)
    if action == Action.REOPEN:
        return complaint_reopen(actor=actor, complaint=complaint, note=note, now=now)
    if action == Action.CONFIRM:
        return complaint_confirm(
            actor=actor, complaint=complaint, confirmation=confirmation, note=note, now=now
        )
    if action == Action.ASSIGN:
        if handler is None:
            raise ValidationError({"handler": _("Choose the new handler.")})
        return complaint_assign(actor=actor, complaint=complaint, handler=handler, note=note, now=now)
    raise ValidationError(
        {
            "action": ValidationError(
                _("Unknown action; use one of: %(actions)s."), params={"actions": ", ".join(ACTIONS)}
            )
        }
    )


ACTIONS = (
    Action.ACKNOWLEDGE,
    Action.INVESTIGATE,
    Action.RESOLVE,
    Action.CLOSE,
    Action.REOPEN,
    Action.ASSIGN,
    Action.CONFIRM,
)
