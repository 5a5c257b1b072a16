"""Demo complaints: believable rate, peak season, deterministic per seed, valid rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from freightcrm.core.models import CodeSequence
from freightcrm.customers import demo
from freightcrm.service.complaints.demo import plant_complaints
from freightcrm.service.complaints.models import Complaint, ComplaintEvent
from freightcrm.shipments.models import Shipment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def archive():
    demo.generate(customers=1500, seed=7, today=TODAY)
    return Shipment.objects.count()


def snapshot():
    return list(
        Complaint.objects.order_by("number").values_list(
            "number", "shipment_id", "category_id", "state", "received_at", "resolved_at"
        )
    )


def test_rate_consistency_and_determinism(archive):
    # given the demo archive (about 13,000 shipments over two years)
    assert archive > 8000
    # when complaints are planted
    written = plant_complaints(seed=7, today=TODAY)
    # then about 1-3 per 1,000 shipments
    assert written == Complaint.objects.count()
    assert 1.0 <= written * 1000 / archive <= 3.0
    complaints = list(Complaint.objects.select_related("shipment"))
    # every complaint is consistent: its shipment is the customer's, events are logged, most met the target
    assert all(c.shipment.customer_id == c.customer_id for c in complaints)
    assert ComplaintEvent.objects.filter(action="file").count() == written
    resolved = [c for c in complaints if c.resolved_at]
    in_time = [c for c in resolved if c.resolved_at <= c.resolution_due_at]
    assert len(in_time) > 0.7 * len(resolved) and len(in_time) < len(resolved)
    # and the same seed gives the same complaints
    first = snapshot()
    Complaint.objects.all().delete()
    CodeSequence.objects.filter(prefix__startswith="TS").delete()
    plant_complaints(seed=7, today=TODAY)
    assert snapshot() == first


def test_peak_season_doubles_the_rate(archive):
    # given complaints planted at a high rate, so that chance does not hide the seasonal factor
    plant_complaints(seed=7, today=TODAY, per_mille=40.0)
    # when rates per shipment are compared between peak months (Nov-Jan, local time) and the rest
    peak_months = {11, 12, 1}
    shipments_by_peak = {True: 0, False: 0}
    for booked in Shipment.objects.values_list("booked_at", flat=True).iterator():
        shipments_by_peak[timezone.localtime(booked).month in peak_months] += 1
    complaints_by_peak = {True: 0, False: 0}
    for booked in Complaint.objects.values_list("shipment__booked_at", flat=True):
        complaints_by_peak[timezone.localtime(booked).month in peak_months] += 1
    # then peak season has about twice the rate (the demo's factor is 2)
    assert min(complaints_by_peak.values()) > 100
    peak_rate = complaints_by_peak[True] / shipments_by_peak[True]
    off_rate = complaints_by_peak[False] / shipments_by_peak[False]
    assert 1.5 * off_rate < peak_rate < 2.6 * off_rate


def test_top_up_adds_other_shipments_up_to_a_limit(archive):
    plant_complaints(seed=7, today=TODAY)
    before = Complaint.objects.count()
    added = plant_complaints(seed=7, today=TODAY, per_mille=3.0, salt=1, limit=10)
    assert added == 10 and Complaint.objects.count() == before + 10
    assert Complaint.objects.values("shipment").distinct().count() == before + 10


def test_filing_after_the_demo_continues_the_days_numbering(archive, role_user):
    from freightcrm.service.tests.complaints_support import file

    plant_complaints(seed=7, today=TODAY)
    busiest = Complaint.objects.order_by("-number").first()
    later = file(
        role_user("operations"), busiest.customer, received_at=busiest.received_at, now=busiest.received_at
    )
    assert later.number[:10] == busiest.number[:10] and later.number > busiest.number
