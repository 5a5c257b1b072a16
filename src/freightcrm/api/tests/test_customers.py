"""`/customers`: list and detail, the same rows, fields and masks as the staff UI for every role,
bad input answered with a clear empty result or a 400, never a 500, and a flat query count."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from freightcrm.conftest import ALL_ROLES, valid_resident_id
from freightcrm.core import access
from freightcrm.customers.models import Contact, Customer, LogisticsNeed, Tag
from freightcrm.customers.selectors import customers_visible_to
from freightcrm.customers.services import customer_create, customer_part_save
from freightcrm.shipments.models import Shipment

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id("19880512", 345)
BANK_ACCOUNT = "6222021234567890123"
FINANCE_KEYS = {
    "credit_grade",
    "credit_limit",
    "credit_currency",
    "payment_terms",
    "payment_days",
    "bank_name",
}


@pytest.fixture
def archive(admin_user, role_user, make_customer):
    """An individual owned by `account_manager` with every section filled, and two companies."""
    owner = role_user("account_manager")
    tag = Tag.objects.create(name="重点客户")
    person = customer_create(
        actor=admin_user,
        kind="P",
        name="陈晓明",
        mobile="13812345678",
        id_number=ID_NUMBER,
        status="active",
        bank_name="中国工商银行",
        bank_account=BANK_ACCOUNT,
        credit_grade="AA",
        credit_limit=123456,
        address="上海市浦东新区张江路88号",
        owner=owner,
        tags=[tag],
    )
    customer_part_save(
        actor=admin_user, part=Contact(customer=person, name="陈小红", role="finance", mobile="13912345678")
    )
    customer_part_save(
        actor=admin_user,
        part=LogisticsNeed(
            customer=person,
            mode="road",
            origin_city="上海",
            destination_city="成都",
            cargo_type="general",
            frequency="weekly",
            annual_volume=Decimal("120.50"),
        ),
    )
    booked = timezone.now() - dt.timedelta(days=30)
    Shipment.objects.create(
        customer=person,
        waybill_no="SF0001",
        origin_city="上海",
        destination_city="成都",
        mode="road",
        cargo_type="general",
        weight_kg=Decimal("1500"),
        amount=Decimal("3200.50"),
        booked_at=booked,
        delivered_at=booked + dt.timedelta(days=2),
        on_time=True,
        status="delivered",
    )
    company = make_customer(name="上海韵达货运有限公司", credit_grade="A")
    other = make_customer(name="成都顺丰速运有限公司", kind="E", status="prospect")
    return {"person": person, "company": company, "other": other, "owner": owner}


def user_for(role, role_user, archive):
    return archive["owner"] if role == "account_manager" else role_user(role)


# --- the list ------------------------------------------------------------------------------------


def test_list_shape(api_as, role_user, archive):
    response = api_as(role_user("manager")).get("/customers", ordering="code")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3 and body["capped"] is False and body["page"] == 1 and body["page_size"] == 20
    assert body["notice"] == ""
    person = next(row for row in body["results"] if row["code"] == archive["person"].code)
    assert person["name"] == "陈晓明" and person["kind"] == "P" and person["kind_label"] == "个人客户"
    assert person["status"] == "active" and person["status_label"] == "活跃"
    assert person["province"] == "上海市" and person["district"] == "浦东新区"
    assert person["owner"]["username"] == "account_manager" and person["owner"]["id"] == archive["owner"].pk
    assert person["tags"] == ["重点客户"] and person["credit_grade"] == "AA"
    assert [row["code"] for row in body["results"]] == sorted(row["code"] for row in body["results"])


def test_list_search_and_filters(api_as, role_user, archive):
    api = api_as(role_user("manager"))
    found = api.get("/customers", q="韵达").json()
    assert [row["name"] for row in found["results"]] == ["上海韵达货运有限公司"]
    assert api.get("/customers", kind="P").json()["count"] == 1
    assert api.get("/customers", status="prospect").json()["count"] == 1
    assert api.get("/customers", tag="重点客户").json()["count"] == 1
    assert api.get("/customers", owner=archive["owner"].pk).json()["count"] == 1
    assert api.get("/customers", region="上海市").json()["count"] >= 1
    assert api.get("/customers", grade="AA").json()["count"] == 1
    paged = api.get("/customers", page_size=2, page=2, ordering="-code").json()
    assert paged["count"] == 3 and len(paged["results"]) == 1 and paged["page"] == 2
    assert api.get("/customers", page=99).json()["results"] == []


@pytest.mark.parametrize("role", ALL_ROLES)
def test_list_rows_and_finance_follow_access_for_every_role(api_as, role_user, archive, role):
    user = user_for(role, role_user, archive)
    body = api_as(user).get("/customers", page_size=100).json()
    visible = set(customers_visible_to(user).values_list("code", flat=True))
    assert {row["code"] for row in body["results"]} == visible
    assert body["count"] == len(visible)
    finance = "credit_grade" not in access.hidden_fields(user, Customer)
    assert all(("credit_grade" in row) == finance for row in body["results"])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_grade_filter_without_finance_is_forbidden(api_as, role_user, archive, role):
    user = user_for(role, role_user, archive)
    response = api_as(user).get("/customers", grade="AA")
    if access.access_for(user).finance:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "permission_denied"


def test_list_query_count_does_not_grow_with_the_page(api_as, role_user, make_customer):
    api = api_as(role_user("manager"))
    tag = Tag.objects.create(name="冷链")
    make_customer(tags=[tag])
    api.get("/customers")  # the token's first use writes last_used_at; measure the steady state
    with CaptureQueriesContext(connection) as few:
        assert api.get("/customers").status_code == 200
    for _ in range(12):
        make_customer(tags=[tag])
    with CaptureQueriesContext(connection) as many:
        assert api.get("/customers").status_code == 200
    assert len(many) == len(few) <= 10


# --- the detail ----------------------------------------------------------------------------------


def test_detail_shape(api_as, role_user, archive):
    body = api_as(role_user("records_clerk")).get(f"/customers/{archive['person'].code}").json()
    assert body["code"] == archive["person"].code and body["name"] == "陈晓明"
    assert body["id_number"] == ID_NUMBER and body["bank_account"] == BANK_ACCOUNT
    assert body["credit_limit"] == "123456.00" and body["credit_grade"] == "AA"
    assert body["labels"]["credit_currency"] == "人民币（CNY）" or body["labels"]["credit_currency"]
    assert body["tags"] == ["重点客户"]
    assert [c["name"] for c in body["contacts"]] == ["陈小红"] and body["contacts"][0]["role_label"]
    assert body["addresses"][0]["text"] == "上海市浦东新区张江路88号" and body["addresses"][0]["is_primary"]
    need = body["needs"][0]
    assert need["origin_city"] == "上海" and need["annual_volume"] == "120.50" and need["mode_label"]
    summary = body["transactions"]
    assert summary["count"] == 1 and summary["count_12m"] == 1 and summary["amount_12m_cny"] == "3200.50"
    assert summary["on_time_rate_pct"] == 100.0
    assert summary["lanes"] == [
        {"origin_city": "上海", "destination_city": "成都", "count": 1, "amount": "3200.50"}
    ]
    assert "fc1:" not in str(body)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_detail_masks_and_hides_exactly_like_the_customer_card(client, api_as, role_user, archive, role):
    # given
    person = archive["person"]
    user = user_for(role, role_user, archive)
    # when
    response = api_as(user).get(f"/customers/{person.code}")
    client.force_login(user)
    card = client.get(reverse("admin:customers_customer_card", args=[person.pk])).content.decode()
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["id_number"] == access.shown_value(user, person, "id_number")
    assert body["id_number"] in card
    finance = access.access_for(user).finance
    assert (FINANCE_KEYS <= set(body)) == finance
    assert not finance or FINANCE_KEYS <= set(body)
    assert ("bank_account" in body) == finance
    if finance:
        assert body["bank_account"] == access.shown_value(user, person, "bank_account")
        assert body["bank_account"] in card
    assert ("123,456.00" in card) == ("credit_limit" in body)
    for key in ("contacts", "addresses", "needs", "transactions"):
        assert (key in body) == (f'id="section-{key}"' in card), key
    assert "fc1:" not in response.content.decode()


def test_account_manager_gets_404_for_another_managers_customer(api_as, role_user, archive):
    api = api_as(role_user("account_manager", "account_manager2"))
    hidden = api.get(f"/customers/{archive['person'].code}")
    unknown = api.get("/customers/E-999999-999999")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json() == unknown.json()
    assert hidden.json()["error"]["code"] == "customer_not_found"
    assert archive["person"].code not in {row["code"] for row in api.get("/customers").json()["results"]}


def test_detail_query_count_does_not_grow_with_contacts(api_as, role_user, admin_user, archive):
    api = api_as(role_user("manager"))
    url = f"/customers/{archive['person'].code}"
    api.get(url)  # the token's first use writes last_used_at; measure the steady state
    with CaptureQueriesContext(connection) as few:
        assert api.get(url).status_code == 200
    for n in range(15):
        customer_part_save(
            actor=admin_user,
            part=Contact(customer=archive["person"], name=f"联系人{n}", mobile=f"1390000{n:04d}"),
        )
    with CaptureQueriesContext(connection) as many:
        response = api.get(url)
    assert len(response.json()["contacts"]) == 16
    assert len(many) == len(few) <= 11, [query["sql"] for query in many.captured_queries]


# --- bad input -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "' OR 1=1 --",
        "'; DROP TABLE customers_customer; --",
        "%",
        "_",
        "*",
        "%%__**",
        "😀",
        "🚚📦",
        "上海abc韵达123",
        "Шанхай",
        "ｙｕｎｄａ",
        "\\",
        '"',
        "韵达' UNION SELECT 1 --",
        "a" * 100,
    ],
)
def test_odd_queries_answer_with_a_clear_result(api_as, role_user, archive, q):
    response = api_as(role_user("manager")).get("/customers", q=q)
    assert response.status_code == 200, response.content
    body = response.json()
    assert isinstance(body["results"], list) and body["count"] == len(body["results"]) or body["count"] > 0
    if q.strip() and not any(char.isalnum() for char in q):
        assert body["results"] == [] and body["notice"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "a" * 10_240}, "q"),
        ({"q": "韵达\x00"}, "q"),
        ({"page_size": 1000}, "page_size"),
        ({"page_size": 10**30}, "page_size"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"page": 0}, "page"),
        ({"page": -1}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1.5"}, "page"),
        ({"page": 10**30}, "page"),
        ({"ordering": "password"}, "ordering"),
        ({"ordering": "-id; DROP TABLE x"}, "ordering"),
        ({"owner": "abc"}, "owner"),
        ({"owner": 10**30}, "owner"),
        ({"kind": "Z"}, "kind"),
        ({"status": "deleted"}, "status"),
        ({"grade": "AAAA"}, "grade"),
        ({"tag": "x" * 31}, "tag"),
        ({"tag": "\x00"}, "tag"),
        ({"region": "\x07"}, "region"),
    ],
)
def test_bad_parameters_are_400_with_the_json_error(api_as, role_user, archive, params, field):
    response = api_as(role_user("manager")).get("/customers", **params)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_parameters"
    assert field in error["fields"] and error["fields"][field][0]
    assert field in error["message"]


@pytest.mark.parametrize(
    "code", ["E-999999-999999", "x" * 500, "%00", "韵达", "' OR '1'='1", "😀", "E-310115-000001%20"]
)
def test_unknown_codes_are_404(api_as, role_user, archive, code):
    response = api_as(role_user("manager")).get(f"/customers/{code}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] in {"customer_not_found", "not_found"}


def test_other_paths_and_methods_answer_in_json(api_as, role_user):
    api = api_as(role_user("manager"))
    missing = api.get("/nothing-here")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    posted = api.client.post("/api/v1/customers", {}, headers={"Authorization": api.authorization})
    assert posted.status_code == 405 and posted.json()["error"]["code"] == "method_not_allowed"
    assert "GET" in posted["Allow"]


def test_wrong_keys_fail_closed_with_503(api_as, role_user, archive, settings):
    from freightcrm.core import crypto
    from freightcrm.core.tests.conftest import new_key

    api = api_as(role_user("records_clerk"))
    settings.FREIGHTCRM_ENCRYPTION_KEYS = f"t1:{new_key()}"  # same key id, wrong key
    crypto.reset_key_ring()
    try:
        response = api.get(f"/customers/{archive['person'].code}")
    finally:
        crypto.reset_key_ring()
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "decryption_failed"
    assert "fc1:" not in response.content.decode()


def test_an_unexpected_error_is_a_json_500_without_details(api_as, role_user, archive, monkeypatch):
    from freightcrm.api import customers

    def broken(user, customer):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(customers, "customer_detail", broken)
    response = api_as(role_user("manager")).get(f"/customers/{archive['person'].code}")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "secret internals" not in response.content.decode()


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=120),
    page=st.one_of(st.integers(min_value=-5, max_value=10**20), st.text(max_size=5)),
    page_size=st.one_of(st.integers(min_value=-5, max_value=500), st.text(max_size=5)),
    ordering=st.sampled_from(["", "name", "-updated", "bogus", "名称"]),
)
def test_any_query_is_an_answer_or_a_400_never_a_500(api_as, role_user, q, page, page_size, ordering):
    api = api_as(role_user("front_desk"))
    response = api.get("/customers", q=q, page=page, page_size=page_size, ordering=ordering)
    assert response.status_code in {200, 400}, response.content
    body = response.json()
    assert (
        ("results" in body) if response.status_code == 200 else body["error"]["code"] == "invalid_parameters"
    )
