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

from django.contrib.auth.models import User
from django.db.models import Count, F, FloatField, Func, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.dates import local_midnight
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Customer
from freightcrm.service.complaints.choices import DONE_STATES, OPEN_STATES, State, actions_from
from freightcrm.service.complaints.models import Complaint, ComplaintCategory
from freightcrm.service.complaints.services import PERM_CHANGE
from freightcrm.shipments.selectors import shipment_counts

STATISTICS_PERMISSION = "service.view_complaint_statistics"


def complaints_visible_to(user: Any) -> QuerySet[Complaint]:
    return access.visible(
        user,
        Complaint.objects.select_related("customer", "category", "category__parent", "handler", "shipment"),
    )


def complaint_handlers() -> QuerySet[User]:
    """Active users who may handle complaints (directly or through a role)."""
    app, codename = PERM_CHANGE.split(".")
    has = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app) | Q(
        groups__permissions__codename=codename, groups__permissions__content_type__app_label=app
    )
    return (
        User.objects.filter(is_active=True)
        .filter(has | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
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


def may_handle_complaints(user: Any) -> bool:
    return access.access_for(user).has(PERM_CHANGE)


def complaint_page_actions(user: Any, complaint: Complaint) -> dict[str, Any]:
    """What `user` may do on the complaint's page now: the state buttons, confirming, reassigning
    (the same state rules the services enforce)."""
    may_handle = may_handle_complaints(user)
    return {
        "may_handle": may_handle,
        "actions": actions_from(complaint.state) if may_handle else [],
        "may_assign": may_handle and complaint.state != State.CLOSED,
        "may_confirm": may_handle and complaint.state in DONE_STATES,
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


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first days of the months that [start, end) touches."""
    months = []
    month = start.replace(day=1)
    while month < end:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def _month_counts(field: str, months: list[dt.date]) -> dict[str, Count]:
    """Conditional counts of rows per local calendar month of `field` (`m0`, `m1`…), to aggregate.

    Plain range comparisons rather than `TruncMonth`: on SQLite truncating in a time zone calls a
    Python function for every row, which costs seconds over a few hundred thousand shipments.
    """
    bounds = [*months[1:], (months[-1] + dt.timedelta(days=32)).replace(day=1)] if months else []
    return {
        f"m{index}": Count(
            "pk",
            filter=Q(
                **{f"{field}__gte": local_midnight(month), f"{field}__lt": local_midnight(bounds[index])}
            ),
        )
        for index, month in enumerate(months)
    }


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """[start, end) widened to whole calendar months: shipments are counted per month."""
    first = start.replace(day=1)
    if end.day != 1:
        end = (end.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return first, max(end, (first + dt.timedelta(days=32)).replace(day=1))


def _shipment_denominators(start: dt.date, end: dt.date) -> ShipmentDenominators:
    """Shipments booked in the whole months of [start, end), by month and by customer province,
    from the shipments' monthly figures (a few rows per month, whatever the number of shipments)."""
    counts = shipment_counts(start=start, end=end - dt.timedelta(days=1))
    return ShipmentDenominators(counts["total"], counts["by_month"], counts["by_province"])


def _rate(count: int, shipments: int) -> float | None:
    return round(count * 1000 / shipments, 3) if shipments else None


class HoursBetween(Func):
    """`end − start` in hours, computed by the database itself.

    Django's own datetime subtraction calls a Python function per row on SQLite; `julianday` and
    `EXTRACT(EPOCH …)` are native, which makes the percentile look-ups ten times cheaper.
    """

    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 3600.0)",
            arg_joiner=" - ",
            **extra,
        )


def _percentiles(
    rows: QuerySet[Complaint], start_field: str, end_field: str, count: int
) -> dict[str, float | None]:
    """Median and p90 (nearest rank) of `end − start` in hours over the `count` rows that have
    `end_field`, by offset queries: no rows in Python."""
    result: dict[str, float | None] = {"count": count, "median_hours": None, "p90_hours": None}
    if not count:
        return result
    done = rows.filter(**{f"{end_field}__isnull": False}).annotate(took=HoursBetween(end_field, start_field))
    for key, share in (("median_hours", 0.5), ("p90_hours", 0.9)):
        rank = max(1, math.ceil(share * count))
        took = done.order_by("took", "pk").values_list("took", flat=True)[rank - 1]
        result[key] = round(float(took), 2)
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
    """Complaint statistics for complaints received in [start, end) (local dates, widened to whole
    months because shipments, the rates' denominator, are counted per month), as `user` may see them.

    Nine queries whatever the size: one aggregate of conditional counts (totals, breaches, months,
    how many reached each step), grouped counts by category and province, the shipment
    denominators, the category roots, and two offset look-ups per percentile measure.
    """
    if not may_view_statistics(user):
        raise PermissionDeniedError(_("You may not view complaint statistics."))
    now = now or timezone.now()
    start, end = whole_months(start, end)
    rows = access.visible(user, Complaint.objects.all()).filter(
        received_at__gte=local_midnight(start), received_at__lt=local_midnight(end)
    )
    denominators = _shipment_denominators(start, end)
    months = month_starts(start, end)
    figures = rows.aggregate(
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
        acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        **_month_counts("received_at", months),
    )
    total = figures["total"]
    stats = ComplaintStatistics(
        start=start,
        end=end,
        complaints=total,
        shipments=denominators.total,
        rate=_rate(total, denominators.total),
    )
    stats.breaches = {
        "response": figures["response"],
        "resolution": figures["resolution"],
        "open": figures["open"],
        "response_rate": round(100 * figures["response"] / total, 1) if total else None,
        "resolution_rate": round(100 * figures["resolution"] / total, 1) if total else None,
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
    by_month = {month: figures[f"m{index}"] for index, month in enumerate(months) if figures[f"m{index}"]}
    stats.by_month = [
        {
            "month": month,
            "count": by_month.get(month, 0),
            "shipments": denominators.by_month.get(month, 0),
            "rate": _rate(by_month.get(month, 0), denominators.by_month.get(month, 0)),
        }
        for month in sorted(set(by_month) | set(denominators.by_month))
    ]
    stats.first_response = _percentiles(rows, "received_at", "acknowledged_at", figures["acknowledged"])
    stats.resolution = _percentiles(rows, "received_at", "resolved_at", figures["resolved"])
    return stats


def customer_complaints(user: Any, customer: Customer, limit: int = 5) -> dict[str, Any]:
    """The card's block: the newest `limit` complaints, and how many in all and open (one count query)."""
    rows = complaints_visible_to(user).filter(customer=customer)
    counts = rows.aggregate(total=Count("id"), open=Count("id", filter=Q(state__in=OPEN_STATES)))
    return {"complaints": list(rows[:limit]), "open": counts["open"], "total": counts["total"]}
