"""Writes of the shipments app: booking a shipment and recording its status events.

The app owns shipments (orders), their event trail and the monthly figures derived from them.
A shipment moves only along `NEXT_STATUSES`; every refused move raises a translatable
`ValidationError` before anything is written. `on_time` is derived here, when the delivery event
is recorded (delivered no later than promised), never typed. The monthly figures follow every save
of a shipment in the same transaction (`stats.shipment_stats_refresh`, via the model's save signal,
so that writes made elsewhere keep them right too).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.models import allocate_numbers
from freightcrm.customers.models import Customer
from freightcrm.shipments.choices import CargoClass, ExceptionReason, ShipmentStatus
from freightcrm.shipments.models import Shipment, ShipmentEvent

S = ShipmentStatus
WAYBILL_SEQUENCE = "waybill"  # shared with the demo seed, so their numbers never collide
WAYBILL_PREFIX = "FC"

# Where a shipment may go from each status. Delivered and cancelled are final. Local jobs may skip
# the hub; a full truck load goes straight from transit to the consignee; an exception is followed
# by resuming the journey, by delivery, or (cargo lost, consignee refused) by cancellation.
NEXT_STATUSES: dict[str, frozenset[str]] = {
    S.BOOKED: frozenset({S.PICKED_UP, S.EXCEPTION, S.CANCELLED}),
    S.PICKED_UP: frozenset({S.IN_TRANSIT, S.AT_HUB, S.OUT_FOR_DELIVERY, S.EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.AT_HUB, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION}),
    S.AT_HUB: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.EXCEPTION}),
    S.EXCEPTION: frozenset({S.IN_TRANSIT, S.AT_HUB, S.OUT_FOR_DELIVERY, S.DELIVERED, S.CANCELLED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}


def normalise_waybill(text: str) -> str:
    """What staff type (`fc 2026 1123 0000000001`, lower case, dashes) as the stored number."""
    return "".join(char for char in str(text) if char not in " \t\r\n-_\u3000").upper()


def next_statuses(shipment: Shipment) -> list[str]:
    """The statuses `shipment` may move to now, in the order of the status list."""
    allowed = NEXT_STATUSES.get(shipment.status, frozenset())
    return [value for value in S.values if value in allowed]


def derive_on_time(*, delivered_at: dt.datetime | None, promised_at: dt.datetime | None) -> bool | None:
    """On time: delivered no later than promised. Unknown (None) until delivered or without a promise."""
    if delivered_at is None or promised_at is None:
        return None
    return delivered_at <= promised_at


def _new_waybill(booked_at: dt.datetime) -> str:
    number = allocate_numbers(WAYBILL_SEQUENCE)[0]
    return f"{WAYBILL_PREFIX}{timezone.localtime(booked_at):%Y%m%d}{number:010d}"


@transaction.atomic
def shipment_create(
    *,
    actor: Any,
    customer: Customer,
    origin_city: str,
    destination_city: str,
    mode: str,
    weight_kg: Decimal,
    amount: Decimal,
    promised_at: dt.datetime,
    cargo_class: str = CargoClass.GENERAL,
    pieces: int = 1,
    volume_m3: Decimal = Decimal(0),
    declared_value: Decimal = Decimal(0),
    currency: str = "CNY",
    booked_at: dt.datetime | None = None,
    waybill_no: str = "",
) -> Shipment:
    """Book a shipment for `customer` (now, unless `booked_at` says when) with its first event."""
    now = timezone.now()
    booked_at = booked_at or now
    shipment = Shipment(
        customer=customer,
        waybill_no=normalise_waybill(waybill_no) if waybill_no else "",
        origin_city=origin_city.strip(),
        destination_city=destination_city.strip(),
        mode=mode,
        cargo_type=cargo_class,
        pieces=pieces,
        weight_kg=weight_kg,
        volume_m3=volume_m3,
        declared_value=declared_value,
        amount=amount,
        currency=currency,
        booked_at=booked_at,
        promised_at=promised_at,
        status=S.BOOKED,
    )
    access.require_change(actor, shipment, ["customer", "status"], creating=True)
    errors: dict[str, list[Any]] = {}
    if booked_at > now:
        errors.setdefault("booked_at", []).append(_("A shipment cannot be booked in the future."))
    if promised_at is None:
        errors.setdefault("promised_at", []).append(_("Enter the promised delivery time."))
    if errors:
        raise ValidationError(errors)
    if not shipment.waybill_no:
        shipment.waybill_no = _new_waybill(booked_at)
    shipment.full_clean()
    shipment.save()
    ShipmentEvent.objects.create(
        shipment=shipment, status=S.BOOKED, at=booked_at, city=shipment.origin_city, actor=_user(actor)
    )
    return shipment


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_event(
    shipment: Shipment, status: str, at: dt.datetime, reason: str, last_at: dt.datetime | None
) -> None:
    errors: dict[str, list[Any]] = {}
    if status not in S.values:
        errors["status"] = [_("Unknown status %(status)s.") % {"status": status}]
    elif status not in NEXT_STATUSES.get(shipment.status, frozenset()):
        allowed = "、".join(str(S(value).label) for value in next_statuses(shipment))
        errors["status"] = [
            _("A shipment that is “%(current)s” cannot become “%(new)s”; it can become: %(allowed)s.")
            % {
                "current": shipment.get_status_display(),
                "new": S(status).label,
                "allowed": allowed or _("nothing (it is final)"),
            }
        ]
    if at is None or timezone.is_naive(at):
        errors["at"] = [_("Enter the date and time of the event.")]
    elif at > timezone.now():
        errors["at"] = [_("The event time is in the future; enter when it actually happened.")]
    elif at < shipment.booked_at:
        errors["at"] = [
            _("The event time is before the booking (%(booked)s).")
            % {"booked": timezone.localtime(shipment.booked_at).strftime("%Y-%m-%d %H:%M")}
        ]
    elif last_at is not None and at < last_at:
        errors["at"] = [
            _("The event time is before the last recorded event (%(last)s); events are kept in order.")
            % {"last": timezone.localtime(last_at).strftime("%Y-%m-%d %H:%M")}
        ]
    if status == S.EXCEPTION and not reason:
        errors["reason"] = [_("Say why: an exception needs a reason.")]
    elif reason and status != S.EXCEPTION:
        errors["reason"] = [_("A reason goes only with an exception.")]
    elif reason and reason not in ExceptionReason.values:
        errors["reason"] = [_("Unknown exception reason %(reason)s.") % {"reason": reason}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def shipment_record_event(
    *,
    actor: Any,
    shipment: Shipment,
    status: str,
    at: dt.datetime,
    location: str = "",
    note: str = "",
    reason: str = "",
) -> ShipmentEvent:
    """Move `shipment` to `status` at `at`, recording the event; refuse (changing nothing) a move
    `NEXT_STATUSES` does not allow, a time in the future, before the booking or before the last
    event, and an exception without a reason. Delivery sets `delivered_at` and derives `on_time`."""
    access.require_change(actor, shipment, ["status"])
    # Lock the row and read its current state: two clerks recording at once are serialised.
    current = Shipment.objects.select_for_update().get(pk=shipment.pk)
    last_at = current.events.order_by("-at", "-id").values_list("at", flat=True).first()
    _check_event(current, status, at, reason, last_at)
    event = ShipmentEvent(
        shipment=current,
        status=status,
        at=at,
        city=location.strip(),
        note=note.strip(),
        reason=reason,
        actor=_user(actor),
    )
    event.full_clean()
    current.status = status
    current.exception_reason = reason if status == S.EXCEPTION else ""
    if status == S.PICKED_UP and current.picked_up_at is None:
        current.picked_up_at = at
    if status == S.DELIVERED:
        current.delivered_at = at
        current.on_time = derive_on_time(delivered_at=at, promised_at=current.promised_at)
    current.save()
    event.save()
    for name in ("status", "exception_reason", "picked_up_at", "delivered_at", "on_time", "updated_at"):
        setattr(shipment, name, getattr(current, name))
    return event
