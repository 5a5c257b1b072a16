from __future__ import annotations

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from freightcrm.shipments.choices import ShipmentStatus as S
from freightcrm.shipments.models import Shipment


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_page_searches_by_waybill_and_customer(
    admin_user, book, make_customer, django_assert_max_num_queries
):
    customer = make_customer()
    shipments = [book(customer, days_ago=d) for d in (1, 2, 3, 4, 5)]
    client = _client(admin_user)
    url = reverse("admin:shipments_shipment_changelist")
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200 and shipments[0].waybill_no in response.content.decode()
    typed = shipments[2].waybill_no.lower()[:8] + " " + shipments[2].waybill_no[8:]
    found = client.get(url, {"q": typed}).content.decode()
    assert shipments[2].waybill_no in found and shipments[0].waybill_no not in found
    assert shipments[4].waybill_no in client.get(url, {"q": customer.code}).content.decode()
    assert (
        client.get(
            url, {"status__exact": "booked", "mode__exact": "road", "cargo_type__exact": "general"}
        ).status_code
        == 200
    )


def test_shipment_page_shows_the_trail_and_operations_records_the_next_event(
    role_user, book, django_assert_max_num_queries
):
    shipment = book(days_ago=1)
    operations = role_user("operations")
    client = _client(operations)
    page = reverse("admin:shipments_shipment_change", args=[shipment.pk])
    with django_assert_max_num_queries(20):
        response = client.get(page)
    html = response.content.decode()
    assert response.status_code == 200 and "record-event" in html
    at = timezone.localtime(shipment.booked_at + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(
        reverse("admin:shipments_shipment_record_event", args=[shipment.pk]),
        {"status": "picked_up", "at": at, "location": "上海市"},
    )
    assert done.status_code == 302
    assert Shipment.objects.get(pk=shipment.pk).status == S.PICKED_UP
    # a refused event changes nothing and says why
    future = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("admin:shipments_shipment_record_event", args=[shipment.pk]),
        {"status": "in_transit", "at": future},
    )
    assert Shipment.objects.get(pk=shipment.pk).status == S.PICKED_UP
    assert "事件时间在将来" in client.get(page).content.decode()


def test_front_desk_views_but_cannot_record(role_user, book):
    shipment = book(days_ago=1)
    client = _client(role_user("front_desk"))
    page = client.get(reverse("admin:shipments_shipment_change", args=[shipment.pk]))
    assert page.status_code == 200 and "record-event" not in page.content.decode()
    at = timezone.localtime(shipment.booked_at + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(
        reverse("admin:shipments_shipment_record_event", args=[shipment.pk]),
        {"status": "picked_up", "at": at},
    )
    assert Shipment.objects.get(pk=shipment.pk).status == S.BOOKED


def test_account_manager_gets_404_for_another_managers_shipment(role_user, book, make_customer):
    other = make_customer(actor=role_user("account_manager", "account_manager2"))
    shipment = book(other)
    client = _client(role_user("account_manager"))
    assert client.get(reverse("admin:shipments_shipment_change", args=[shipment.pk])).status_code == 404
