"""The demo seed's shipments: trails the state machine allows, figures equal to direct counts."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Q

from freightcrm.customers import demo
from freightcrm.shipments.choices import ShipmentStatus as S
from freightcrm.shipments.models import CustomerShipmentMonth, RegionShipmentMonth, Shipment, ShipmentEvent
from freightcrm.shipments.services import NEXT_STATUSES
from freightcrm.shipments.tests.test_stats import _direct, _kept

TODAY = dt.date(2026, 11, 23)


def _trails() -> list[tuple[str, tuple[tuple[str, str, str], ...]]]:
    trails: dict[int, list[tuple[str, str, str]]] = {}
    for event in ShipmentEvent.objects.order_by("shipment_id", "at", "id"):
        trails.setdefault(event.shipment_id, []).append((event.status, event.at.isoformat(), event.reason))
    waybills = dict(Shipment.objects.values_list("pk", "waybill_no"))
    return sorted((waybills[pk], tuple(trail)) for pk, trail in trails.items())


def test_demo_shipments_trails_and_figures(db):
    # given a demo archive
    with transaction.atomic():
        demo.generate(customers=150, seed=5, today=TODAY)
        first_trails = _trails()
        transaction.set_rollback(True)
    counts = demo.generate(customers=150, seed=5, today=TODAY)
    # then it is deterministic, events included
    assert _trails() == first_trails and first_trails
    assert counts.extra["shipment_events"] == ShipmentEvent.objects.count()
    # and the monthly figures are a direct count
    assert _kept() == _direct()
    assert CustomerShipmentMonth.objects.count() == counts.extra["shipment_months"]
    assert RegionShipmentMonth.objects.exists()
    shipments = {s.pk: s for s in Shipment.objects.all()}
    events_from = TODAY - dt.timedelta(days=demo.EVENT_DAYS)
    for shipment_id, trail in _events_by_shipment().items():
        shipment = shipments[shipment_id]
        # every trail starts with the booking and moves only as the state machine allows
        assert trail[0].status == S.BOOKED and trail[0].at == shipment.booked_at
        for before, after in zip(trail, trail[1:], strict=False):
            assert after.status in NEXT_STATUSES[before.status] and after.at >= before.at
            assert (after.status == S.EXCEPTION) == bool(after.reason)
        assert trail[-1].status == shipment.status
        if shipment.status == S.DELIVERED:
            assert trail[-1].at == shipment.delivered_at
    with_trail = set(_events_by_shipment())
    for shipment in shipments.values():
        recent = shipment.booked_at.date() >= events_from
        undelivered = shipment.status not in (S.DELIVERED, S.CANCELLED)
        if recent or undelivered:
            assert shipment.pk in with_trail
        assert shipment.pieces >= 1 and shipment.cargo_type in {
            "general",
            "cold_chain",
            "hazardous",
            "fragile",
            "oversized",
        }
        assert shipment.on_time == (
            None if shipment.delivered_at is None else shipment.delivered_at <= shipment.promised_at
        )
        shipment.full_clean()
    # on time about 90–95% of deliveries
    delivered = Shipment.objects.aggregate(
        n=Count("id", filter=Q(status=S.DELIVERED)), ok=Count("id", filter=Q(on_time=True))
    )
    assert 0.86 <= delivered["ok"] / delivered["n"] <= 0.97


def _events_by_shipment() -> dict[int, list[ShipmentEvent]]:
    trails: dict[int, list[ShipmentEvent]] = {}
    for event in ShipmentEvent.objects.order_by("shipment_id", "at", "id"):
        trails.setdefault(event.shipment_id, []).append(event)
    return trails
