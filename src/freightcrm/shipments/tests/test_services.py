from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.shipments.choices import ShipmentStatus as S
from freightcrm.shipments.models import Shipment, ShipmentEvent
from freightcrm.shipments.services import (
    NEXT_STATUSES,
    derive_on_time,
    normalise_waybill,
    shipment_create,
    shipment_record_event,
)

# A path from booking to each status, through allowed moves only.
PATH_TO = {
    S.BOOKED: [],
    S.PICKED_UP: [S.PICKED_UP],
    S.IN_TRANSIT: [S.PICKED_UP, S.IN_TRANSIT],
    S.AT_HUB: [S.PICKED_UP, S.IN_TRANSIT, S.AT_HUB],
    S.OUT_FOR_DELIVERY: [S.PICKED_UP, S.IN_TRANSIT, S.AT_HUB, S.OUT_FOR_DELIVERY],
    S.DELIVERED: [S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED],
    S.EXCEPTION: [S.PICKED_UP, S.EXCEPTION],
    S.CANCELLED: [S.CANCELLED],
}


def _walk(admin_user, shipment, statuses, start):
    at = start
    for status in statuses:
        at += dt.timedelta(hours=1)
        shipment_record_event(
            actor=admin_user,
            shipment=shipment,
            status=status,
            at=at,
            reason="weather" if status == S.EXCEPTION else "",
        )
    return at


ALL_PAIRS = [(current, new) for current in S.values for new in S.values]


@pytest.mark.parametrize(("current", "new"), ALL_PAIRS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(admin_user, book, current, new):
    # given a shipment in status `current`
    shipment = book(days_ago=5)
    at = _walk(admin_user, shipment, PATH_TO[S(current)], shipment.booked_at)
    assert shipment.status == current
    events_before = shipment.events.count()
    reason = "address" if new == S.EXCEPTION else ""
    # when the next event asks for `new`
    if new in NEXT_STATUSES[current]:
        shipment_record_event(
            actor=admin_user, shipment=shipment, status=new, at=at + dt.timedelta(hours=1), reason=reason
        )
        # then it moved
        shipment.refresh_from_db()
        assert shipment.status == new and shipment.events.count() == events_before + 1
    else:
        with pytest.raises(ValidationError) as refused:
            shipment_record_event(
                actor=admin_user, shipment=shipment, status=new, at=at + dt.timedelta(hours=1), reason=reason
            )
        # then nothing changed, and the message says what is possible
        assert "status" in refused.value.message_dict
        shipment.refresh_from_db()
        assert shipment.status == current and shipment.events.count() == events_before


def test_delivered_cannot_go_back_in_transit(admin_user, book):
    shipment = book(days_ago=5)
    at = _walk(admin_user, shipment, PATH_TO[S.DELIVERED], shipment.booked_at)
    with pytest.raises(ValidationError, match="不能变为"):
        shipment_record_event(
            actor=admin_user, shipment=shipment, status=S.IN_TRANSIT, at=at + dt.timedelta(hours=1)
        )


@pytest.mark.parametrize(
    ("offset", "field"),
    [(dt.timedelta(hours=2), "at"), (-dt.timedelta(days=10), "at")],
    ids=["future", "before-booking"],
)
def test_event_times_in_the_future_or_before_booking_are_refused(admin_user, book, offset, field):
    shipment = book(days_ago=1)
    at = (timezone.now() + offset) if offset > dt.timedelta(0) else shipment.booked_at + offset
    with pytest.raises(ValidationError) as refused:
        shipment_record_event(actor=admin_user, shipment=shipment, status=S.PICKED_UP, at=at)
    assert field in refused.value.message_dict
    shipment.refresh_from_db()
    assert shipment.status == S.BOOKED and shipment.picked_up_at is None


def test_event_before_the_last_event_is_refused(admin_user, book):
    shipment = book(days_ago=3)
    at = _walk(admin_user, shipment, [S.PICKED_UP, S.IN_TRANSIT], shipment.booked_at)
    with pytest.raises(ValidationError, match="上一条记录的事件"):
        shipment_record_event(
            actor=admin_user, shipment=shipment, status=S.AT_HUB, at=at - dt.timedelta(minutes=30)
        )


def test_exception_needs_a_reason_and_a_reason_needs_an_exception(admin_user, book):
    shipment = book(days_ago=3)
    at = shipment.booked_at + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        shipment_record_event(actor=admin_user, shipment=shipment, status=S.EXCEPTION, at=at)
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        shipment_record_event(
            actor=admin_user, shipment=shipment, status=S.PICKED_UP, at=at, reason="weather"
        )
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError):
        shipment_record_event(actor=admin_user, shipment=shipment, status=S.EXCEPTION, at=at, reason="aliens")
    assert ShipmentEvent.objects.filter(shipment=shipment).count() == 1


def test_exception_then_resume_then_delivery(admin_user, book):
    # given an exception on the way
    shipment = book(days_ago=3, promised_days=1)
    at = _walk(admin_user, shipment, [S.PICKED_UP, S.IN_TRANSIT], shipment.booked_at)
    shipment_record_event(
        actor=admin_user,
        shipment=shipment,
        status=S.EXCEPTION,
        at=at + dt.timedelta(hours=1),
        reason="weather",
        location="郑州市",
        note="暴雨封路",
    )
    assert shipment.status == S.EXCEPTION and shipment.exception_reason == "weather"
    # when it resumes and is delivered after the promise
    shipment_record_event(
        actor=admin_user, shipment=shipment, status=S.IN_TRANSIT, at=at + dt.timedelta(hours=20)
    )
    assert shipment.exception_reason == ""
    delivered = shipment.promised_at + dt.timedelta(hours=3)
    shipment_record_event(actor=admin_user, shipment=shipment, status=S.DELIVERED, at=delivered)
    # then it is delivered, late, and the trail keeps the exception
    shipment.refresh_from_db()
    assert shipment.status == S.DELIVERED and shipment.delivered_at == delivered and shipment.on_time is False
    assert list(shipment.events.values_list("status", flat=True)) == [
        S.BOOKED,
        S.PICKED_UP,
        S.IN_TRANSIT,
        S.EXCEPTION,
        S.IN_TRANSIT,
        S.DELIVERED,
    ]
    assert shipment.events.get(status=S.EXCEPTION).reason == "weather"


def test_on_time_is_derived_from_promise_and_delivery(admin_user, book):
    shipment = book(days_ago=3, promised_days=2)
    _walk(admin_user, shipment, [S.PICKED_UP, S.IN_TRANSIT], shipment.booked_at)
    shipment_record_event(actor=admin_user, shipment=shipment, status=S.DELIVERED, at=shipment.promised_at)
    assert Shipment.objects.get(pk=shipment.pk).on_time is True
    promised = timezone.now()
    assert derive_on_time(delivered_at=promised, promised_at=promised) is True
    assert derive_on_time(delivered_at=promised + dt.timedelta(seconds=1), promised_at=promised) is False
    assert derive_on_time(delivered_at=None, promised_at=promised) is None
    assert derive_on_time(delivered_at=promised, promised_at=None) is None


def test_create_books_with_a_waybill_and_a_first_event(admin_user, make_customer):
    customer = make_customer()
    now = timezone.now()
    shipment = shipment_create(
        actor=admin_user,
        customer=customer,
        origin_city="上海市",
        destination_city="北京市",
        mode="express",
        weight_kg=Decimal("2.5"),
        amount=Decimal("18"),
        promised_at=now + dt.timedelta(days=2),
        cargo_class="fragile",
    )
    assert shipment.waybill_no.startswith("FC") and len(shipment.waybill_no) == 20
    assert shipment.status == S.BOOKED and shipment.on_time is None
    assert list(shipment.events.values_list("status", "city")) == [(S.BOOKED, "上海市")]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"booked_at": "future"}, "booked_at"),
        ({"promised_at": "before"}, "promised_at"),
        ({"cargo_class": "bulk"}, "cargo_type"),
        ({"pieces": 0}, "pieces"),
        ({"weight_kg": Decimal("-1")}, "weight_kg"),
        ({"mode": "teleport"}, "mode"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(admin_user, make_customer, changes, field):
    customer = make_customer()
    now = timezone.now()
    values = {
        "origin_city": "上海市",
        "destination_city": "北京市",
        "mode": "road",
        "weight_kg": Decimal(100),
        "amount": Decimal(500),
        "promised_at": now + dt.timedelta(days=2),
        "booked_at": now - dt.timedelta(hours=1),
    }
    for name, value in changes.items():
        if value == "future":
            value = now + dt.timedelta(days=1)
        elif value == "before":
            value = now - dt.timedelta(days=3)
        values[name] = value
    with pytest.raises(ValidationError) as refused:
        shipment_create(actor=admin_user, customer=customer, **values)
    assert field in refused.value.message_dict
    assert not Shipment.objects.exists() and not ShipmentEvent.objects.exists()


def test_front_desk_and_other_account_managers_may_not_record(role_user, book, make_customer):
    shipment = book(days_ago=2)
    for role in ("front_desk", "account_manager", "auditor"):
        with pytest.raises(PermissionDeniedError):
            shipment_record_event(
                actor=role_user(role),
                shipment=shipment,
                status=S.PICKED_UP,
                at=shipment.booked_at + dt.timedelta(hours=1),
            )
    shipment_record_event(
        actor=role_user("operations"),
        shipment=shipment,
        status=S.PICKED_UP,
        at=shipment.booked_at + dt.timedelta(hours=1),
    )
    assert Shipment.objects.get(pk=shipment.pk).status == S.PICKED_UP


def test_waybill_numbers_are_normalised():
    assert normalise_waybill(" fc2026-1123 0000 000001 ") == "FC20261123" + "0000000001"
