from __future__ import annotations

import datetime as dt

from django.utils import timezone

from freightcrm.api.tests.conftest import ApiClient


def test_shipment_by_waybill_with_events(admin_user, api_as, book):
    shipment = book()
    response = api_as(admin_user).get(f"/shipments/{shipment.waybill_no.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["waybill_no"] == shipment.waybill_no and body["pieces"] == 3
    assert body["declared_value"] == "50000.00" and body["cargo_class"] == "general"
    assert [event["status"] for event in body["events"]] == ["booked"]


def test_unknown_waybill_is_404(admin_user, api_as):
    response = api_as(admin_user).get("/shipments/FC000")
    assert response.status_code == 404 and response.json()["error"]["code"] == "shipment_not_found"


def test_other_managers_shipment_and_customer_are_404(role_user, api_as, book, make_customer):
    other = make_customer(actor=role_user("account_manager", "account_manager2"))
    shipment = book(other)
    client = api_as(role_user("account_manager"))
    assert client.get(f"/shipments/{shipment.waybill_no}").status_code == 404
    response = client.get(f"/customers/{other.code}/shipments")
    assert response.status_code == 404 and response.json()["error"]["code"] == "customer_not_found"


def test_without_token_is_401(book):
    shipment = book()
    assert ApiClient().get(f"/shipments/{shipment.waybill_no}").status_code == 401
    assert ApiClient().get(f"/customers/{shipment.customer.code}/shipments").status_code == 401


def test_customer_shipments_paged_capped_and_filtered(
    admin_user, api_as, book, make_customer, django_assert_max_num_queries
):
    customer = make_customer()
    for days in (1, 3, 5):
        book(customer, days_ago=days)
    client = api_as(admin_user)
    client.get("/shipments/warm-up")  # token and user lookups cached like any request
    with django_assert_max_num_queries(10):
        response = client.get(f"/customers/{customer.code}/shipments", page_size=2)
    body = response.json()
    assert response.status_code == 200 and body["count"] == 3 and len(body["results"]) == 2
    assert body["results"][0]["booked_at"] > body["results"][1]["booked_at"]
    assert (
        len(client.get(f"/customers/{customer.code}/shipments", page=2, page_size=2).json()["results"]) == 1
    )
    too_big = client.get(f"/customers/{customer.code}/shipments", page_size=101)
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "invalid_parameters"
    assert client.get(f"/customers/{customer.code}/shipments", page=0).status_code == 400
    assert client.get(f"/customers/{customer.code}/shipments", status="nope").status_code == 400
    since = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert client.get(f"/customers/{customer.code}/shipments", booked_from=since).json()["count"] == 1
    assert client.get(f"/customers/{customer.code}/shipments", status="booked").json()["count"] == 3


def test_customer_detail_summary_reads_the_monthly_figures(admin_user, api_as, book, make_customer):
    customer = make_customer()
    book(customer, days_ago=2)
    body = api_as(admin_user).get(f"/customers/{customer.code}").json()
    assert body["transactions"]["count"] == 1 and body["transactions"]["amount_12m_cny"] == "3200.00"
