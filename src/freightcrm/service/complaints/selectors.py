"""Reads of complaints: what a user may see, overdue flags, and the complaint statistics.

Statistics definitions (also in the README):

* complaint rate = complaints received in the period / shipments booked in the period × 1,000,
  per root category, per customer province and per month (complaints by month received, shipments
  by month booked);
* first-response time = acknowledged_at − received_at; resolution time = resolved_at − received_at
  (the final resolution after any reopen); median and p90 by nearest rank, over the complaints of the
  period that have reached that step;
* breach rate = share of the period's complaints past their response target (acknowledged after the
  due time, or still not acknowledged and past it at `now`), and the same for resolution.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Customer
from freightcrm.service.complaints.choices import OPEN_STATES, State
from freightcrm.service.complaints.models import Complaint, ComplaintCategory
from freightcrm.shipments.models import Shipment

STATISTICS_PERMISSION = "service.view_complaint_statistics"


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    return access.visible(
        user,
        Complaint.objects.select_related("customer", "category", "category__parent", "handler", "shipment"),
    )


def overdue_q(now: dt.datetime) -> Q:
    """Open and past the due time of the step it is waiting for (response, then resolution)."""
    return Q(state=State.RECEIVED, response_due_at__lt=now) | Q(
        state__in=OPEN_STATES, resolution_due_at__lt=now
    )


def complaint_for(user: Any, *, pk: int | None = None, number: str | None = None) -> Complaint:
    """One complaint `user` may see; `Complaint.DoesNotExist` for one they may not (same as missing)."""
    rows = complaints_visible_to(user)
    return rows.get(pk=pk) if pk is not None else rows.get(number=number)


def complaint_overdue(complaint: Complaint, now: dt.datetime | None = None) -> dict[str, bool]:
    now = now or timezone.now()
    return {
        "response": complaint.acknowledged_at is None
        and complaint.state == State.RECEIVED
        and complaint.response_due_at < now,
        "resolution": complaint.state in OPEN_STATES and complaint.resolution_due_at < now,
        "response_breached": (complaint.acknowledged_at or now) > complaint.response_due_at,
        "resolution_breached": (complaint.resolved_at or now) > complaint.resolution_due_at,
    }


def category_choices() -> list[tuple[int, str]]:
    rows = ComplaintCategory.objects.filter(active=True).select_related("parent").order_by("position", "code")
    return [(c.pk, str(c)) for c in rows]


# --- statistics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShipmentDenominators:
    total: int
    by_month: dict[dt.date, int]
    by_province: dict[str, int]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _shipment_denominators(start: dt.date, end: dt.date) -> ShipmentDenominators:
    """Shipments booked in [start, end) by month and by customer province.

    INTERIM: counts Shipment rows directly. The shipments helper adds
    `shipments.selectors.shipment_counts(start=, end=)` backed by monthly aggregate tables; the
    integrator replaces the body of this one function with that call (the 10-million-shipment goal
    needs the aggregates: this scan is the slow part of the statistics).
    """
    shipments = Shipment.objects.filter(booked_at__gte=_aware(start), booked_at__lt=_aware(end))
    by_month = {
        timezone.localtime(row["month"]).date()
        if isinstance(row["month"], dt.datetime)
        else row["month"]: row["n"]
        for row in shipments.annotate(month=TruncMonth("booked_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    by_province = {
        row["customer__province"] or "": row["n"]
        for row in shipments.values("customer__province").annotate(n=Count("id")).order_by()
    }
    return ShipmentDenominators(sum(by_month.values()), by_month, by_province)


def _rate(count: int, shipments: int) -> float | None:
    return round(count * 1000 / shipments, 3) if shipments else None


def _percentiles(rows: QuerySet[Complaint], start_field: str, end_field: str) -> dict[str, float | None]:
    """Median and p90 (nearest rank) of `end − start` in hours, by offset queries: no rows in Python."""
    done = rows.filter(**{f"{end_field}__isnull": False}).annotate(
        took=ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField())
    )
    count = done.count()
    result: dict[str, float | None] = {"count": count, "median_hours": None, "p90_hours": None}
    if not count:
        return result
    for key, share in (("median_hours", 0.5), ("p90_hours", 0.9)):
        rank = max(1, math.ceil(share * count))
        took = done.order_by("took", "pk").values_list("took", flat=True)[rank - 1]
        result[key] = round(took.total_seconds() / 3600, 2)
    return result


@dataclass
class ComplaintStatistics:
    start: dt.date
    end: dt.date
    complaints: int
    shipments: int
    rate: float | None
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_region: list[dict[str, Any]] = field(default_factory=list)
    by_month: list[dict[str, Any]] = field(default_factory=list)
    first_response: dict[str, Any] = field(default_factory=dict)
    resolution: dict[str, Any] = field(default_factory=dict)
    breaches: dict[str, Any] = field(default_factory=dict)


def may_view_statistics(user: Any) -> bool:
    return access.access_for(user).has(STATISTICS_PERMISSION)


def complaint_statistics(
    user: Any, *, start: dt.date, end: dt.date, now: dt.datetime | None = None
) -> ComplaintStatistics:
    """Complaint statistics for complaints received in [start, end) (local dates), as `user` may see them.

    About a dozen queries whatever the size: grouped counts for complaints, grouped counts for the
    shipment denominators, and offset look-ups for the percentiles.
    """
    if not may_view_statistics(user):
        raise PermissionDeniedError(_("You may not view complaint statistics."))
    now = now or timezone.now()
    rows = access.visible(user, Complaint.objects.all()).filter(
        received_at__gte=_aware(start), received_at__lt=_aware(end)
    )
    denominators = _shipment_denominators(start, end)
    breaches = rows.aggregate(
        total=Count("id"),
        response=Count(
            "id",
            filter=Q(acknowledged_at__gt=F("response_due_at"))
            | Q(acknowledged_at__isnull=True, response_due_at__lt=now),
        ),
        resolution=Count(
            "id",
            filter=Q(resolved_at__gt=F("resolution_due_at"))
            | Q(resolved_at__isnull=True, resolution_due_at__lt=now),
        ),
        open=Count("id", filter=Q(state__in=OPEN_STATES)),
    )
    total = breaches["total"]
    stats = ComplaintStatistics(
        start=start,
        end=end,
        complaints=total,
        shipments=denominators.total,
        rate=_rate(total, denominators.total),
    )
    stats.breaches = {
        "response": breaches["response"],
        "resolution": breaches["resolution"],
        "open": breaches["open"],
        "response_rate": round(100 * breaches["response"] / total, 1) if total else None,
        "resolution_rate": round(100 * breaches["resolution"] / total, 1) if total else None,
    }
    roots = {c.pk: c.name for c in ComplaintCategory.objects.filter(parent__isnull=True)}
    by_root = (
        rows.annotate(root=Coalesce("category__parent_id", "category_id"))
        .values("root")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["root"]: row["n"] for row in by_root}
    stats.by_category = sorted(
        (
            {
                "category": name,
                "count": counts.get(pk, 0),
                "rate": _rate(counts.get(pk, 0), denominators.total),
            }
            for pk, name in roots.items()
            if counts.get(pk)
        ),
        key=lambda row: -row["count"],
    )
    by_province = rows.values("customer__province").annotate(n=Count("id")).order_by()
    stats.by_region = sorted(
        (
            {
                "province": row["customer__province"] or "",
                "count": row["n"],
                "shipments": denominators.by_province.get(row["customer__province"] or "", 0),
                "rate": _rate(row["n"], denominators.by_province.get(row["customer__province"] or "", 0)),
            }
            for row in by_province
        ),
        key=lambda row: (-(row["rate"] or 0), row["province"]),
    )
    by_month = {
        (
            timezone.localtime(row["month"]).date() if isinstance(row["month"], dt.datetime) else row["month"]
        ): row["n"]
        for row in rows.annotate(month=TruncMonth("received_at"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    months = sorted(set(by_month) | set(denominators.by_month))
    stats.by_month = [
        {
            "month": month,
            "count": by_month.get(month, 0),
            "shipments": denominators.by_month.get(month, 0),
            "rate": _rate(by_month.get(month, 0), denominators.by_month.get(month, 0)),
        }
        for month in months
    ]
    stats.first_response = _percentiles(rows, "received_at", "acknowledged_at")
    stats.resolution = _percentiles(rows, "received_at", "resolved_at")
    return stats


def customer_complaints(user: Any, customer: Customer, limit: int = 5) -> dict[str, Any]:
    rows = complaints_visible_to(user).filter(customer=customer)
    return {
        "complaints": list(rows[:limit]),
        "open": rows.filter(state__in=OPEN_STATES).count(),
        "total": rows.count(),
        "now": timezone.now(),
    }
