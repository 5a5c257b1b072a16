"""Visit reads: the due list, the timeline, the calendar and the card, as each role may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from freightcrm.service.due import DUE_SOURCES
from freightcrm.service.tests.factories import moment
from freightcrm.service.timeline import customer_timeline
from freightcrm.service.visits.choices import VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit
from freightcrm.service.visits.selectors import visit_calendar, visits_visible_to

pytestmark = pytest.mark.django_db


def planned(customer, days: int, **fields):
    return Visit.objects.create(
        customer=customer,
        assignee=customer.owner,
        due_on=timezone.localdate() + dt.timedelta(days=days),
        **fields,
    )


def done(customer, days_ago: float, **fields):
    return Visit.objects.create(
        customer=customer,
        assignee=customer.owner,
        status=VisitStatus.DONE,
        due_on=timezone.localdate() - dt.timedelta(days=int(days_ago)),
        visited_at=moment(days_ago),
        content="回访",
        outcome="positive",
        **fields,
    )


def test_due_list_has_visits_due_within_a_week_or_overdue(make_customer, role_user):
    manager = role_user("account_manager")
    soon, late, far = (make_customer(owner=manager) for _ in range(3))
    planned(soon, 6)
    overdue = planned(late, -3)
    planned(far, 20)
    followed = make_customer(owner=manager)
    follow_up = planned(followed, 30, source=VisitSource.SURVEY)
    today = timezone.localdate()
    due = list(DUE_SOURCES["visit_due"].collect(today))
    assert {c.customer_id for c in due} == {soon.pk, late.pk}
    assert all(c.assignee_id == manager.pk for c in due)
    assert next(c for c in due if c.key == f"visit:{overdue.pk}").priority == 1
    assert [c.key for c in DUE_SOURCES["survey_followup"].collect(today)] == [f"visit:{follow_up.pk}"]


def test_timeline_pages_through_done_visits_newest_first(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    visits = [done(customer, days) for days in (1, 2, 3, 4, 5)]
    planned(customer, 3)
    first = customer_timeline(manager, customer, kinds=["visit"], page_size=3)
    assert [e.id for e in first.entries] == [v.pk for v in visits[:3]]
    second = customer_timeline(manager, customer, kinds=["visit"], cursor=first.next_cursor, page_size=3)
    assert [e.id for e in second.entries] == [v.pk for v in visits[3:]] and second.next_cursor is None
    assert next(k for k in first.kinds if k["kind"] == "visit")["count"] == 5


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("front_desk", True),
        ("manager", True),
        ("auditor", True),
        ("records_clerk", True),
        ("operations", False),
        ("credit_analyst", False),
    ],
)
def test_who_sees_visits(make_customer, role_user, role, sees):
    customer = make_customer(owner=role_user("account_manager"))
    done(customer, 2)
    assert visits_visible_to(role_user(role)).exists() is sees


def test_account_managers_see_only_their_portfolio(make_customer, role_user):
    mine, theirs = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    done(make_customer(owner=mine), 2)
    other = done(make_customer(owner=theirs), 2)
    assert other not in visits_visible_to(mine) and visits_visible_to(mine).count() == 1


def test_calendar_places_due_and_done_visits_on_their_days(make_customer, role_user):
    manager = role_user("account_manager")
    customer, other = make_customer(owner=manager), make_customer(owner=manager)
    visit = done(customer, 0.0 if timezone.localtime().hour >= 10 else 1)
    due = planned(other, 2)
    today = timezone.localdate()
    grid = visit_calendar(manager, assignee_id=manager.pk, year=today.year, month=today.month)
    days = {day["date"]: day for week in grid["weeks"] for day in week}
    local = timezone.localtime(visit.visited_at).date()
    assert [item["visit"] for item in days[local]["items"]] == [visit]
    if due.due_on in days:
        assert days[due.due_on]["items"][0]["state"] == "planned"


def test_calendar_page_for_an_account_manager_and_a_manager_choosing(
    make_customer, role_user, django_assert_max_num_queries
):
    am = role_user("account_manager")
    for _ in range(4):
        done(make_customer(owner=am), 3)
        planned(make_customer(owner=am), 1)
    client = Client()
    client.force_login(am)
    with django_assert_max_num_queries(12):
        response = client.get("/admin/service/visit/calendar/")
    assert response.status_code == 200 and "fc-calendar" in response.content.decode()
    # an account manager cannot open someone else's calendar
    boss = role_user("manager")
    assert client.get(f"/admin/service/visit/calendar/?user={boss.pk}").status_code == 404
    client.force_login(boss)
    page = client.get(f"/admin/service/visit/calendar/?user={am.pk}")
    assert page.status_code == 200 and 'name="user"' in page.content.decode()


def test_recording_in_the_future_on_the_page_shows_the_message(make_customer, role_user):
    am = role_user("account_manager")
    visit = planned(make_customer(owner=am), 0)
    client = Client()
    client.force_login(am)
    tomorrow = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/admin/service/visit/{visit.pk}/record/",
        {"visited_at": tomorrow, "mode": "phone", "content": "电话回访", "outcome": "positive"},
    )
    assert response.status_code == 400
    assert "已完成的回访不能填写未来的时间" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == VisitStatus.PLANNED


def test_customer_card_shows_the_visits_section(make_customer, role_user):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    done(customer, 4)
    client = Client()
    client.force_login(am)
    page = client.get(f"/admin/customers/customer/{customer.pk}/card/").content.decode()
    assert (
        'id="section-visits"' in page
        and 'id="section-surveys"' in page
        and 'id="section-interactions"' in page
    )


def test_visit_list_page_query_count(make_customer, role_user, django_assert_max_num_queries):
    am = role_user("account_manager")
    for days in range(10):
        done(make_customer(owner=am), days + 1)
    client = Client()
    client.force_login(am)
    with django_assert_max_num_queries(12):
        assert client.get("/admin/service/visit/").status_code == 200


def test_every_visit_page_opens_for_the_account_manager(make_customer, role_user):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    visit = planned(customer, 2)
    past = done(make_customer(owner=am), 3)
    client = Client()
    client.force_login(am)
    for url in (
        f"/admin/service/visit/{visit.pk}/change/",
        f"/admin/service/visit/{past.pk}/change/",
        f"/admin/service/visit/{visit.pk}/record/",
        f"/admin/service/visit/{visit.pk}/reschedule/",
        f"/admin/service/visit/{visit.pk}/cancel/",
        f"/admin/service/visit/schedule/{customer.pk}/",
        f"/admin/service/visit/record/{customer.pk}/",
        f"/admin/service/surveyinvitation/send/{customer.pk}/",
        "/admin/service/surveyinvitation/",
        "/admin/service/interaction/",
        "/admin/service/visitrule/",
    ):
        assert client.get(url).status_code == 200, url
    # a visit of another portfolio is not found
    other = planned(make_customer(owner=role_user("account_manager", "am2")), 2)
    assert client.get(f"/admin/service/visit/{other.pk}/record/").status_code == 404
    # rescheduling and cancelling through the pages
    moved = client.post(f"/admin/service/visit/{visit.pk}/reschedule/", {"due_on": "2000-01-01"})
    assert moved.status_code == 400
    assert client.post(f"/admin/service/visit/{visit.pk}/cancel/", {"reason": "客户出差"}).status_code == 302
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED
