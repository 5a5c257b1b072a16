from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from freightcrm.shipments.choices import ShipmentStatus as S
from freightcrm.shipments.models import CustomerShipmentMonth, RegionShipmentMonth, Shipment
from freightcrm.shipments.selectors import shipment_counts
from freightcrm.shipments.services import shipment_record_event
from freightcrm.shipments.stats import month_of


def _direct() -> tuple[dict, dict]:
    customers: dict = {}
    regions: dict = {}
    for shipment in Shipment.objects.exclude(status=S.CANCELLED).select_related("customer"):
        key = (shipment.customer_id, month_of(shipment.booked_at))
        row = customers.setdefault(key, [0, 0, 0, Decimal(0), Decimal(0)])
        row[0] += 1
        row[1] += shipment.status == S.DELIVERED
        row[2] += shipment.status == S.DELIVERED and shipment.on_time is True
        row[3] += shipment.amount if shipment.currency == "CNY" else 0
        row[4] += shipment.weight_kg
        region = (shipment.customer.province, key[1])
        regions[region] = regions.get(region, 0) + 1
    return customers, regions


def _kept() -> tuple[dict, dict]:
    customers = {
        (row.customer_id, row.month): [
            row.shipments,
            row.delivered,
            row.on_time,
            row.amount_cny,
            row.weight_kg,
        ]
        for row in CustomerShipmentMonth.objects.all()
    }
    regions = {
        (row.province, row.month): row.shipments
        for row in RegionShipmentMonth.objects.filter(shipments__gt=0)
    }
    return customers, regions


def test_figures_equal_a_direct_count_after_creates_events_and_cancellations(admin_user, book, make_customer):
    # given shipments of two customers in two provinces, over two months, in every fate
    shanghai = make_customer()
    beijing = make_customer(address="北京市朝阳区建国路88号")
    shipments = [book(shanghai, days_ago=d) for d in (2, 3, 40)] + [
        book(beijing, days_ago=d, currency="USD") for d in (1, 35)
    ]
    first = shipments[0]
    at = first.booked_at
    for status in (S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED):
        at += dt.timedelta(hours=2)
        shipment_record_event(actor=admin_user, shipment=first, status=status, at=at)
    shipment_record_event(
        actor=admin_user,
        shipment=shipments[1],
        status=S.CANCELLED,
        at=shipments[1].booked_at + dt.timedelta(hours=1),
    )
    late = shipments[3]
    shipment_record_event(
        actor=admin_user, shipment=late, status=S.PICKED_UP, at=late.booked_at + dt.timedelta(hours=1)
    )
    shipment_record_event(
        actor=admin_user,
        shipment=late,
        status=S.EXCEPTION,
        at=late.booked_at + dt.timedelta(hours=2),
        reason="customs",
    )
    # then the kept figures are a direct count
    assert _kept() == _direct()
    assert CustomerShipmentMonth.objects.filter(customer=shanghai).aggregate(n=Sum("shipments"))["n"] == 2
    # and a rebuild from scratch gives the same
    CustomerShipmentMonth.objects.all().delete()
    RegionShipmentMonth.objects.all().delete()
    call_command("rebuild_shipment_stats", "--no-progress")
    assert _kept() == _direct()


def test_shipment_counts_by_month_province_and_total(book, make_customer):
    shanghai = make_customer()
    beijing = make_customer(address="北京市朝阳区建国路88号")
    made = [book(shanghai, days_ago=1), book(shanghai, days_ago=2), book(beijing, days_ago=3)]
    today = timezone.localdate()
    counts = shipment_counts(start=today - dt.timedelta(days=62), end=today)
    assert counts["total"] == 3
    assert counts["by_province"] == {"上海市": 2, "北京市": 1}
    assert sum(counts["by_month"].values()) == 3
    assert set(counts["by_month"]) == {month_of(s.booked_at) for s in made}
    assert sum(counts["by_month_province"].values()) == 3
    assert shipment_counts(start=dt.date(2000, 1, 1), end=dt.date(2000, 12, 31))["total"] == 0


def test_direct_orm_saves_keep_the_figures_too(make_customer):
    # given a shipment written without the service (as other apps' fixtures do)
    from django.utils import timezone

    customer = make_customer()
    shipment = Shipment.objects.create(
        customer=customer,
        waybill_no="WB1",
        origin_city="上海市",
        destination_city="成都市",
        mode="road",
        weight_kg=Decimal(10),
        amount=Decimal(100),
        booked_at=timezone.now(),
    )
    assert CustomerShipmentMonth.objects.get(customer=customer).shipments == 1
    shipment.delete()
    assert not CustomerShipmentMonth.objects.filter(customer=customer).exists()
    assert RegionShipmentMonth.objects.aggregate(n=Sum("shipments"))["n"] == 0
    assert Shipment.objects.aggregate(n=Count("id", filter=Q(customer=customer)))["n"] == 0
