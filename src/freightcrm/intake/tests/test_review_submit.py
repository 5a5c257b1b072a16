"""The two ways into the review queue: a new customer waiting, and proposed key-field changes."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from freightcrm.conftest import valid_uscc
from freightcrm.customers.choices import CustomerKind, ReviewState
from freightcrm.customers.models import Customer
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.models import Submission
from freightcrm.intake.review import decode_changes, file_for_review, propose_changes

pytestmark = pytest.mark.django_db


def test_a_customer_filed_for_review_waits_as_pending(role_user):
    clerk = role_user("records_clerk")
    submission = file_for_review(
        actor=clerk,
        source=Source.OCR,
        kind=CustomerKind.ENTERPRISE,
        name="上海顺达物流有限公司",
        uscc=valid_uscc(1),
        address="上海市浦东新区张江路1号",
    )
    assert submission.kind == SubmissionKind.NEW
    assert submission.customer.review_state == ReviewState.PENDING
    assert submission.customer.province == "上海市"


def test_invalid_values_are_refused_before_they_reach_the_queue(role_user):
    clerk = role_user("records_clerk")
    with pytest.raises(ValidationError):
        file_for_review(actor=clerk, source=Source.OCR, kind=CustomerKind.ENTERPRISE, name="甲", uscc="123")
    assert not Submission.objects.exists()


def test_proposed_changes_leave_the_customer_untouched_and_are_encrypted(make_customer, role_user):
    customer = make_customer(name="杭州快运有限公司")
    manager = role_user("account_manager")
    submission = propose_changes(
        actor=manager,
        customer=customer,
        source=Source.STAFF,
        changes={"name": "杭州快运股份有限公司", "bank_account": "6222 0212 3456 7890"},
    )
    assert submission is not None and submission.changed_fields == ["bank_account", "name"]
    customer.refresh_from_db()
    assert customer.name == "杭州快运有限公司"
    with connection.cursor() as cursor:
        cursor.execute("select changes from intake_submission where id = %s", [submission.pk])
        assert "6222" not in cursor.fetchone()[0]
    stored = Submission.objects.get(pk=submission.pk)
    assert json.loads(stored.changes)["name"] == "杭州快运股份有限公司"
    assert decode_changes(stored)["name"] == "杭州快运股份有限公司"


def test_proposing_the_current_values_makes_no_submission(make_customer):
    customer = make_customer(name="杭州快运有限公司")
    assert (
        propose_changes(
            actor=None, customer=customer, source=Source.SELF_SERVICE, changes={"name": "杭州快运有限公司"}
        )
        is None
    )


def test_proposed_owner_is_kept_by_id(make_customer, role_user):
    customer = make_customer()
    other = role_user("account_manager", "am_other")
    submission = propose_changes(actor=None, customer=customer, source=Source.STAFF, changes={"owner": other})
    assert decode_changes(Submission.objects.get(pk=submission.pk)) == {"owner_id": other.pk}
    assert Customer.objects.get(pk=customer.pk).owner_id != other.pk
