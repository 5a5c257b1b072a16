"""The staff UI obeys core.access for every role: rows, finance, masking, and writes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from freightcrm.conftest import ALL_ROLES, valid_resident_id
from freightcrm.customers.models import Customer
from freightcrm.customers.services import customer_create, customer_share_grant

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id("19880512", 345)
BANK_ACCOUNT = "6222021234567890123"
MASKED_ID = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
ROLES_SEEING_FULL_ID = {"records_clerk", "admin"}
ROLES_SEEING_FINANCE = {"account_manager", "records_clerk", "credit_analyst", "manager", "auditor", "admin"}


@pytest.fixture
def individual(admin_user, role_user):
    owner = role_user("account_manager")
    return customer_create(
        actor=admin_user,
        kind="P",
        name="陈晓明",
        mobile="13812345678",
        id_number=ID_NUMBER,
        status="active",
        bank_account=BANK_ACCOUNT,
        credit_limit=123456,
        address="上海市浦东新区张江路88号",
        owner=owner,
    )


def card_url(customer: Customer) -> str:
    return reverse("admin:customers_customer_card", args=[customer.pk])


@pytest.mark.parametrize("role", ALL_ROLES)
def test_card_masks_and_hides_per_role(client, role_user, individual, role):
    # given
    user = individual.owner if role == "account_manager" else role_user(role)
    client.force_login(user)
    # when
    response = client.get(card_url(individual))
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert "fc1:" not in page
    if role in ROLES_SEEING_FULL_ID:
        assert ID_NUMBER in page
    else:
        assert ID_NUMBER not in page and MASKED_ID in page
    assert (BANK_ACCOUNT in page) == (role in {"records_clerk", "credit_analyst", "admin"})
    assert ("123,456.00" in page) == (role in ROLES_SEEING_FINANCE)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_change_form_never_leaks_full_id_to_masked_roles(client, role_user, individual, role):
    user = individual.owner if role == "account_manager" else role_user(role)
    client.force_login(user)
    response = client.get(reverse("admin:customers_customer_change", args=[individual.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert (ID_NUMBER in page) == (role in ROLES_SEEING_FULL_ID)
    assert "fc1:" not in page


def test_account_manager_gets_404_for_another_managers_customer(client, role_user, individual):
    other = role_user("account_manager", "account_manager2")
    client.force_login(other)
    for url in (card_url(individual), reverse("admin:customers_customer_change", args=[individual.pk])):
        assert client.get(url).status_code == 404
    listing = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert individual.name not in listing


def test_sharing_makes_a_customer_visible(client, role_user, admin_user, individual):
    other = role_user("account_manager", "account_manager2")
    customer_share_grant(actor=admin_user, customer=individual, user=other, reason="代管")
    client.force_login(other)
    assert client.get(card_url(individual)).status_code == 200


def test_unknown_and_malformed_ids_are_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:customers_customer_card", args=[999999])).status_code == 404
    assert client.get("/admin/customers/customer/abc/card/").status_code == 404


def test_list_filters_and_search(client, role_user, make_customer):
    make_customer(name="上海韵达货运有限公司")
    make_customer(name="北京顺丰速运有限公司", address="北京市朝阳区建国路1号")
    client.force_login(role_user("front_desk"))
    url = reverse("admin:customers_customer_changelist")
    page = client.get(url, {"q": "韵达"}).content.decode()
    assert "上海韵达货运有限公司" in page and "北京顺丰速运有限公司" not in page
    page = client.get(url, {"province": "北京市"}).content.decode()
    assert "北京顺丰速运有限公司" in page and "上海韵达货运有限公司" not in page
    assert "credit_grade" not in page  # no grade filter without finance


def test_admin_edit_goes_through_service_and_refuses_stale_form(client, admin_user, individual):
    # given the change form as the browser would submit it
    client.force_login(admin_user)
    url = reverse("admin:customers_customer_change", args=[individual.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, [])}
    data.update(
        {
            f"{prefix}-{key}": 0
            for prefix in ("contacts", "addresses", "needs", "documents", "shares")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
    )
    # when saved at the version it was opened with
    response = client.post(url, {**data, "occupation": "货车司机", "edit_version": 1})
    # then it is saved, versioned and recorded
    assert response.status_code == 302, response.context["adminform"].form.errors
    individual.refresh_from_db()
    assert individual.occupation == "货车司机" and individual.version == 2
    assert individual.history.first().history_user == admin_user
    # when the same old form is submitted again, it is refused and nothing changes
    response = client.post(url, {**data, "occupation": "快递员", "edit_version": 1})
    assert response.status_code == 200
    assert "root" in " ".join(response.context["adminform"].form.non_field_errors())
    individual.refresh_from_db()
    assert individual.occupation == "货车司机" and individual.version == 2
