"""The complaint pages: list, filing with the shipment picker, state buttons, statistics; per role."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from freightcrm.service.complaints.choices import State
from freightcrm.service.complaints.models import Complaint
from freightcrm.service.tests.complaints_support import category, file, shipment

pytestmark = pytest.mark.django_db

LIST = "admin:service_complaint_changelist"
FILE = "admin:service_complaint_file"
STATS = "admin:service_complaint_statistics"


def page(pk):
    return reverse("admin:service_complaint_change", args=[pk])


@pytest.fixture
def setup(role_user, make_customer):
    am1, am2 = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    mine, theirs = make_customer(actor=am1), make_customer(actor=am2)
    return {
        "am1": am1,
        "am2": am2,
        "mine": mine,
        "theirs": theirs,
        "mine_complaint": file(am1, mine, received_at=timezone.now(), now=timezone.now()),
        "their_complaint": file(am2, theirs, received_at=timezone.now(), now=timezone.now()),
    }


def test_list_shows_visible_complaints_with_bounded_queries(
    client, setup, role_user, django_assert_max_num_queries
):
    manager = role_user("manager")
    for _ in range(10):
        file(manager, setup["mine"], received_at=timezone.now(), now=timezone.now())
    client.force_login(manager)
    with django_assert_max_num_queries(20):
        response = client.get(reverse(LIST))
    assert response.status_code == 200
    assert (
        setup["mine_complaint"].number in response.text and setup["their_complaint"].number in response.text
    )
    for query in (
        "?state=received",
        "?overdue=yes",
        "?overdue=escalated",
        "?handler=me",
        "?severity=high",
        f"?q={setup['mine_complaint'].number}",
        f"?q={setup['theirs'].code}",
    ):
        assert client.get(reverse(LIST) + query).status_code == 200
    assert setup["mine_complaint"].number not in client.get(reverse(LIST) + f"?q={setup['theirs'].code}").text


def test_account_manager_sees_own_customers_complaints_and_404_on_others(client, setup):
    client.force_login(setup["am1"])
    listing = client.get(reverse(LIST))
    assert setup["mine_complaint"].number in listing.text
    assert setup["their_complaint"].number not in listing.text
    assert client.get(page(setup["mine_complaint"].pk)).status_code == 200
    assert client.get(page(setup["their_complaint"].pk)).status_code == 404
    response = client.post(page(setup["their_complaint"].pk), {"action": "acknowledge"})
    assert response.status_code == 404
    assert client.get(reverse(FILE) + f"?customer={setup['theirs'].pk}").status_code == 404
    assert client.get(reverse(STATS)).status_code == 404


def test_filing_from_the_customer_offers_only_that_customers_shipments(client, setup):
    own = shipment(setup["mine"])
    other = shipment(setup["theirs"])
    client.force_login(setup["am1"])
    form = client.get(reverse(FILE) + f"?customer={setup['mine'].pk}")
    assert form.status_code == 200
    assert own.waybill_no in form.text and other.waybill_no not in form.text
    # a forged choice of another customer's shipment is refused, nothing saved
    before = Complaint.objects.count()
    data = {
        "customer": setup["mine"].pk,
        "channel": "phone",
        "category": category("damage-goods").pk,
        "severity": "high",
        "description": "外箱破损",
        "shipment": other.pk,
    }
    refused = client.post(reverse(FILE), data)
    assert refused.status_code == 200 and Complaint.objects.count() == before
    refused = client.post(reverse(FILE), {**data, "shipment": "", "waybill_no": other.waybill_no})
    assert refused.status_code == 200 and Complaint.objects.count() == before
    done = client.post(reverse(FILE), {**data, "shipment": own.pk})
    complaint = Complaint.objects.get(shipment=own)
    assert done.status_code == 302 and done["Location"] == page(complaint.pk)
    assert complaint.filed_by == setup["am1"] and complaint.severity == "high"


def test_choose_customer_step_searches_visible_customers(client, setup, role_user):
    client.force_login(role_user("front_desk"))
    response = client.get(reverse(FILE) + "?q=恒通")
    assert response.status_code == 200 and setup["mine"].name in response.text


def test_complaint_page_buttons_follow_the_state_and_refusals_change_nothing(client, setup):
    complaint = setup["mine_complaint"]
    client.force_login(setup["am1"])
    shown = client.get(page(complaint.pk)).text
    assert 'data-action="acknowledge"' in shown and 'data-action="close"' not in shown
    # closing a received complaint (a forged button) is refused with a message
    refused = client.post(page(complaint.pk), {"action": "close"}, follow=True)
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED
    assert "不能" in refused.text or "cannot" in refused.text
    for action in ("acknowledge", "investigate"):
        assert client.post(page(complaint.pk), {"action": action}).status_code == 302
    # resolving without a resolution is refused; with one it resolves
    client.post(page(complaint.pk), {"action": "resolve", "resolution": ""})
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING
    client.post(
        page(complaint.pk),
        {
            "action": "resolve",
            "resolution": "已补发",
            "compensation_amount": "120",
            "compensation_currency": "CNY",
        },
    )
    complaint.refresh_from_db()
    assert complaint.state == State.RESOLVED and str(complaint.compensation_amount) == "120.00"
    shown = client.get(page(complaint.pk)).text
    assert 'data-action="close"' in shown and 'data-action="reopen"' in shown and "已补发" in shown


def test_front_desk_reads_the_page_without_buttons_and_may_not_post(client, setup, role_user):
    client.force_login(role_user("front_desk"))
    shown = client.get(page(setup["their_complaint"].pk))
    assert shown.status_code == 200 and 'data-action="acknowledge"' not in shown.text
    assert client.post(page(setup["their_complaint"].pk), {"action": "acknowledge"}).status_code == 404


@pytest.mark.parametrize("role", ["manager", "auditor", "operations"])
def test_statistics_page_for_its_roles(client, setup, role_user, role, django_assert_max_num_queries):
    client.force_login(role_user(role))
    with django_assert_max_num_queries(25):
        response = client.get(reverse(STATS) + "?start=2021-01-01&end=2030-12-31")
    assert response.status_code == 200
    assert 'id="by-category"' in response.text and "unfold/js/chart/chart.js" in response.text
    bad = client.get(reverse(STATS) + "?start=2026-05-01&end=2026-01-01")
    assert bad.status_code == 200 and 'id="by-category"' not in bad.text


@pytest.mark.parametrize("role", ["records_clerk", "credit_analyst"])
def test_roles_without_complaint_rights_see_nothing(client, setup, role_user, role):
    client.force_login(role_user(role))
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(page(setup["mine_complaint"].pk)).status_code == 404


def test_customer_card_shows_complaints_and_the_file_button(client, setup):
    client.force_login(setup["am1"])
    card = client.get(reverse("admin:customers_customer_card", args=[setup["mine"].pk]))
    assert card.status_code == 200
    assert setup["mine_complaint"].number in card.text
    assert reverse(FILE) + f"?customer={setup['mine'].pk}" in card.text
