"""Calls and notes: logging (who may, what is refused), the timeline and the card."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.service.interactions.models import Interaction
from freightcrm.service.interactions.services import interaction_log
from freightcrm.service.tests.factories import contact, moment
from freightcrm.service.timeline import customer_timeline

pytestmark = pytest.mark.django_db


def test_a_call_is_logged_with_contact_and_direction(make_customer, role_user):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    person = contact(customer, "周敏")
    call = interaction_log(
        actor=am,
        customer=customer,
        kind="call",
        direction="in",
        contact=person,
        summary="询问到货时间",
        at=moment(1),
    )
    assert (call.staff, call.contact, call.direction) == (am, person, "in")


def test_bad_input_is_refused_per_field_and_saves_nothing(make_customer, role_user):
    am = role_user("account_manager")
    customer, other = make_customer(owner=am), make_customer(owner=am)
    with pytest.raises(ValidationError) as refused:
        interaction_log(
            actor=am,
            customer=customer,
            kind="fax",
            summary=" ",
            at=timezone.now() + dt.timedelta(days=1),
            contact=contact(other),
        )
    assert set(refused.value.message_dict) == {"kind", "summary", "at", "contact"}
    with pytest.raises(ValidationError) as refused:
        interaction_log(actor=am, customer=customer, kind="call", summary="来电")
    assert set(refused.value.message_dict) == {"direction"}
    assert not Interaction.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("front_desk", True),
        ("account_manager", True),
        ("manager", False),
        ("auditor", False),
        ("operations", False),
    ],
)
def test_who_may_log(make_customer, role_user, role, allowed):
    user = role_user(role)
    customer = make_customer(owner=user if role == "account_manager" else None)
    if allowed:
        assert interaction_log(actor=user, customer=customer, kind="note", summary="客户来访登记")
    else:
        with pytest.raises(PermissionDeniedError):
            interaction_log(actor=user, customer=customer, kind="note", summary="客户来访登记")


def test_an_account_manager_may_not_log_on_another_portfolio(make_customer, role_user):
    mine, theirs = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    with pytest.raises(PermissionDeniedError):
        interaction_log(actor=mine, customer=make_customer(owner=theirs), kind="note", summary="备忘")


def test_interactions_on_the_timeline_and_the_log_page(make_customer, role_user):
    desk = role_user("front_desk")
    customer = make_customer()
    for days in (3, 2, 1):
        interaction_log(actor=desk, customer=customer, kind="note", summary=f"备忘{days}", at=moment(days))
    page = customer_timeline(desk, customer, kinds=["interaction"])
    assert [e.detail for e in page.entries] == ["备忘1", "备忘2", "备忘3"]
    client = Client()
    client.force_login(desk)
    url = f"/admin/service/interaction/log/{customer.pk}/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"kind": "call", "at": "2026-01-01T10:00", "summary": "来电"})
    assert bad.status_code == 400 and "请注明" in bad.content.decode()
    good = client.post(
        url, {"kind": "call", "direction": "in", "at": "2026-01-01T10:00", "summary": "来电问价"}
    )
    assert good.status_code == 302 and Interaction.objects.filter(summary="来电问价").exists()
