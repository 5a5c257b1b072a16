"""The monthly shipment figures (`CustomerShipmentMonth`, `RegionShipmentMonth`): derived data.

They answer the customer card, the API's transactions summary and `shipment_counts` (the
denominator of complaint rates) without reading millions of shipments. A customer's month is
recomputed from its shipments (an index range of a few dozen rows) whenever one of them is saved;
the province's month moves by the same change in count, so the two tables always agree with a
direct count. `rebuild_all` recomputes both set-wise (the command `rebuild_shipment_stats`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, F, Max, Min, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from freightcrm.core.dates import local_midnight
from freightcrm.customers.models import Customer
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import CustomerShipmentMonth, RegionShipmentMonth, Shipment

COUNTED = ~Q(status=ShipmentStatus.CANCELLED)
CNY = "CNY"


def month_of(instant: dt.datetime) -> dt.date:
    """The first day of the local month `instant` falls in (the months the figures are kept by)."""
    return timezone.localtime(instant).date().replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    start = local_midnight(month)
    end = local_midnight(following)
    return start, end


def _figures() -> dict[str, object]:
    return {
        "shipments": Count("id"),
        "delivered": Count("id", filter=Q(status=ShipmentStatus.DELIVERED)),
        "on_time": Count("id", filter=Q(status=ShipmentStatus.DELIVERED, on_time=True)),
        "amount_cny": Sum("amount", filter=Q(currency=CNY)),
        "weight": Sum("weight_kg"),
        "first": Min("booked_at"),
        "last": Max("booked_at"),
    }


def _money(value: object) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _month_values(found: dict[str, Any]) -> dict[str, Any]:
    """`CustomerShipmentMonth`'s figures from one group of `_figures()`."""
    return {
        "shipments": found["shipments"],
        "delivered": found["delivered"],
        "on_time": found["on_time"],
        "amount_cny": _money(found["amount_cny"]),
        "weight_kg": _money(found["weight"]),
        "first_booked_at": found["first"],
        "last_booked_at": found["last"],
    }


def _add_to_region(province: str, month: dt.date, change: int) -> None:
    if not change:
        return
    rows = RegionShipmentMonth.objects.filter(province=province, month=month)
    if rows.update(shipments=F("shipments") + change):
        return
    try:
        with transaction.atomic():
            RegionShipmentMonth.objects.create(province=province, month=month, shipments=change)
    except IntegrityError:  # someone created it meanwhile
        rows.update(shipments=F("shipments") + change)


def shipment_stats_refresh(*, customer_id: int, month: dt.date) -> None:
    """Recompute one customer's month from its shipments; move its province's month by the change.

    Runs in the caller's transaction (the service's, or the save's): either both tables change
    with the shipment or nothing does.
    """
    start, end = month_bounds(month)
    found = Shipment.objects.filter(
        COUNTED, customer_id=customer_id, booked_at__gte=start, booked_at__lt=end
    ).aggregate(**_figures())
    existing = CustomerShipmentMonth.objects.filter(customer_id=customer_id, month=month).first()
    before = existing.shipments if existing else 0
    if not found["shipments"]:
        if existing:
            existing.delete()
    else:
        row = existing or CustomerShipmentMonth(customer_id=customer_id, month=month)
        for name, value in _month_values(found).items():
            setattr(row, name, value)
        row.save()
    change = found["shipments"] - before
    if change:
        province = Customer.objects.filter(pk=customer_id).values_list("province", flat=True).first() or ""
        _add_to_region(province, month, change)


CHUNK = 5_000  # customers per set-wise step of the rebuild


def rebuild_customer_months(
    *, first_id: int, last_id: int, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute `CustomerShipmentMonth` for customers with ids in [first_id, last_id], CHUNK
    customers per statement. Returns the number of rows written."""
    written = 0
    for low in range(first_id, last_id + 1, CHUNK):
        high = min(low + CHUNK - 1, last_id)
        groups: Any = (
            Shipment.objects.filter(COUNTED, customer_id__gte=low, customer_id__lte=high)
            .annotate(month=TruncMonth("booked_at", output_field=DateField()))
            .values("customer_id", "month")
            .annotate(**_figures())
            .order_by()
        )
        rows = [
            CustomerShipmentMonth(
                customer_id=group["customer_id"], month=group["month"], **_month_values(group)
            )
            for group in groups
        ]
        with transaction.atomic():
            CustomerShipmentMonth.objects.filter(customer_id__gte=low, customer_id__lte=high).delete()
            CustomerShipmentMonth.objects.bulk_create(rows, batch_size=2_000)
        written += len(rows)
        if progress:
            progress(high - low + 1)
    return written


def rebuild_region_months() -> int:
    """Recompute `RegionShipmentMonth` from the customers' months (one grouped statement)."""
    groups = (
        CustomerShipmentMonth.objects.values("customer__province", "month")
        .annotate(count=Sum("shipments"))
        .order_by()
    )
    rows = [
        RegionShipmentMonth(
            province=group["customer__province"] or "", month=group["month"], shipments=group["count"]
        )
        for group in groups
    ]
    with transaction.atomic():
        RegionShipmentMonth.objects.all().delete()
        RegionShipmentMonth.objects.bulk_create(rows, batch_size=2_000)
    return len(rows)


def customer_id_range() -> tuple[int, int]:
    bounds = Customer.objects.aggregate(low=Min("id"), high=Max("id"))
    return bounds["low"] or 0, bounds["high"] or -1


def _on_shipment_saved(
    sender: type[Shipment], instance: Shipment, raw: bool = False, **kwargs: object
) -> None:
    """Keep the figures current in the saving transaction (services, admin, fixtures' ORM saves)."""
    if raw or instance.booked_at is None:
        return
    shipment_stats_refresh(customer_id=instance.customer_id, month=month_of(instance.booked_at))


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    post_save.connect(_on_shipment_saved, sender=Shipment, dispatch_uid="shipment_stats_saved")
    post_delete.connect(_on_shipment_saved, sender=Shipment, dispatch_uid="shipment_stats_deleted")
