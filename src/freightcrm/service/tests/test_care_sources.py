"""The care area's own due sources, with frozen dates: lunar holidays, anniversaries, birthdays, reviews."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from freightcrm.customers.models import Tag
from freightcrm.service.care import sources
from freightcrm.service.tests.care_helpers import aware, contact, set_updated_at, shipment


def test_lunar_holidays_fall_on_their_gregorian_dates() -> None:
    assert sources.holiday_date("spring_festival", 2026) == dt.date(2026, 2, 17)
    assert sources.holiday_date("spring_festival", 2027) == dt.date(2027, 2, 6)
    assert sources.holiday_date("mid_autumn", 2026) == dt.date(2026, 9, 25)
    assert sources.holiday_date("mid_autumn", 2027) == dt.date(2027, 9, 15)
    assert sources.holiday_date("new_year", 2027) == dt.date(2027, 1, 1)


def test_upcoming_holidays_look_two_weeks_ahead_and_cross_the_year() -> None:
    assert sources.upcoming_holidays(dt.date(2027, 1, 23)) == [("spring_festival", dt.date(2027, 2, 6))]
    assert sources.upcoming_holidays(dt.date(2027, 1, 22)) == []  # 15 days before
    assert sources.upcoming_holidays(dt.date(2026, 12, 20)) == [("new_year", dt.date(2027, 1, 1))]
    assert sources.upcoming_holidays(dt.date(2027, 2, 7)) == []  # the day after


@pytest.fixture
def manager_of(role_user):  # type: ignore[no-untyped-def]
    return role_user("account_manager", "am_care")


def test_holiday_care_lists_important_active_customers_for_their_owner(make_customer, manager_of) -> None:  # type: ignore[no-untyped-def]
    # given
    important, _ = Tag.objects.get_or_create(name="重点客户")
    tagged = make_customer(owner=manager_of, tags=[important])
    big = make_customer(owner=manager_of, annual_logistics_spend=Decimal("80"))
    make_customer(owner=manager_of, annual_logistics_spend=Decimal("5"))  # small, untagged
    make_customer(owner=manager_of, tags=[important], status="prospect", uscc="")  # not active
    make_customer(owner=None, tags=[important])  # nobody to remind
    # when
    found = list(sources.holiday_candidates(dt.date(2027, 1, 25)))
    # then
    assert {c.customer_id for c in found} == {tagged.pk, big.pk}
    assert {c.assignee_id for c in found} == {manager_of.pk}
    assert {c.due_on for c in found} == {dt.date(2027, 2, 3)}  # three days before 2027-02-06
    assert all(c.kind == "holiday_care" and c.key.startswith("spring_festival:2027:") for c in found)
    assert "春节" in found[0].title


def test_anniversaries_a_week_ahead_with_the_number_of_years(make_customer, manager_of) -> None:  # type: ignore[no-untyped-def]
    due = make_customer(owner=manager_of, cooperation_since=dt.date(2019, 3, 10))
    make_customer(owner=manager_of, cooperation_since=dt.date(2019, 3, 20))  # too far ahead
    make_customer(owner=manager_of, cooperation_since=dt.date(2026, 3, 5))  # not a year yet
    leap = make_customer(owner=manager_of, cooperation_since=dt.date(2020, 2, 29))

    found = {c.customer_id: c for c in sources.anniversary_candidates(dt.date(2026, 3, 4))}
    assert set(found) == {due.pk}
    assert found[due.pk].due_on == dt.date(2026, 3, 10)
    assert "7" in found[due.pk].title

    on_leap_day = {c.customer_id: c for c in sources.anniversary_candidates(dt.date(2026, 2, 25))}
    assert on_leap_day[leap.pk].due_on == dt.date(2026, 2, 28)  # 29 February in a common year


def test_contact_birthdays_a_week_ahead_only_for_active_customers(make_customer, manager_of) -> None:  # type: ignore[no-untyped-def]
    active = make_customer(owner=manager_of)
    lost = make_customer(owner=manager_of, status="lost")
    soon = contact(active, "王芳", dt.date(1985, 1, 3))
    contact(active, "李雷", dt.date(1985, 1, 9))  # eight days ahead
    contact(lost, "韩梅梅", dt.date(1990, 1, 2))

    found = list(sources.birthday_candidates(dt.date(2026, 12, 30)))
    assert [(c.key, c.due_on, c.assignee_id) for c in found] == [
        (f"{soon.pk}:2027", dt.date(2027, 1, 3), manager_of.pk)
    ]
    assert "王芳" in found[0].title


def test_yearly_review_when_the_archive_was_not_updated_for_twelve_months(make_customer, manager_of) -> None:  # type: ignore[no-untyped-def]
    today = dt.date(2027, 6, 1)
    stale = make_customer(owner=manager_of)
    fresh = make_customer(owner=manager_of)
    set_updated_at(stale, aware(dt.date(2026, 6, 3)))  # due 2027-06-03: within the week ahead
    set_updated_at(fresh, aware(dt.date(2026, 6, 20)))

    found = list(sources.archive_review_candidates(today))
    assert [(c.customer_id, c.due_on) for c in found] == [(stale.pk, dt.date(2027, 6, 3))]


def test_quarterly_check_in_counts_shipments_as_contact(make_customer, manager_of) -> None:  # type: ignore[no-untyped-def]
    today = dt.date(2027, 6, 1)
    quiet = make_customer(owner=manager_of)
    shipping = make_customer(owner=manager_of)
    old_shipper = make_customer(owner=manager_of)
    for customer in (quiet, shipping, old_shipper):
        set_updated_at(customer, aware(dt.date(2026, 12, 1)))
    shipment(shipping, 1, aware(dt.date(2027, 5, 20)))
    shipment(old_shipper, 2, aware(dt.date(2027, 2, 1)))

    found = {c.customer_id: c for c in sources.checkin_candidates(today)}
    assert set(found) == {quiet.pk, old_shipper.pk}
    assert found[old_shipper.pk].due_on == dt.date(2027, 2, 1) + dt.timedelta(days=sources.CHECKIN_AFTER_DAYS)
