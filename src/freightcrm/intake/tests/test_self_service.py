"""The customer's self-service form: a one-time link, corrections to review, consent at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Address, Contact, Customer
from freightcrm.intake.choices import ConsentChannel, ConsentPurpose, ReviewState, Source
from freightcrm.intake.models import Consent, SelfServiceLink, Submission
from freightcrm.intake.review import decode_changes, submission_approve
from freightcrm.intake.self_service import (
    LinkUnavailable,
    current_details,
    self_service_answer,
    self_service_link_issue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(name="宁波自助物流有限公司", owner=manager, mobile="13812345678")
    Contact.objects.create(customer=customer, name="王芳", is_primary=True)
    issued = self_service_link_issue(actor=manager, customer=customer)
    return customer, issued


def _answer(customer: Customer, **changes: str) -> dict[str, str]:
    data = {name: value for name, value in current_details(customer).items() if name != "bank_account"}
    data.update(changes)
    return data


def test_the_link_is_stored_only_as_a_hash(setup):
    _customer, issued = setup
    link = SelfServiceLink.objects.get()
    assert issued.token not in link.token_hash and len(link.token_hash) == 64


def test_only_staff_who_may_change_the_customer_issue_links(make_customer, role_user):
    customer = make_customer()
    with pytest.raises(PermissionDeniedError):
        self_service_link_issue(actor=role_user("auditor"), customer=customer)
    with pytest.raises(PermissionDeniedError):  # another account manager's customer
        self_service_link_issue(actor=role_user("account_manager"), customer=customer)
    assert self_service_link_issue(actor=role_user("records_clerk"), customer=customer).token


def test_corrections_go_to_review_and_consent_applies_at_once(setup, role_user):
    customer, issued = setup
    # when the customer corrects the mobile and the contact person and gives two consents
    data = _answer(customer, mobile="139 8765 4321", contact_person="王芳芳")
    data.update({"consent_service_notices": "1", "consent_marketing": "1"})
    submission = self_service_answer(token=issued.token, data=data)
    # then the correction waits for review, untouched on the customer
    assert (submission.source, submission.submitted_by, submission.state) == (
        Source.SELF_SERVICE,
        None,
        ReviewState.PENDING,
    )
    assert decode_changes(submission) == {"mobile": "13987654321"}
    assert "王芳芳" in submission.note
    customer.refresh_from_db()
    assert customer.mobile == "13812345678"
    # and consent is recorded now, with its wording version and channel
    given = {c.purpose: c for c in Consent.objects.filter(customer=customer)}
    assert set(given) == {ConsentPurpose.SERVICE_NOTICES, ConsentPurpose.MARKETING}
    assert all(
        c.given and c.channel == ConsentChannel.SELF_SERVICE and c.text_version for c in given.values()
    )
    # and a records clerk's approval applies the correction
    submission_approve(actor=role_user("records_clerk"), submission=submission)
    customer.refresh_from_db()
    assert customer.mobile == "13987654321"


def test_confirming_without_changes_is_logged_and_changes_nothing(setup):
    customer, issued = setup
    version = customer.version
    submission = self_service_answer(token=issued.token, data=_answer(customer, mobile="138 1234 5678"))
    assert submission.state == ReviewState.APPROVED and submission.changed_fields == []
    customer.refresh_from_db()
    assert customer.version == version
    assert not Submission.objects.filter(state=ReviewState.PENDING).exists()


def test_withdrawing_consent_is_recorded(setup, role_user):
    customer, issued = setup
    Consent.objects.create(
        customer=customer,
        purpose=ConsentPurpose.MARKETING,
        given=True,
        at=timezone.now() - dt.timedelta(days=30),
        channel=ConsentChannel.STAFF,
        text_version="2025-01",
    )
    self_service_answer(token=issued.token, data=_answer(customer))
    latest = Consent.objects.filter(customer=customer, purpose=ConsentPurpose.MARKETING).first()
    assert latest is not None and latest.given is False


def test_bad_input_saves_nothing_and_leaves_the_link_usable(setup):
    customer, issued = setup
    with pytest.raises(ValidationError) as error:
        self_service_answer(
            token=issued.token,
            data={**_answer(customer, mobile="12345", email="not-mail"), "consent_marketing": "1"},
        )
    assert {"mobile", "email"} <= set(error.value.message_dict)
    assert not Submission.objects.exists() and not Consent.objects.exists()
    assert SelfServiceLink.objects.get().used_at is None
    with pytest.raises(ValidationError):
        self_service_answer(token=issued.token, data=_answer(customer, name=""))


def test_a_link_answers_once_and_not_after_it_expires(setup, make_customer, role_user):
    customer, issued = setup
    self_service_answer(token=issued.token, data=_answer(customer))
    with pytest.raises(LinkUnavailable) as refusal:
        self_service_answer(token=issued.token, data=_answer(customer))
    assert refusal.value.status == 410
    other = self_service_link_issue(actor=role_user("records_clerk"), customer=customer)
    SelfServiceLink.objects.filter(pk=other.link.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(LinkUnavailable) as refusal:
        self_service_answer(token=other.token, data=_answer(customer))
    assert refusal.value.code == "link_expired"


def test_the_public_page_shows_the_details_and_refuses_bad_links_without_leaking(setup):
    customer, issued = setup
    client = Client()
    page = client.get(issued.path)
    text = page.content.decode()
    assert page.status_code == 200 and "宁波自助物流有限公司" in text and "王芳" in text
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    for bad in ("nope", "x" * 200, issued.link.token_hash):
        refused = client.get(f"/f/{bad}/")
        assert refused.status_code == 404 and "宁波自助" not in refused.content.decode()
    # a bad phone number comes back with the message, nothing saved
    answer = client.post(issued.path, _answer(customer, mobile="12345"))
    assert answer.status_code == 400 and not Submission.objects.exists()
    answer = client.post(issued.path, _answer(customer, email="wang@example.cn"))
    assert answer.status_code == 200 and Submission.objects.get().changed_fields == ["email"]
    used = client.get(issued.path)
    assert used.status_code == 410 and "宁波自助" not in used.content.decode()


def test_staff_issue_a_link_from_the_card(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    Address.objects.filter(customer=customer).update(text="上海市浦东新区张江路88号")
    client = Client()
    client.force_login(manager)
    card = client.get(f"/admin/customers/customer/{customer.pk}/card/").content.decode()
    url = f"/admin/intake/submission/self-service/{customer.pk}/"
    assert url in card
    answer = client.post(url)
    assert answer.status_code == 200 and "/f/" in answer.content.decode()
    assert SelfServiceLink.objects.filter(customer=customer, issued_by=manager).count() == 1
