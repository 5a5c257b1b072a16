"""The complaint state machine, targets and escalation, with time passed in (frozen)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.service.complaints.choices import TRANSITIONS, Action, State
from freightcrm.service.complaints.models import Complaint, ComplaintEvent, ComplaintTarget
from freightcrm.service.complaints.services import (
    InvalidTransition,
    complaint_acknowledge,
    complaint_apply,
    complaint_assign,
    complaint_close,
    complaint_confirm,
    complaint_investigate,
    complaint_reopen,
    complaint_resolve,
    complaints_escalate,
)
from freightcrm.service.tests.complaints_support import T0, at, file, shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(role_user):
    return role_user("operations")


@pytest.fixture
def customer(make_customer):
    return make_customer()


def move_to(complaint, state, actor):
    path = {
        State.RECEIVED: [],
        State.ACKNOWLEDGED: ["acknowledge"],
        State.INVESTIGATING: ["acknowledge", "investigate"],
        State.RESOLVED: ["acknowledge", "investigate", "resolve"],
        State.CLOSED: ["acknowledge", "investigate", "resolve", "close"],
    }[state]
    for hours, action in enumerate(path, start=1):
        complaint_apply(
            actor=actor, complaint=complaint, action=action, resolution="已赔付并致歉", now=at(hours)
        )
    complaint.refresh_from_db()
    assert complaint.state == state
    return complaint


def test_filing_numbers_and_due_times_follow_the_severity_target(ops, customer):
    # given the seeded targets (critical 1 h / 24 h, low 8 h / 120 h)
    # when two complaints come in on the same day
    first = file(ops, customer, severity="critical")
    second = file(ops, customer, severity="low", received_at=at(hours=2))
    # then they are numbered by day, and due times are received + target hours
    assert first.number == "TS202603020001"
    assert second.number == "TS202603020002"
    assert first.response_due_at == at(hours=1) and first.resolution_due_at == at(hours=24)
    assert second.response_due_at == at(hours=10) and second.resolution_due_at == at(hours=122)
    assert first.state == State.RECEIVED
    assert list(first.events.values_list("action", "to_state")) == [("file", "received")]


def test_targets_edited_by_a_manager_apply_to_new_complaints_only(ops, customer):
    before = file(ops, customer, severity="normal")
    ComplaintTarget.objects.filter(severity="normal").update(response_hours=2, resolution_hours=10)
    after = file(ops, customer, severity="normal")
    before.refresh_from_db()
    assert before.response_due_at == at(hours=4)
    assert after.response_due_at == at(hours=2) and after.resolution_due_at == at(hours=10)


def test_filing_refuses_a_shipment_or_contact_of_another_customer(ops, customer, make_customer):
    other = make_customer()
    foreign = shipment(other)
    with pytest.raises(ValidationError) as error:
        file(ops, customer, shipment=foreign)
    assert "shipment" in error.value.message_dict
    assert not Complaint.objects.exists()


def test_filing_refuses_empty_description_and_future_time(ops, customer):
    with pytest.raises(ValidationError) as error:
        file(ops, customer, description="  ", now=at(), received_at=at(days=1))
    assert set(error.value.message_dict) == {"description", "received_at"}
    assert not Complaint.objects.exists()


ALL_ACTIONS = [Action.ACKNOWLEDGE, Action.INVESTIGATE, Action.RESOLVE, Action.CLOSE, Action.REOPEN]
STATES = [State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING, State.RESOLVED, State.CLOSED]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_every_transition_is_allowed_or_refused_as_the_table_says(ops, customer, state, action):
    # given a complaint in `state`
    complaint = move_to(file(ops, customer), state, ops)
    events_before = complaint.events.count()
    sources, target = TRANSITIONS[action]
    kwargs = {"resolution": "已退还多收运费", "note": "客户再次来电"}
    # when `action` is applied
    if state in sources:
        complaint_apply(actor=ops, complaint=complaint, action=action, now=at(10), **kwargs)
        complaint.refresh_from_db()
        # then it moves and the move is logged
        assert complaint.state == target
        last = complaint.events.order_by("-pk").first()
        assert (last.action, last.from_state, last.to_state) == (action, state, target)
    else:
        with pytest.raises(InvalidTransition):
            complaint_apply(actor=ops, complaint=complaint, action=action, now=at(10), **kwargs)
        complaint.refresh_from_db()
        # then nothing changed
        assert complaint.state == state
        assert complaint.events.count() == events_before


def test_closing_an_unresolved_complaint_is_refused(ops, customer):
    complaint = move_to(file(ops, customer), State.INVESTIGATING, ops)
    with pytest.raises(InvalidTransition) as error:
        complaint_close(actor=ops, complaint=complaint, now=at(5))
    assert error.value.code == "invalid_transition" and error.value.status == 409
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING and complaint.closed_at is None


def test_resolving_needs_a_resolution_and_a_valid_compensation(ops, customer):
    complaint = move_to(file(ops, customer), State.INVESTIGATING, ops)
    with pytest.raises(ValidationError) as error:
        complaint_resolve(actor=ops, complaint=complaint, resolution=" ", now=at(5))
    assert "resolution" in error.value.message_dict
    for bad in ("-1", "abc", "1.234", "NaN"):
        with pytest.raises(ValidationError) as error:
            complaint_resolve(
                actor=ops, complaint=complaint, resolution="赔付", compensation_amount=bad, now=at(5)
            )
        assert "compensation_amount" in error.value.message_dict
    complaint.refresh_from_db()
    assert complaint.state == State.INVESTIGATING
    complaint_resolve(
        actor=ops, complaint=complaint, resolution="按声明价值赔付", compensation_amount="350.50", now=at(5)
    )
    assert complaint.state == State.RESOLVED
    assert complaint.compensation_amount == Decimal("350.50") and complaint.resolved_at == at(5)


def test_steps_record_their_times_and_the_acknowledger_becomes_handler(ops, customer):
    complaint = file(ops, customer)
    complaint_acknowledge(actor=ops, complaint=complaint, now=at(1))
    complaint_investigate(actor=ops, complaint=complaint, now=at(2))
    complaint_resolve(actor=ops, complaint=complaint, resolution="补发", now=at(30))
    complaint_close(actor=ops, complaint=complaint, now=at(40))
    assert (
        complaint.acknowledged_at,
        complaint.investigating_at,
        complaint.resolved_at,
        complaint.closed_at,
    ) == (at(1), at(2), at(30), at(40))
    assert complaint.handler == ops


def test_reopen_from_resolved_and_closed_is_counted_and_needs_a_reason(ops, customer):
    complaint = move_to(file(ops, customer), State.CLOSED, ops)
    with pytest.raises(ValidationError):
        complaint_reopen(actor=ops, complaint=complaint, note="", now=at(20))
    complaint_reopen(actor=ops, complaint=complaint, note="客户称赔付未到账", now=at(20))
    assert complaint.state == State.INVESTIGATING and complaint.reopen_count == 1
    assert complaint.resolved_at is None and complaint.closed_at is None
    assert (
        "已赔付并致歉" in complaint.events.order_by("-pk").first().note
    )  # the earlier resolution stays on record
    complaint_resolve(actor=ops, complaint=complaint, resolution="补发赔款", now=at(21))
    complaint_reopen(actor=ops, complaint=complaint, note="仍未到账", now=at(22))
    assert complaint.reopen_count == 2


def test_confirmation_only_when_resolved_and_disputes_need_a_note(ops, customer):
    complaint = move_to(file(ops, customer), State.INVESTIGATING, ops)
    with pytest.raises(InvalidTransition):
        complaint_confirm(actor=ops, complaint=complaint, confirmation="confirmed", now=at(5))
    complaint_resolve(actor=ops, complaint=complaint, resolution="退款", now=at(5))
    with pytest.raises(ValidationError):
        complaint_confirm(actor=ops, complaint=complaint, confirmation="disputed", now=at(6))
    with pytest.raises(ValidationError):
        complaint_confirm(actor=ops, complaint=complaint, confirmation="maybe", now=at(6))
    complaint_confirm(actor=ops, complaint=complaint, confirmation="disputed", note="金额偏低", now=at(6))
    assert complaint.confirmation == "disputed" and complaint.confirmed_at == at(6)


def test_assign_needs_a_handler_who_may_handle_and_see_the_customer(ops, customer, role_user):
    complaint = file(ops, customer)
    clerk = role_user("front_desk")
    with pytest.raises(ValidationError):
        complaint_assign(actor=ops, complaint=complaint, handler=clerk, now=at(1))
    stranger = role_user("account_manager", "am_other")
    with pytest.raises(ValidationError):
        complaint_assign(actor=ops, complaint=complaint, handler=stranger, now=at(1))
    manager = role_user("manager")
    complaint_assign(actor=ops, complaint=complaint, handler=manager, now=at(1))
    assert complaint.handler == manager
    assert complaint.events.filter(action="assign").count() == 1


def test_front_desk_files_but_may_not_move(role_user, customer):
    clerk = role_user("front_desk")
    complaint = file(clerk, customer)
    with pytest.raises(PermissionDeniedError):
        complaint_acknowledge(actor=clerk, complaint=complaint, now=at(1))
    complaint.refresh_from_db()
    assert complaint.state == State.RECEIVED


def test_account_manager_may_not_file_for_someone_elses_customer(role_user, make_customer):
    mine_am = role_user("account_manager", "am1")
    other_am = role_user("account_manager", "am2")
    theirs = make_customer(actor=other_am)
    with pytest.raises(PermissionDeniedError):
        file(mine_am, theirs)
    mine = make_customer(actor=mine_am)
    assert file(mine_am, mine).customer == mine


def test_escalation_with_frozen_time_is_idempotent(ops, customer):
    # given a critical complaint (1 h / 24 h) and a low one (8 h / 120 h), both received at T0
    critical = file(ops, customer, severity="critical")
    low = file(ops, customer, severity="low")
    # when nothing is due yet
    assert complaints_escalate(now=at(hours=0.5)) == 0
    # then at 1.5 h the critical one is escalated for its response, once
    assert complaints_escalate(now=at(hours=1.5)) == 1
    assert complaints_escalate(now=at(hours=1.5)) == 0
    critical.refresh_from_db()
    assert critical.escalation_level == 1 and critical.escalated_at == at(hours=1.5)
    # and acknowledging does not undo the escalation; past 24 h unresolved it goes to level 2
    complaint_acknowledge(actor=ops, complaint=critical, now=at(hours=2))
    assert complaints_escalate(now=at(hours=9)) == 1  # the low one's response (8 h)
    assert complaints_escalate(now=at(hours=25)) == 1  # critical's resolution
    critical.refresh_from_db()
    low.refresh_from_db()
    assert critical.escalation_level == 2 and critical.escalated_at == at(hours=1.5)
    assert low.escalation_level == 1
    assert ComplaintEvent.objects.filter(action="escalate").count() == 3
    assert complaints_escalate(now=at(hours=25)) == 0


def test_resolved_complaints_are_not_escalated(ops, customer):
    complaint = move_to(file(ops, customer, severity="critical"), State.RESOLVED, ops)
    assert complaints_escalate(now=at(days=30)) == 0
    complaint.refresh_from_db()
    assert complaint.escalation_level == 0


def test_database_refuses_negative_compensation_and_resolved_without_text(ops, customer):
    complaint = file(ops, customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(compensation_amount=Decimal("-1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(state=State.RESOLVED, acknowledged_at=T0)


def test_the_escalation_task_escalates_and_books_its_next_run(ops, customer):
    from django.test import override_settings
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from freightcrm.service.complaints import tasks

    # given a critical complaint received long ago and never answered
    critical = file(ops, customer, severity="critical")
    # when the task runs (the immediate backend in tests: it runs at once and books nothing)
    result = tasks.escalate_overdue_complaints.enqueue()
    # then the complaint is escalated
    assert result.status == "SUCCESSFUL" and result.return_value == 2  # a step for each target
    critical.refresh_from_db()
    assert critical.escalation_level == 2  # both its response and its resolution are overdue
    # and with the database backend exactly one next run is booked, ten minutes ahead
    db_tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    with override_settings(TASKS=db_tasks):
        now = timezone.now()
        first = tasks.schedule_next_escalation(now=now)
        second = tasks.schedule_next_escalation(now=now)
    assert first == second == now + dt.timedelta(minutes=10)
    assert DBTaskResult.objects.filter(task_path=tasks.escalate_overdue_complaints.module_path).count() == 1
