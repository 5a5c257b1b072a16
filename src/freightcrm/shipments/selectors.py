"""Reads of shipments: the transactions summary on the customer card."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.shipments.models import Shipment


def shipments_visible_to(user: Any) -> QuerySet[Shipment]:
    return access.visible(user, Shipment.objects.select_related("customer"))


def _change(now: Decimal | int, before: Decimal | int) -> float | None:
    return None if not before else round((float(now) - float(before)) / float(before) * 100, 1)


def transactions_summary(user: Any, customer: Customer, *, today: dt.date | None = None) -> dict[str, Any]:
    """Counts, amounts, trend (last 12 months against the 12 before), on-time rate, lanes, months."""
    today = today or timezone.localdate()
    start_this = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=365), dt.time.min))
    start_prev = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=730), dt.time.min))
    shipments = access.visible(user, Shipment.objects.filter(customer=customer))
    totals = shipments.aggregate(
        count=Count("id"),
        first=Min("booked_at"),
        last=Max("booked_at"),
        count_12m=Count("id", filter=Q(booked_at__gte=start_this)),
        count_prev=Count("id", filter=Q(booked_at__gte=start_prev, booked_at__lt=start_this)),
        amount_12m=Sum("amount", filter=Q(booked_at__gte=start_this, currency="CNY")),
        amount_prev=Sum(
            "amount", filter=Q(booked_at__gte=start_prev, booked_at__lt=start_this, currency="CNY")
        ),
        weight_12m=Sum("weight_kg", filter=Q(booked_at__gte=start_this)),
        measured=Count("id", filter=Q(on_time__isnull=False, booked_at__gte=start_this)),
        punctual=Count("id", filter=Q(on_time=True, booked_at__gte=start_this)),
    )
    lanes = list(
        shipments.filter(booked_at__gte=start_this)
        .values("origin_city", "destination_city")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by("-count")[:5]
    )
    months: list[dict[str, Any]] = [
        dict(row)
        for row in (
            shipments.filter(booked_at__gte=start_prev)
            .annotate(month=TruncMonth("booked_at"))
            .values("month")
            .annotate(count=Count("id"), amount=Sum("amount"))
            .order_by("month")
        )
    ]
    peak = max((m["count"] for m in months), default=0)
    for month in months:
        month["height"] = round(100 * month["count"] / peak) if peak else 0
    return {
        **totals,
        "amount_12m": totals["amount_12m"] or Decimal(0),
        "weight_tonnes_12m": (totals["weight_12m"] or Decimal(0)) / 1000,
        "trend_count": _change(totals["count_12m"], totals["count_prev"]),
        "trend_amount": _change(totals["amount_12m"] or 0, totals["amount_prev"] or 0),
        "on_time_rate": round(100 * totals["punctual"] / totals["measured"], 1)
        if totals["measured"]
        else None,
        "lanes": lanes,
        "months": months,
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
