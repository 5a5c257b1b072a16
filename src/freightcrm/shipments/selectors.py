"""Reads of shipments: look-ups by waybill and by customer with their event trail, the customer
card's transactions summary, and shipment counts for rates. Every read applies `core.access`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.dates import local_midnight
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import CustomerShipmentMonth, RegionShipmentMonth, Shipment, ShipmentEvent
from freightcrm.shipments.services import normalise_waybill
from freightcrm.shipments.stats import COUNTED

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
WAYBILL_LENGTH = Shipment._meta.get_field("waybill_no").max_length or 24


def shipments_visible_to(user: Any) -> QuerySet[Shipment]:
    """The shipments `user` may see: none without the right to view shipments, else those of the
    customers they may see."""
    if not access.may_view_model(user, Shipment):
        return Shipment.objects.none()
    return access.visible(user, Shipment.objects.select_related("customer"))


def _with_events(queryset: QuerySet[Shipment]) -> QuerySet[Shipment]:
    events = ShipmentEvent.objects.select_related("actor").order_by("at", "id")
    return queryset.prefetch_related(Prefetch("events", queryset=events))


def shipment_by_waybill(user: Any, waybill: str) -> Shipment | None:
    """The shipment with this waybill number (spaces, dashes and case ignored) that `user` may see,
    with `events` prefetched in time order; None if there is none or `user` may not see it."""
    number = normalise_waybill(waybill)
    if not number or len(number) > WAYBILL_LENGTH or not number.isprintable():
        return None
    return _with_events(shipments_visible_to(user).filter(waybill_no=number)).first()


def shipment_by_pk(user: Any, pk: Any) -> Shipment | None:
    """The shipment with this id that `user` may see, with its events; None otherwise."""
    try:
        number = int(str(pk))
    except ValueError:
        return None
    if not 0 < number < 2**63:
        return None
    return _with_events(shipments_visible_to(user).filter(pk=number)).first()


@dataclass(frozen=True)
class ShipmentPage:
    shipments: list[Shipment]
    total: int
    page: int
    page_size: int


def shipments_of_customer(
    user: Any,
    customer: Customer,
    *,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
    status: str = "",
    booked_from: dt.date | None = None,
    booked_to: dt.date | None = None,
) -> ShipmentPage:
    """One page of `customer`'s shipments, newest booking first, each with its events; empty for a
    customer `user` may not see. Dates are local dates, both ends included."""
    errors: dict[str, list[Any]] = {}
    if page < 1:
        errors["page"] = [_("Pages start at 1.")]
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = [_("Ask for 1 to %(max)s shipments a page.") % {"max": MAX_PAGE_SIZE}]
    if status and status not in ShipmentStatus.values:
        errors["status"] = [_("Unknown status %(status)s.") % {"status": status}]
    if booked_from and booked_to and booked_from > booked_to:
        errors["booked_to"] = [_("The end date is before the start date.")]
    if errors:
        raise ValidationError(errors)
    shipments = shipments_visible_to(user).filter(customer=customer)
    if status:
        shipments = shipments.filter(status=status)
    if booked_from:
        shipments = shipments.filter(booked_at__gte=local_midnight(booked_from))
    if booked_to:
        shipments = shipments.filter(booked_at__lt=local_midnight(booked_to + dt.timedelta(days=1)))
    total = shipments.count()
    offset = (page - 1) * page_size
    ordered = _with_events(shipments.order_by("-booked_at", "-id"))
    return ShipmentPage(list(ordered[offset : offset + page_size]), total, page, page_size)


def _change(now: Decimal | int, before: Decimal | int) -> float | None:
    return None if not before else round((float(now) - float(before)) / float(before) * 100, 1)


def _month_start(day: dt.date, months_back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def transactions_summary(user: Any, customer: Customer, *, today: dt.date | None = None) -> dict[str, Any]:
    """Counts, amounts, trend (the last 12 months, this one included, against the 12 before),
    on-time rate, lanes and months, from the monthly figures: two queries whatever the number of
    shipments (the months, and the top lanes of the last 12 months). Cancelled shipments are not
    counted; amounts are those billed in CNY."""
    today = today or timezone.localdate()
    start_this = _month_start(today, 11)
    start_prev = _month_start(today, 23)
    if not access.may_view_model(user, Shipment):
        months_rows: list[CustomerShipmentMonth] = []
    else:
        months_rows = list(
            access.visible(user, CustomerShipmentMonth.objects.filter(customer=customer)).order_by("month")
        )
    count = sum(row.shipments for row in months_rows)
    this = [row for row in months_rows if start_this <= row.month <= today]
    prev = [row for row in months_rows if start_prev <= row.month < start_this]
    count_12m, count_prev = sum(r.shipments for r in this), sum(r.shipments for r in prev)
    amount_12m = sum((r.amount_cny for r in this), Decimal(0))
    amount_prev = sum((r.amount_cny for r in prev), Decimal(0))
    delivered = sum(r.delivered for r in this)
    punctual = sum(r.on_time for r in this)
    lanes: list[dict[str, Any]] = []
    if count_12m:
        since = local_midnight(start_this)
        lanes = list(
            shipments_visible_to(user)  # type: ignore[arg-type]
            .filter(COUNTED, customer=customer, booked_at__gte=since)
            .values("origin_city", "destination_city")
            .annotate(count=Count("id"), amount=Sum("amount"))
            .order_by("-count", "origin_city", "destination_city")[:5]
        )
    months: list[dict[str, Any]] = [
        {"month": row.month, "count": row.shipments, "amount": row.amount_cny}
        for row in months_rows
        if row.month >= start_prev
    ]
    peak = max((m["count"] for m in months), default=0)
    for month in months:
        month["height"] = round(100 * month["count"] / peak) if peak else 0
    return {
        "count": count,
        "first": min((r.first_booked_at for r in months_rows if r.first_booked_at), default=None),
        "last": max((r.last_booked_at for r in months_rows if r.last_booked_at), default=None),
        "count_12m": count_12m,
        "count_prev": count_prev,
        "amount_12m": amount_12m,
        "amount_prev": amount_prev,
        "weight_tonnes_12m": sum((r.weight_kg for r in this), Decimal(0)) / 1000,
        "measured": delivered,
        "punctual": punctual,
        "trend_count": _change(count_12m, count_prev),
        "trend_amount": _change(amount_12m, amount_prev),
        "on_time_rate": round(100 * punctual / delivered, 1) if delivered else None,
        "lanes": lanes,
        "months": months,
    }


def shipment_counts(*, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Shipments booked in the months from `start`'s month to `end`'s month, both included (local
    months; cancelled shipments not counted): the denominator of rates per 1,000 shipments.

    Reads only the monthly figures (`RegionShipmentMonth`): a handful of rows per month, whatever
    the number of shipments. Counts every customer — it is for statistics, not for a user's view.

    Returns::

        {
            "total": int,                                   # all shipments in the range
            "by_month": {dt.date(2026, 1, 1): int, ...},   # first day of each month → count, months in order
            "by_province": {"广东省": int, ..., "": int},   # customer's province → count ("" = unknown)
            "by_month_province": {(dt.date, "广东省"): int, ...},
        }

    Months or provinces without shipments are absent (read them as 0).
    """
    if end < start:
        raise ValidationError({"end": [_("The end date is before the start date.")]})
    first, last = start.replace(day=1), end.replace(day=1)
    rows = (
        RegionShipmentMonth.objects.filter(month__gte=first, month__lte=last, shipments__gt=0)
        .order_by("month", "province")
        .values_list("month", "province", "shipments")
    )
    by_month: dict[dt.date, int] = {}
    by_province: dict[str, int] = {}
    by_month_province: dict[tuple[dt.date, str], int] = {}
    for month, province, count in rows:
        by_month[month] = by_month.get(month, 0) + count
        by_province[province] = by_province.get(province, 0) + count
        by_month_province[(month, province)] = count
    return {
        "total": sum(by_month.values()),
        "by_month": by_month,
        "by_province": by_province,
        "by_month_province": by_month_province,
    }


register_card_section(
    CardSection(
        "transactions",
        _("Transactions"),
        "shipments/card/transactions.html",
        lambda user, customer: {"summary": transactions_summary(user, customer)},
        40,
        lambda user: access.may_view_model(user, Shipment),
    )
)
