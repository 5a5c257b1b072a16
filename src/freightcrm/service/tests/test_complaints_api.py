"""`/api/v1/complaints`: list, detail, filing and transitions with the UI's rights; stable error codes."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.utils import timezone

from freightcrm.api.services import api_token_issue
from freightcrm.service.complaints.models import Complaint
from freightcrm.service.tests.complaints_support import file, shipment

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_issue(user=user, name='t').value}"}

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, body):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


@pytest.fixture
def setup(role_user, make_customer):
    am1, am2 = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    mine, theirs = make_customer(actor=am1), make_customer(actor=am2)
    now = timezone.now()
    return {
        "am1": am1,
        "mine": mine,
        "theirs": theirs,
        "mine_complaint": file(am1, mine, received_at=now, now=now),
        "their_complaint": file(
            am2, theirs, received_at=now, now=now, severity="critical", code="loss-whole"
        ),
    }


def test_list_filters_and_caps_the_page(setup, role_user, django_assert_max_num_queries):
    api = Api(role_user("manager"))
    for _ in range(5):
        file(role_user("manager"), setup["mine"], received_at=timezone.now(), now=timezone.now())
    with django_assert_max_num_queries(12):
        response = api.get("/complaints", page_size=3)
    body = response.json()
    assert response.status_code == 200 and body["count"] == 7 and len(body["results"]) == 3
    assert api.get("/complaints", category="loss").json()["count"] == 1
    assert (
        api.get("/complaints", severity="critical").json()["results"][0]["number"]
        == setup["their_complaint"].number
    )
    assert api.get("/complaints", customer=setup["theirs"].code).json()["count"] == 1
    assert api.get("/complaints", overdue="true").json()["count"] == 0
    too_big = api.get("/complaints", page_size=101)
    assert too_big.status_code == 400 and too_big.json()["error"]["code"] == "invalid_parameters"
    assert api.get("/complaints", state="nonsense").status_code == 400


def test_account_manager_sees_own_only_and_404_on_others(setup):
    api = Api(setup["am1"])
    numbers = [row["number"] for row in api.get("/complaints").json()["results"]]
    assert numbers == [setup["mine_complaint"].number]
    assert api.get(f"/complaints/{setup['mine_complaint'].number}").status_code == 200
    other = api.get(f"/complaints/{setup['their_complaint'].number}")
    assert other.status_code == 404 and other.json()["error"]["code"] == "complaint_not_found"
    moved = api.post(f"/complaints/{setup['their_complaint'].number}/transitions", {"action": "acknowledge"})
    assert moved.status_code == 404


def test_roles_without_complaint_rights_get_403(setup, role_user):
    response = Api(role_user("credit_analyst")).get("/complaints")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


def test_file_then_walk_the_state_machine(setup):
    api = Api(setup["am1"])
    own = shipment(setup["mine"])
    filed = api.post(
        "/complaints",
        {
            "customer": setup["mine"].code,
            "channel": "wechat",
            "category": "damage-goods",
            "severity": "high",
            "description": "到货外箱破损",
            "shipment": own.waybill_no,
        },
    )
    assert filed.status_code == 201, filed.content
    number = filed.json()["number"]
    assert filed.json()["shipment"] == own.waybill_no and filed.json()["state"] == "received"
    # closing an unresolved complaint: 409 with a stable code, nothing changed
    refused = api.post(f"/complaints/{number}/transitions", {"action": "close"})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "invalid_transition"
    assert Complaint.objects.get(number=number).state == "received"
    for action in ("acknowledge", "investigate"):
        assert api.post(f"/complaints/{number}/transitions", {"action": action}).status_code == 200
    missing = api.post(f"/complaints/{number}/transitions", {"action": "resolve"})
    assert missing.status_code == 400 and "resolution" in missing.json()["error"]["fields"]
    done = api.post(
        f"/complaints/{number}/transitions",
        {"action": "resolve", "resolution": "按声明价值赔付", "compensation_amount": "300.00"},
    )
    assert done.status_code == 200 and done.json()["state"] == "resolved"
    assert done.json()["compensation_amount"] == "300.00"
    assert [e["action"] for e in done.json()["events"]] == ["file", "acknowledge", "investigate", "resolve"]
    unknown = api.post(f"/complaints/{number}/transitions", {"action": "explode"})
    assert unknown.status_code == 400


def test_filing_refuses_foreign_shipment_unknown_category_and_hidden_customer(setup):
    api = Api(setup["am1"])
    foreign = shipment(setup["theirs"])
    body = {"customer": setup["mine"].code, "channel": "phone", "category": "delay", "description": "延误"}
    bad = api.post("/complaints", {**body, "shipment": foreign.waybill_no, "category": "nope"})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"shipment", "category"}
    hidden = api.post("/complaints", {**body, "customer": setup["theirs"].code})
    assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "customer_not_found"
    assert api.post("/complaints", {**body, "channel": "pigeon"}).status_code == 400
    assert Complaint.objects.count() == 2


def test_openapi_lists_the_complaint_operations(client):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").json()
    validate(spec)
    assert {
        "/api/v1/complaints",
        "/api/v1/complaints/{number}",
        "/api/v1/complaints/{number}/transitions",
    } <= set(spec["paths"])
