"""The customer timeline: cursor paging across kinds with equal times, filters, permissions, queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from freightcrm.customers.models import Address, Contact, Customer
from freightcrm.customers.services import customer_update
from freightcrm.service.care.timeline import CHANGE_MODELS, TABLES
from freightcrm.service.tests.care_helpers import aware, contact, shipment
from freightcrm.service.timeline import Cursor, customer_timeline

MOMENTS = [aware(dt.date(2026, 5, 1), 9), aware(dt.date(2026, 5, 1), 10), aware(dt.date(2026, 5, 2), 9)]


def history_at(model: type, pk_filter: dict[str, Any], moments: list[dt.datetime]) -> None:
    """Give the history rows of `model` matching `pk_filter` the given times, round robin."""
    history = model.history.model  # type: ignore[attr-defined]
    for index, record in enumerate(history.objects.filter(**pk_filter).order_by("history_id")):
        history.objects.filter(history_id=record.history_id).update(
            history_date=moments[index % len(moments)]
        )


@pytest.fixture
def busy_customer(make_customer, admin_user) -> Customer:  # type: ignore[no-untyped-def]
    """Shipments and archive changes (customer and contacts) sharing a few identical timestamps."""
    customer = make_customer(name="上海同时物流有限公司")
    for number in range(9):
        shipment(customer, 100 + number, MOMENTS[number % 3])
    for phone in ("021-68888881", "021-68888882", "021-68888883"):
        customer.refresh_from_db()
        customer_update(actor=admin_user, customer=customer, version=customer.version, phone=phone)
    for name in ("王芳", "李雷"):
        person = contact(customer, name)
        person.title = "经理"
        person.save()
    history_at(Customer, {"id": customer.pk}, MOMENTS)
    history_at(Contact, {"customer_id": customer.pk}, MOMENTS)
    return customer


def walk(
    user: Any, customer: Customer, page_size: int, kinds: list[str] | None = None
) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    cursor: Cursor | None = None
    for _page in range(100):
        page = customer_timeline(user, customer, kinds=kinds, cursor=cursor, page_size=page_size)
        seen += [(e.kind, e.id) for e in page.entries]
        if page.next_cursor is None:
            return seen
        cursor = Cursor.decode(page.next_cursor.encode())
    raise AssertionError("paging did not end")


@pytest.mark.parametrize("page_size", [1, 2, 3, 5, 7, 50])
def test_every_entry_once_in_order_whatever_the_page_size(busy_customer, admin_user, page_size: int) -> None:  # type: ignore[no-untyped-def]
    everything = customer_timeline(admin_user, busy_customer, page_size=200).entries
    # 9 shipments; the customer created + 3 changes; its address created; 2 contacts created and changed
    assert len(everything) == 9 + 4 + 1 + 4

    paged = walk(admin_user, busy_customer, page_size)

    assert paged == [(e.kind, e.id) for e in everything]
    assert len(set(paged)) == len(paged)
    keys = [e.sort_key for e in everything]
    assert keys == sorted(keys, reverse=True)


def test_change_ids_encode_the_table(busy_customer, admin_user) -> None:  # type: ignore[no-untyped-def]
    changes = customer_timeline(admin_user, busy_customer, kinds=["change"], page_size=200).entries
    tables = {entry.id % TABLES for entry in changes}
    assert tables == {
        CHANGE_MODELS.index(Customer),
        CHANGE_MODELS.index(Contact),
        CHANGE_MODELS.index(Address),
    }


def test_filter_by_kind_and_counts(busy_customer, admin_user) -> None:  # type: ignore[no-untyped-def]
    page = customer_timeline(admin_user, busy_customer, kinds=["shipment"], page_size=4)
    counts = {k["kind"]: k["count"] for k in page.kinds}

    assert {e.kind for e in page.entries} == {"shipment"}
    assert counts["shipment"] == 9
    assert counts["change"] == 9  # history rows: the customer's 4, the address' 1, the contacts' 4
    assert [k["kind"] for k in page.kinds if k["selected"]] == ["shipment"]
    assert walk(admin_user, busy_customer, 4, kinds=["shipment"]) == [
        (e.kind, e.id)
        for e in customer_timeline(admin_user, busy_customer, kinds=["shipment"], page_size=200).entries
    ]


def test_change_entries_say_who_changed_which_field(busy_customer, admin_user) -> None:  # type: ignore[no-untyped-def]
    changes = customer_timeline(admin_user, busy_customer, kinds=["change"], page_size=200).entries
    phone_changes = [c for e in changes for c in e.extra["changes"] if c["new"] == "021 6888 8883"]

    assert phone_changes and phone_changes[0]["old"] == "021 6888 8882"
    assert all(e.actor for e in changes)


def test_front_desk_sees_shipments_but_not_archive_changes(busy_customer, role_user) -> None:  # type: ignore[no-untyped-def]
    front_desk = role_user("front_desk")

    page = customer_timeline(front_desk, busy_customer, page_size=200)

    assert {e.kind for e in page.entries} == {"shipment"}
    assert "change" not in {k["kind"] for k in page.kinds}
    assert customer_timeline(front_desk, busy_customer, kinds=["change"]).entries == []


def test_the_page_filters_pages_and_counts_queries(
    busy_customer, admin_user, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    url = reverse("customer_timeline", args=[busy_customer.pk])

    with django_assert_max_num_queries(query_budget()):
        first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    assert "SF0000000100" in html and "021 6888 8883" in html
    assert first.context["next_cursor"] == ""

    with django_assert_max_num_queries(query_budget()):
        shipments = client.get(url, {"kind": "shipment"})
    assert "021 6888 8883" not in shipments.content.decode()

    shipments_page = shipments.context["page"]
    assert len(shipments_page.entries) == 9


def test_older_link_walks_the_pages(busy_customer, admin_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from freightcrm.service.care import views

    monkeypatch.setattr(views, "FULL_PAGE_SIZE", 5)
    client = Client()
    client.force_login(admin_user)
    url = reverse("customer_timeline", args=[busy_customer.pk])
    seen = []
    params: dict[str, str] = {}
    while True:
        response = client.get(url, params)
        seen += [(e.kind, e.id) for e in response.context["page"].entries]
        if not response.context["next_cursor"]:
            break
        assert 'rel="next"' in response.content.decode()
        params = {"cursor": response.context["next_cursor"]}
    assert len(seen) == len(set(seen)) == 18


def test_account_manager_gets_404_on_someone_elses_customer(make_customer, role_user) -> None:  # type: ignore[no-untyped-def]
    mine = role_user("account_manager")
    other = role_user("account_manager", "am_other")
    theirs = make_customer(owner=other)
    own = make_customer(owner=mine)
    client = Client()
    client.force_login(mine)

    assert client.get(reverse("customer_timeline", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("customer_timeline", args=[own.pk])).status_code == 200
    assert client.get("/admin/customers/customer/999999/timeline/").status_code == 404


def test_a_broken_cursor_starts_over(busy_customer, admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("customer_timeline", args=[busy_customer.pk]), {"cursor": "not-a-cursor!"})
    assert response.status_code == 200
    assert len(response.context["page"].entries) == 18


def test_the_card_shows_the_first_entries_and_links_the_full_timeline(busy_customer, admin_user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(admin_user)
    response = client.get(reverse("admin:customers_customer_card", args=[busy_customer.pk]))
    html = response.content.decode()
    assert 'id="section-timeline"' in html
    assert reverse("customer_timeline", args=[busy_customer.pk]) in html
    assert html.count('class="fc-tl-icon"') == 10


def query_budget() -> int:
    """A page costs a fixed few queries plus at most four per registered kind (its entries, its count
    and their permission look-ups), whatever the number of entries."""
    from freightcrm.service.timeline import TIMELINE_SOURCES

    return 12 + 4 * len(TIMELINE_SOURCES)


def test_no_timeline_for_a_user_who_may_not_view_customers(make_customer, django_user_model) -> None:  # type: ignore[no-untyped-def]
    from freightcrm.service.care.selectors import timeline_customer

    # given a staff login without any role that owns a customer
    nobody = django_user_model.objects.create_user("no_role", is_staff=True)
    customer = make_customer(owner=nobody)
    # then neither the selector nor the page lets them open its timeline
    with pytest.raises(Customer.DoesNotExist):
        timeline_customer(nobody, pk=customer.pk)
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse("customer_timeline", args=[customer.pk])).status_code == 404
