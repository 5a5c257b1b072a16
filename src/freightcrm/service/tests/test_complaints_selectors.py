"""Complaint statistics against a hand-counted fixture, and who may see them."""

from __future__ import annotations

import datetime as dt

import pytest

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.service.complaints.selectors import complaint_statistics, complaints_visible_to
from freightcrm.service.complaints.services import (
    complaint_acknowledge,
    complaint_investigate,
    complaint_resolve,
)
from freightcrm.service.tests.complaints_support import at, file, shipment

pytestmark = pytest.mark.django_db
START, END = dt.date(2026, 2, 1), dt.date(2026, 4, 1)


@pytest.fixture
def world(role_user, make_customer):
    """Two provinces, two months, six complaints whose figures are counted by hand below.

    Shipments booked in the period (small, so every figure is checkable): Shanghai 3 in February and
    5 in March, Sichuan 2 in March (10 in all); one more in January lies outside the period.
    """
    ops = role_user("operations")
    shanghai = make_customer(address="上海市浦东新区张江路88号")
    sichuan = make_customer(address="四川省成都市武侯区天府大道100号")
    feb = at(days=-20)  # 2026-02-10
    for _ in range(3):
        shipment(shanghai, booked_at=feb)
    for _ in range(5):
        shipment(shanghai, booked_at=at(days=1))
    for _ in range(2):
        shipment(sichuan, booked_at=at(days=2))
    shipment(shanghai, booked_at=at(days=-60))  # January: outside
    # Complaints (received, severity normal: 4 h / 72 h unless said):
    # 1 Shanghai, Feb, delay: acknowledged after 1 h, resolved after 10 h          (in time)
    c1 = file(ops, shanghai, received_at=feb, code="delay-pickup")
    complaint_acknowledge(actor=ops, complaint=c1, now=feb + dt.timedelta(hours=1))
    complaint_investigate(actor=ops, complaint=c1, now=feb + dt.timedelta(hours=2))
    complaint_resolve(actor=ops, complaint=c1, resolution="已改派", now=feb + dt.timedelta(hours=10))
    # 2 Shanghai, Mar, damage: acknowledged after 5 h (late), resolved after 80 h (late)
    c2 = file(ops, shanghai, code="damage-goods")
    complaint_acknowledge(actor=ops, complaint=c2, now=at(5))
    complaint_investigate(actor=ops, complaint=c2, now=at(6))
    complaint_resolve(actor=ops, complaint=c2, resolution="赔付", now=at(80))
    # 3 Shanghai, Mar, delay (root itself): acknowledged after 3 h, still open
    c3 = file(ops, shanghai, code="delay", received_at=at(days=1))
    complaint_acknowledge(actor=ops, complaint=c3, now=at(days=1, hours=3))
    # 4 Sichuan, Mar, billing: never acknowledged, received 20 days before `now`  (both late)
    file(ops, sichuan, code="billing-overcharge", received_at=at(days=2))
    # 5 Sichuan, Mar, billing, critical: acknowledged after 0.5 h, resolved after 20 h (in time)
    c5 = file(ops, sichuan, code="billing-weight", severity="critical", received_at=at(days=3))
    complaint_acknowledge(actor=ops, complaint=c5, now=at(days=3, hours=0.5))
    complaint_investigate(actor=ops, complaint=c5, now=at(days=3, hours=1))
    complaint_resolve(actor=ops, complaint=c5, resolution="退差额", now=at(days=3, hours=20))
    # 6 Shanghai, January: outside the period
    file(ops, shanghai, received_at=at(days=-40))
    return {"ops": ops}


def test_statistics_match_the_hand_count(world, role_user, django_assert_max_num_queries):
    manager = role_user("manager")
    now = at(days=22)
    with django_assert_max_num_queries(16):
        stats = complaint_statistics(manager, start=START, end=END, now=now)
    # 5 complaints over 10 shipments
    assert (stats.complaints, stats.shipments, stats.rate) == (5, 10, 500.0)
    assert {row["category"]: row["count"] for row in stats.by_category} == {"延误": 2, "破损": 1, "计费": 2}
    assert {row["category"]: row["rate"] for row in stats.by_category}["延误"] == 200.0
    regions = {row["province"]: (row["count"], row["shipments"], row["rate"]) for row in stats.by_region}
    assert regions == {"上海市": (3, 8, 375.0), "四川省": (2, 2, 1000.0)}
    months = {row["month"]: (row["count"], row["shipments"], row["rate"]) for row in stats.by_month}
    assert months == {dt.date(2026, 2, 1): (1, 3, 333.333), dt.date(2026, 3, 1): (4, 7, 571.429)}
    # first response over the 4 acknowledged: 0.5, 1, 3, 5 h -> median (rank 2) 1 h, p90 (rank 4) 5 h
    assert stats.first_response == {"count": 4, "median_hours": 1.0, "p90_hours": 5.0}
    # resolution over the 3 resolved: 10, 20, 80 h -> median (rank 2) 20 h, p90 (rank 3) 80 h
    assert stats.resolution == {"count": 3, "median_hours": 20.0, "p90_hours": 80.0}
    # response late: #2 (acknowledged late) and #4 (never, past due) = 2 of 5;
    # resolution late: #2 (resolved late), #3 and #4 (open past 72 h) = 3 of 5
    assert stats.breaches["response"] == 2 and stats.breaches["response_rate"] == 40.0
    assert stats.breaches["resolution"] == 3 and stats.breaches["resolution_rate"] == 60.0
    assert stats.breaches["open"] == 2


def test_empty_period_gives_no_rates(world, role_user):
    stats = complaint_statistics(role_user("auditor"), start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 1))
    assert stats.complaints == 0 and stats.rate is None
    assert stats.first_response["median_hours"] is None


@pytest.mark.parametrize("role", ["front_desk", "account_manager", "records_clerk", "credit_analyst"])
def test_statistics_are_for_managers_auditors_and_operations_only(world, role_user, role):
    with pytest.raises(PermissionDeniedError):
        complaint_statistics(role_user(role), start=START, end=END)


def test_account_manager_sees_only_own_customers_complaints(role_user, make_customer):
    am1, am2 = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    mine, theirs = make_customer(actor=am1), make_customer(actor=am2)
    file(am1, mine)
    file(am2, theirs)
    assert [c.customer for c in complaints_visible_to(am1)] == [mine]
    assert complaints_visible_to(role_user("manager")).count() == 2
