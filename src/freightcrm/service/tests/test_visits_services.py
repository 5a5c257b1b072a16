"""Return visits: rules, idempotent generation, recording (never in the future), cancel, reschedule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.service.tests.factories import contact, moment, rule, tag
from freightcrm.service.visits.choices import VisitOutcome, VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit, VisitRule
from freightcrm.service.visits.services import (
    add_months,
    rule_customers,
    visit_cancel,
    visit_plans_generate,
    visit_record,
    visit_reschedule,
    visit_schedule,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_default_rules():
    VisitRule.objects.all().delete()  # the migration's two rules; each test makes its own


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)
    assert add_months(dt.date(2026, 3, 31), -1) == dt.date(2026, 2, 28)


def test_a_rule_selects_by_tag_status_kind_and_minimum_spend(make_customer):
    # given customers that differ in one condition each
    strategic = make_customer(annual_logistics_spend=Decimal("800"))
    strategic.tags.add(tag("战略客户"))
    untagged = make_customer(annual_logistics_spend=Decimal("800"))
    small = make_customer(annual_logistics_spend=Decimal("20"))
    small.tags.add(tag("战略客户"))
    dormant = make_customer(annual_logistics_spend=Decimal("800"), status="dormant")
    dormant.tags.add(tag("战略客户"))
    # when the rule asks for all four conditions
    chosen = rule(
        "战略", months=1, tag_name="战略客户", status="active", kind="E", min_annual_spend=Decimal("100")
    )
    # then only the customer meeting all of them is selected
    assert list(rule_customers(chosen)) == [strategic]
    assert set(rule_customers(rule("全部企业", months=6, kind="E"))) == {strategic, untagged, small, dormant}


def test_generation_plans_due_visits_for_the_owner_and_is_idempotent(make_customer, role_user):
    # given a monthly rule, a customer never visited and one visited 10 days ago, and one without owner
    manager = role_user("account_manager")
    never = make_customer(owner=manager)
    recent = make_customer(owner=manager)
    orphan = make_customer()
    for customer in (never, recent, orphan):
        customer.tags.add(tag("战略客户"))
    monthly = rule("战略客户每月回访", months=1, tag_name="战略客户")
    Visit.objects.create(
        customer=recent, status=VisitStatus.DONE, due_on=timezone.localdate(), visited_at=moment(10)
    )
    today = timezone.localdate()
    # when plans are generated twice
    first = visit_plans_generate(today=today)
    second = visit_plans_generate(today=today)
    # then each owned customer has exactly one planned visit, due as the rule says
    assert (first, second) == (2, 0)
    planned = {v.customer_id: v for v in Visit.objects.filter(status=VisitStatus.PLANNED)}
    assert set(planned) == {never.pk, recent.pk}
    assert planned[never.pk].due_on == today
    assert planned[recent.pk].due_on == add_months(today - dt.timedelta(days=10), 1)
    assert planned[never.pk].assignee == manager and planned[never.pk].rule == monthly
    assert planned[never.pk].source == VisitSource.RULE


def test_generation_leaves_visits_beyond_the_horizon_and_prefers_the_shorter_interval(
    make_customer, role_user
):
    manager = role_user("account_manager")
    both = make_customer(owner=manager)
    both.tags.add(tag("战略客户"), tag("VIP"))
    quarterly_only = make_customer(owner=manager)
    quarterly_only.tags.add(tag("VIP"))
    Visit.objects.create(
        customer=quarterly_only, status=VisitStatus.DONE, due_on=timezone.localdate(), visited_at=moment(5)
    )
    rule("VIP 每季度", months=3, tag_name="VIP")
    monthly = rule("战略每月", months=1, tag_name="战略客户")
    visit_plans_generate(today=timezone.localdate())
    assert Visit.objects.get(customer=both, status=VisitStatus.PLANNED).rule == monthly
    # the quarterly customer's next visit is ~85 days away: beyond the 31-day horizon, not planned yet
    assert not Visit.objects.filter(customer=quarterly_only, status=VisitStatus.PLANNED).exists()


def test_inactive_rules_plan_nothing(make_customer, role_user):
    customer = make_customer(owner=role_user("account_manager"))
    customer.tags.add(tag("VIP"))
    rule("停用", months=1, tag_name="VIP", is_active=False)
    assert visit_plans_generate(today=timezone.localdate()) == 0


def test_a_visit_recorded_as_done_cannot_be_dated_in_the_future(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    visit = visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate())
    # when the manager records it with tomorrow's date
    with pytest.raises(ValidationError) as refused:
        visit_record(
            actor=manager,
            visit=visit,
            visited_at=timezone.now() + dt.timedelta(days=1),
            mode="phone",
            content="回访",
            outcome=VisitOutcome.POSITIVE,
        )
    # then it is refused with a clear message on the date, and nothing changed
    assert "future" in str(refused.value.message_dict["visited_at"]) or "未来" in str(
        refused.value.message_dict["visited_at"]
    )
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED and visit.visited_at is None


def test_recording_a_visit_keeps_participants_and_plans_the_next(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    person = contact(customer, "李静")
    visit = visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate())
    next_on = timezone.localdate() + dt.timedelta(days=30)
    done = visit_record(
        actor=manager,
        visit=visit,
        visited_at=moment(0, 9) if moment(0, 9) < timezone.now() else moment(1),
        mode="on_site",
        content="季度业务回顾，客户满意。",
        outcome=VisitOutcome.POSITIVE,
        contacts=[person],
        next_actions="发送新线路报价",
        next_visit_on=next_on,
    )
    assert done.status == VisitStatus.DONE and list(done.contacts.all()) == [person]
    assert list(done.staff.all()) == [manager]
    assert Visit.objects.get(customer=customer, status=VisitStatus.PLANNED).due_on == next_on


def test_contacts_of_another_customer_cannot_take_part(make_customer, role_user):
    manager = role_user("account_manager")
    customer, other = make_customer(owner=manager), make_customer(owner=manager)
    with pytest.raises(ValidationError) as refused:
        visit_record(
            actor=manager,
            customer=customer,
            visited_at=moment(1),
            mode="phone",
            content="电话回访",
            outcome="neutral",
            contacts=[contact(other)],
        )
    assert "contacts" in refused.value.message_dict
    assert not Visit.objects.exists()


def test_only_one_planned_visit_per_customer(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate())
    with pytest.raises(ValidationError):
        visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate() + dt.timedelta(days=3))


def test_cancel_and_reschedule_only_planned_visits(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    visit = visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate())
    with pytest.raises(ValidationError):
        visit_reschedule(actor=manager, visit=visit, due_on=timezone.localdate() - dt.timedelta(days=2))
    moved = visit_reschedule(actor=manager, visit=visit, due_on=timezone.localdate() + dt.timedelta(days=9))
    assert moved.due_on == timezone.localdate() + dt.timedelta(days=9)
    with pytest.raises(ValidationError):
        visit_cancel(actor=manager, visit=visit, reason="  ")
    cancelled = visit_cancel(actor=manager, visit=visit, reason="客户出差")
    assert cancelled.status == VisitStatus.CANCELLED
    with pytest.raises(ValidationError):
        visit_reschedule(actor=manager, visit=visit, due_on=timezone.localdate() + dt.timedelta(days=12))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("account_manager", True),
        ("front_desk", False),
        ("manager", False),
        ("auditor", False),
        ("operations", False),
    ],
)
def test_who_may_plan_a_visit(make_customer, role_user, role, allowed):
    user = role_user(role)
    customer = make_customer(owner=user if role == "account_manager" else None)
    if allowed:
        assert visit_schedule(actor=user, customer=customer, due_on=timezone.localdate())
    else:
        with pytest.raises(PermissionDeniedError):
            visit_schedule(actor=user, customer=customer, due_on=timezone.localdate())


def test_an_account_manager_may_not_record_visits_of_another_portfolio(make_customer, role_user):
    mine, theirs = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    customer = make_customer(owner=theirs)
    visit = visit_schedule(actor=theirs, customer=customer, due_on=timezone.localdate())
    with pytest.raises(PermissionDeniedError):
        visit_record(
            actor=mine, visit=visit, visited_at=moment(1), mode="phone", content="x", outcome="neutral"
        )


def test_the_command_plans_once(make_customer, role_user, capsys):
    from django.core.management import call_command

    customer = make_customer(owner=role_user("account_manager"))
    customer.tags.add(tag("VIP"))
    rule("VIP 每季度", months=3, tag_name="VIP")
    call_command("plan_visits")
    call_command("plan_visits")
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"plan_visits: 1 visits planned for {timezone.localdate():%Y-%m-%d}",
        f"plan_visits: 0 visits planned for {timezone.localdate():%Y-%m-%d}",
    ]
