"""`GET /api/v1/customers/{code}/timeline`: entries, cursor, filters, permissions, errors, OpenAPI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from freightcrm.api.services import api_token_issue
from freightcrm.service.tests.care_helpers import aware, shipment


def get(user: Any, path: str, **params: Any) -> Any:
    token = api_token_issue(user=user, name="tests").value
    return Client().get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def shipped(make_customer, role_user):  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    customer = make_customer(owner=owner, name="北京同城快运有限公司")
    for number in range(7):
        shipment(customer, number, aware(dt.date(2026, 4, 1), 9))  # all at the same moment
    return customer


def test_pages_through_every_entry_with_the_cursor(shipped, role_user, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    seen: list[tuple[str, int]] = []
    params: dict[str, Any] = {"page_size": 3}
    while True:
        with django_assert_max_num_queries(query_budget()):
            response = get(owner, f"/customers/{shipped.code}/timeline", **params)
        assert response.status_code == 200
        body = response.json()
        seen += [(e["kind"], e["id"]) for e in body["entries"]]
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]
    assert len(seen) == len(set(seen)) == 7 + 2  # shipments, the customer created, its address
    kinds = {k["kind"]: k for k in body["kinds"]}
    assert kinds["shipment"]["count"] == 7 and kinds["shipment"]["label"] == "运单"


def test_filters_by_kind_with_commas_or_repeats(shipped, role_user) -> None:  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    only = get(owner, f"/customers/{shipped.code}/timeline", kind="shipment").json()
    assert {e["kind"] for e in only["entries"]} == {"shipment"}
    both = get(owner, f"/customers/{shipped.code}/timeline", kind="shipment,change").json()
    assert {e["kind"] for e in both["entries"]} == {"shipment", "change"}
    entry = only["entries"][0]
    assert entry["title"].startswith("运单 SF") and entry["status"] == "运输中"


def test_same_permissions_as_the_ui(shipped, role_user) -> None:  # type: ignore[no-untyped-def]
    stranger = role_user("account_manager", "am_other")
    front_desk = role_user("front_desk")

    refused = get(stranger, f"/customers/{shipped.code}/timeline")
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "customer_not_found"
    seen = get(front_desk, f"/customers/{shipped.code}/timeline").json()
    assert {e["kind"] for e in seen["entries"]} == {"shipment"}
    assert get(front_desk, f"/customers/{shipped.code}/timeline", kind="change").json()["entries"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [({"cursor": "bm9wZQ"}, "cursor"), ({"kind": "gossip"}, "kind"), ({"page_size": 0}, "page_size")],
)
def test_bad_parameters_are_400_with_the_field(
    shipped, role_user, params: dict[str, Any], field: str
) -> None:  # type: ignore[no-untyped-def]
    response = get(role_user("account_manager"), f"/customers/{shipped.code}/timeline", **params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_openapi_lists_the_timeline(admin_user) -> None:  # type: ignore[no-untyped-def]
    from openapi_spec_validator import validate

    schema = get(admin_user, "/openapi.json").json()
    validate(schema)
    assert "/api/v1/customers/{code}/timeline" in schema["paths"]


def query_budget() -> int:
    """A page costs a fixed few queries plus at most four per registered kind (its entries, its count
    and their permission look-ups), whatever the number of entries."""
    from freightcrm.service.timeline import TIMELINE_SOURCES

    return 12 + 4 * len(TIMELINE_SOURCES)
