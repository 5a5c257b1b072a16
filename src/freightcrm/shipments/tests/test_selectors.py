from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from freightcrm.shipments.selectors import shipment_by_waybill, shipments_of_customer, transactions_summary


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("front_desk", True),
        ("records_clerk", True),
        ("credit_analyst", True),
        ("operations", True),
        ("manager", True),
        ("auditor", True),
        ("admin", True),
    ],
)
def test_roles_that_see_all_customers_find_any_shipment(role_user, book, role, sees):
    shipment = book()
    found = shipment_by_waybill(role_user(role), shipment.waybill_no.lower())
    assert (found is not None) is sees


def test_account_manager_gets_nothing_of_another_managers_customer(role_user, book, make_customer):
    mine, theirs = role_user("account_manager"), role_user("account_manager", "account_manager2")
    own = make_customer(actor=mine)
    other = make_customer(actor=theirs)
    own_shipment, other_shipment = book(own), book(other)
    assert shipment_by_waybill(mine, own_shipment.waybill_no) is not None
    assert shipment_by_waybill(mine, other_shipment.waybill_no) is None
    assert shipments_of_customer(mine, other).total == 0
    assert transactions_summary(mine, other)["count"] == 0
    assert transactions_summary(mine, own)["count"] == 1


def test_waybill_lookup_tolerates_spaces_and_case_and_brings_the_trail(
    admin_user, book, django_assert_max_num_queries
):
    shipment = book()
    typed = " " + " ".join(shipment.waybill_no.lower()[i : i + 4] for i in range(0, 20, 4)) + " "
    with django_assert_max_num_queries(3):
        found = shipment_by_waybill(admin_user, typed)
        assert found is not None and [e.status for e in found.events.all()] == ["booked"]
    assert shipment_by_waybill(admin_user, "FC" + "9" * 30) is None
    assert shipment_by_waybill(admin_user, "") is None


def test_customer_shipments_newest_first_paged_and_filtered(
    admin_user, book, make_customer, django_assert_max_num_queries
):
    customer = make_customer()
    made = [book(customer, days_ago=d) for d in (1, 5, 9, 13)]
    with django_assert_max_num_queries(4):
        page = shipments_of_customer(admin_user, customer, page=1, page_size=3)
        assert [s.pk for s in page.shipments] == [made[0].pk, made[1].pk, made[2].pk]
        assert all(list(s.events.all()) for s in page.shipments)
    assert page.total == 4
    assert [s.pk for s in shipments_of_customer(admin_user, customer, page=2, page_size=3).shipments] == [
        made[3].pk
    ]
    recent = shipments_of_customer(
        admin_user, customer, booked_from=timezone.localdate() - dt.timedelta(days=6)
    )
    assert recent.total == 2
    assert shipments_of_customer(admin_user, customer, status="delivered").total == 0
    with pytest.raises(ValidationError):
        shipments_of_customer(admin_user, customer, page_size=101)
    with pytest.raises(ValidationError):
        shipments_of_customer(admin_user, customer, status="lost_in_space")


def test_summary_reads_two_queries(admin_user, book, make_customer, django_assert_max_num_queries):
    customer = make_customer()
    for days in (1, 20, 50, 400):
        book(customer, days_ago=days)
    with django_assert_max_num_queries(2):
        summary = transactions_summary(admin_user, customer)
    assert summary["count"] == 4 and summary["count_12m"] == 3 and summary["lanes"][0]["count"] == 3
