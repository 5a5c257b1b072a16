"""Deciding about review items (审核), key-field routing, and what the archive shows meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from freightcrm.api.services import api_token_issue
from freightcrm.conftest import valid_uscc
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.choices import CustomerKind, ReviewState
from freightcrm.customers.models import Customer
from freightcrm.customers.search import customer_search
from freightcrm.customers.selectors import customers_visible_to
from freightcrm.customers.services import customer_update
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.models import Submission
from freightcrm.intake.review import (
    ReviewRefused,
    file_for_review,
    propose_changes,
    submission_approve,
    submission_reject,
    submissions_approve,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(role_user):
    clerk = role_user("records_clerk")
    return file_for_review(
        actor=clerk,
        source=Source.IMPORT,
        kind=CustomerKind.ENTERPRISE,
        name="宁波待审物流有限公司",
        uscc=valid_uscc(501),
        address="浙江省宁波市鄞州区天童南路1号",
    )


def test_approving_a_new_customer_files_it_with_the_clerk_in_its_history(waiting, role_user):
    clerk = role_user("records_clerk")
    # when
    submission_approve(actor=clerk, submission=waiting)
    # then
    waiting.refresh_from_db()
    customer = Customer.objects.get(pk=waiting.customer_id)
    assert waiting.state == ReviewState.APPROVED and waiting.decided_by == clerk
    assert customer.review_state == ReviewState.APPROVED
    latest = customer.history.first()
    assert latest.history_user == clerk and latest.history_change_reason
    assert customers_visible_to(clerk).filter(pk=customer.pk).exists()
    assert [c.pk for c in customer_search(clerk, q="待审物流").customers] == [customer.pk]


def test_rejecting_needs_a_reason_and_keeps_the_customer_out_of_the_archive(waiting, role_user):
    clerk = role_user("records_clerk")
    with pytest.raises(ValidationError) as error:
        submission_reject(actor=clerk, submission=waiting, reason="  ")
    assert "reason" in error.value.message_dict
    assert Submission.objects.get(pk=waiting.pk).state == ReviewState.PENDING
    # when
    submission_reject(actor=clerk, submission=waiting, reason="营业执照与名称不符")
    # then
    customer = Customer.objects.get(pk=waiting.customer_id)
    assert customer.review_state == ReviewState.REJECTED
    assert not customers_visible_to(clerk).filter(pk=customer.pk).exists()
    assert Submission.objects.get(pk=waiting.pk).reason == "营业执照与名称不符"


def test_a_second_decision_is_refused(waiting, role_user):
    clerk = role_user("records_clerk")
    submission_approve(actor=clerk, submission=waiting)
    with pytest.raises(ReviewRefused):
        submission_reject(actor=clerk, submission=waiting, reason="重复")
    with pytest.raises(ReviewRefused):
        submission_approve(actor=clerk, submission=waiting)
    assert Customer.objects.get(pk=waiting.customer_id).review_state == ReviewState.APPROVED


def test_an_account_manager_cannot_approve(waiting, role_user):
    manager = role_user("account_manager")
    with pytest.raises(PermissionDeniedError):
        submission_approve(actor=manager, submission=waiting)
    with pytest.raises(PermissionDeniedError):
        submissions_approve(manager, [waiting])
    assert Customer.objects.get(pk=waiting.customer_id).review_state == ReviewState.PENDING


def test_pending_customers_are_not_the_archive(waiting, role_user, admin_user):
    clerk = role_user("records_clerk")
    pk = waiting.customer_id
    for user in (clerk, admin_user):
        assert not customers_visible_to(user).filter(pk=pk).exists()
        assert not customer_search(user, q="待审物流").customers
        assert pk not in [c.pk for c in customer_search(user).customers]
    client = Client()
    client.force_login(clerk)
    assert client.get(f"/admin/customers/customer/{pk}/card/").status_code == 404
    assert "待审物流" not in client.get("/admin/customers/customer/").content.decode()
    code = Customer.objects.get(pk=pk).code
    token = api_token_issue(user=clerk).value
    answer = client.get(f"/api/v1/customers/{code}", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 404


def test_approving_a_change_applies_it_through_the_one_write_path(make_customer, role_user):
    clerk = role_user("records_clerk")
    customer = make_customer(name="杭州快运有限公司")
    submission = propose_changes(
        actor=None, customer=customer, source=Source.SELF_SERVICE, changes={"name": "杭州快运股份有限公司"}
    )
    # when
    submission_approve(actor=clerk, submission=submission)
    # then
    customer.refresh_from_db()
    assert customer.name == "杭州快运股份有限公司"
    assert customer.history.first().history_user == clerk
    assert [c.pk for c in customer_search(clerk, q="杭州快运股份有限公司").customers] == [customer.pk]


def test_a_change_over_a_newer_edit_of_the_same_field_is_refused(make_customer, role_user, admin_user):
    clerk = role_user("records_clerk")
    customer = make_customer(name="杭州快运有限公司")
    submission = propose_changes(
        actor=None, customer=customer, source=Source.SELF_SERVICE, changes={"name": "杭州快运股份有限公司"}
    )
    customer_update(
        actor=admin_user, customer=customer, version=customer.version, name="杭州快运集团有限公司"
    )
    # when / then
    with pytest.raises(ReviewRefused) as refusal:
        submission_approve(actor=clerk, submission=submission)
    assert refusal.value.code == "review_conflict"
    customer.refresh_from_db()
    assert customer.name == "杭州快运集团有限公司"
    assert Submission.objects.get(pk=submission.pk).state == ReviewState.PENDING


def test_a_newer_edit_of_other_fields_is_no_conflict(make_customer, role_user, admin_user):
    clerk = role_user("records_clerk")
    customer = make_customer(name="杭州快运有限公司")
    submission = propose_changes(
        actor=None, customer=customer, source=Source.SELF_SERVICE, changes={"name": "杭州快运股份有限公司"}
    )
    customer_update(actor=admin_user, customer=customer, version=customer.version, short_name="杭快")
    submission_approve(actor=clerk, submission=submission)
    customer.refresh_from_db()
    assert (customer.name, customer.short_name) == ("杭州快运股份有限公司", "杭快")


def test_an_account_managers_name_change_goes_to_review(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(name="苏州速达物流有限公司", owner=manager)
    # when
    result = customer_update(
        actor=manager,
        customer=customer,
        version=customer.version,
        name="苏州速达供应链有限公司",
        short_name="速达",
    )
    # then
    assert result.held_for_review == ("name",)
    customer.refresh_from_db()
    assert (customer.name, customer.short_name) == ("苏州速达物流有限公司", "速达")
    submission = Submission.objects.get(customer=customer)
    assert (submission.kind, submission.source, submission.submitted_by) == (
        SubmissionKind.CHANGE,
        Source.STAFF,
        manager,
    )
    assert submission.base_version == customer.version


def test_a_records_clerks_name_change_is_applied(make_customer, role_user):
    clerk = role_user("records_clerk")
    customer = make_customer(name="苏州速达物流有限公司")
    result = customer_update(
        actor=clerk, customer=customer, version=customer.version, name="苏州速达供应链有限公司"
    )
    assert result.held_for_review == ()
    customer.refresh_from_db()
    assert customer.name == "苏州速达供应链有限公司"
    assert not Submission.objects.exists()


def test_a_credit_analysts_bank_account_goes_to_review_and_a_clerk_applies_it(make_customer, role_user):
    analyst, clerk = role_user("credit_analyst"), role_user("records_clerk")
    customer = make_customer()
    result = customer_update(
        actor=analyst,
        customer=customer,
        version=customer.version,
        bank_account="6222021234567890",
        credit_limit=50000,
    )
    assert result.held_for_review == ("bank_account",)
    customer.refresh_from_db()
    assert not customer.bank_account and customer.credit_limit == 50000
    submission_approve(actor=clerk, submission=Submission.objects.get())
    customer.refresh_from_db()
    assert customer.bank_account == "6222021234567890"


def test_bulk_approval_reports_the_refused_and_approves_the_rest(waiting, role_user, make_customer):
    clerk = role_user("records_clerk")
    customer = make_customer(name="杭州快运有限公司")
    stale = propose_changes(
        actor=None, customer=customer, source=Source.SELF_SERVICE, changes={"name": "甲物流有限公司"}
    )
    customer_update(actor=clerk, customer=customer, version=customer.version, name="乙物流有限公司")
    outcome = submissions_approve(clerk, Submission.objects.filter(state=ReviewState.PENDING))
    assert outcome.approved == 1
    assert [item.pk for item, _message in outcome.refused] == [stale.pk]


# --- the queue pages ----------------------------------------------------------------------------------


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_queue_lists_waiting_items_and_a_clerk_approves_from_the_item_page(
    waiting, role_user, django_assert_max_num_queries
):
    clerk = role_user("records_clerk")
    client = _client(clerk)
    with django_assert_max_num_queries(15):
        page = client.get("/admin/intake/submission/")
    assert page.status_code == 200
    assert "宁波待审物流有限公司" in page.content.decode()
    item = client.get(f"/admin/intake/submission/{waiting.pk}/change/")
    assert "The record as it would be filed" in item.content.decode() or "宁波待审" in item.content.decode()
    # when
    answer = client.post(f"/admin/intake/submission/{waiting.pk}/change/", {"decision": "approve"})
    # then
    assert answer.status_code == 302
    assert Customer.objects.get(pk=waiting.customer_id).review_state == ReviewState.APPROVED


def test_rejecting_without_a_reason_on_the_page_says_so_and_changes_nothing(waiting, role_user):
    client = _client(role_user("records_clerk"))
    answer = client.post(
        f"/admin/intake/submission/{waiting.pk}/change/", {"decision": "reject", "reason": ""}
    )
    assert answer.status_code == 200
    assert Submission.objects.get(pk=waiting.pk).state == ReviewState.PENDING


def test_the_change_page_masks_the_bank_account_for_a_manager(make_customer, role_user):
    customer = make_customer(bank_account="6222021234567890")
    submission = propose_changes(
        actor=None,
        customer=customer,
        source=Source.SELF_SERVICE,
        changes={"bank_account": "6222029876543210"},
    )
    manager = role_user("manager")
    text = _client(manager).get(f"/admin/intake/submission/{submission.pk}/change/").content.decode()
    assert "6222029876543210" not in text and "6222********3210" in text
    clerk_text = _client(role_user("records_clerk")).get(f"/admin/intake/submission/{submission.pk}/change/")
    assert "6222029876543210" in clerk_text.content.decode()


def test_an_account_manager_sees_their_submission_and_its_decision_but_cannot_decide(
    make_customer, role_user
):
    manager = role_user("account_manager")
    clerk = role_user("records_clerk")
    customer = make_customer(name="苏州速达物流有限公司", owner=manager)
    customer_update(actor=manager, customer=customer, version=customer.version, name="苏州速达供应链有限公司")
    submission = Submission.objects.get()
    client = _client(manager)
    assert (
        client.post(f"/admin/intake/submission/{submission.pk}/change/", {"decision": "approve"}).status_code
        == 404
    )
    submission_reject(actor=clerk, submission=submission, reason="名称须与营业执照一致")
    listing = client.get("/admin/intake/submission/?state=all").content.decode()
    assert "名称须与营业执照一致" in listing


def test_the_customer_form_says_a_key_field_change_went_to_review(make_customer, role_user):
    # given an account manager's own customer, its change form as the browser would submit it
    manager = role_user("account_manager")
    customer = make_customer(name="苏州速达物流有限公司", owner=manager)
    client = _client(manager)
    url = f"/admin/customers/customer/{customer.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, [])}
    data.update(
        {
            f"{prefix}-{key}": 0
            for prefix in ("contacts", "addresses", "needs", "documents", "shares")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
    )
    # when the name is changed
    answer = client.post(
        url, {**data, "name": "苏州速达供应链有限公司", "edit_version": customer.version}, follow=True
    )
    # then the name waits for review and the page says so
    shown = [str(message) for message in answer.context["messages"]]
    assert any("审核" in message for message in shown), shown  # 名称的修改已提交审核…
    customer.refresh_from_db()
    assert customer.name == "苏州速达物流有限公司"
    assert Submission.objects.get().changed_fields == ["name"]


def test_contacts_can_still_be_added_to_a_customer_waiting_for_review(waiting, role_user):
    """An import files the customer for review, then adds its contacts from the next sheet."""
    from freightcrm.customers.models import Contact
    from freightcrm.customers.services import customer_part_save

    clerk = role_user("records_clerk")
    customer = Customer.objects.get(pk=waiting.customer_id)
    customer_part_save(actor=clerk, part=Contact(customer=customer, name="李雷", mobile="13912345678"))
    assert customer.contacts.count() == 1
    assert not customers_visible_to(clerk).filter(pk=customer.pk).exists()
