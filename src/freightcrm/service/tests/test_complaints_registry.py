"""What complaints add to shared screens: timeline entries, the due list, the escalation command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from freightcrm.service.complaints.models import Complaint
from freightcrm.service.complaints.registry import due_candidates
from freightcrm.service.complaints.services import complaint_acknowledge, complaints_escalate
from freightcrm.service.due import DUE_SOURCES
from freightcrm.service.tests.complaints_support import at, file
from freightcrm.service.timeline import TIMELINE_SOURCES, customer_timeline

pytestmark = pytest.mark.django_db


def test_timeline_pages_complaints_by_cursor_and_respects_visibility(role_user, make_customer):
    am1, am2 = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    customer = make_customer(actor=am1)
    made = [file(am1, customer, received_at=at(hours=hour)) for hour in range(5)]
    assert "complaint" in TIMELINE_SOURCES
    first = customer_timeline(am1, customer, kinds=["complaint"], page_size=3)
    assert [entry.id for entry in first.entries] == [c.pk for c in reversed(made)][:3]
    assert first.entries[0].title.startswith("投诉") or made[-1].number in first.entries[0].title
    second = customer_timeline(am1, customer, kinds=["complaint"], cursor=first.next_cursor, page_size=3)
    assert [entry.id for entry in second.entries] == [made[1].pk, made[0].pk] and second.next_cursor is None
    assert customer_timeline(am2, customer, kinds=["complaint"]).entries == []
    counts = {k["kind"]: k["count"] for k in first.kinds}
    assert counts["complaint"] == 5
    # roles without complaint rights do not get the kind at all
    assert "complaint" not in {
        k["kind"] for k in customer_timeline(role_user("credit_analyst"), customer).kinds
    }


def test_due_list_has_the_handler_and_managers_for_escalated_ones(role_user, make_customer):
    ops = role_user("operations")
    manager = role_user("manager")
    customer = make_customer()
    critical = file(ops, customer, severity="critical", handler=ops)  # response due T0 + 1 h
    low = file(ops, customer, severity="low", handler=ops, received_at=at(days=-1))  # due T0 - 16 h
    complaint_acknowledge(actor=ops, complaint=low, now=at(hours=-20))  # answered; resolution due in 4 days
    assert "complaint_overdue" in DUE_SOURCES
    today = at().date()
    # before escalation: only the handler, and only for the critical one due today
    items = list(due_candidates(today))
    assert {(i.key, i.assignee_id) for i in items} == {(f"complaint:{critical.pk}", ops.pk)}
    assert items[0].due_on == today and items[0].url.endswith(f"/{critical.pk}/change/")
    # once escalated, the managers get it too, ranked higher
    complaints_escalate(now=at(hours=2))
    items = list(due_candidates(today))
    assert {i.assignee_id for i in items} == {ops.pk, manager.pk}
    assert all(i.priority > 10 for i in items)
    # in five days the low one's resolution is due too
    later = {i.key for i in due_candidates(today + dt.timedelta(days=5))}
    assert later == {f"complaint:{critical.pk}", f"complaint:{low.pk}"}
    assert Group.objects.filter(name="manager").exists()


def test_escalate_command_is_idempotent(role_user, make_customer):
    ops = role_user("operations")
    file(ops, make_customer(), severity="critical")
    out = StringIO()
    call_command("escalate_complaints", "--now", "2026-03-02T11:00:00+08:00", stdout=out)
    call_command("escalate_complaints", "--now", "2026-03-02T11:00:00+08:00", stdout=out)
    assert out.getvalue().splitlines() == ["escalated 1 complaint step(s)", "escalated 0 complaint step(s)"]
    assert Complaint.objects.get().escalation_level == 1
