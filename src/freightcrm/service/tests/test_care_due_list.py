"""The due list page (我的待办): grouping, done and snooze buttons, managers viewing others' lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from freightcrm.service.care.models import DueItem

URL = "/admin/service/dueitem/"


@pytest.fixture
def items(make_customer, role_user):  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    customer = make_customer(owner=owner, name="杭州顺达冷链有限公司")
    today = timezone.localdate()
    made = {}
    for name, offset in (("overdue", -2), ("today", 0), ("soon", 3), ("later", 20)):
        made[name] = DueItem.objects.create(
            assignee=owner,
            kind="birthday",
            key=name,
            customer=customer,
            title=f"事项 {name}",
            due_on=today + dt.timedelta(days=offset),
            url="/admin/",
        )
    DueItem.objects.create(
        assignee=owner,
        kind="checkin",
        key="snoozed",
        title="事项 snoozed",
        due_on=today,
        snoozed_until=today + dt.timedelta(days=2),
    )
    DueItem.objects.create(
        assignee=owner, kind="checkin", key="done", title="事项 done", due_on=today, done_at=timezone.now()
    )
    return made


def login(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_the_list_groups_overdue_today_and_the_week_ahead(
    items, role_user, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = login(role_user("account_manager"))
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert response.status_code == 200
    groups = {g["key"]: [row["item"].key for row in g["rows"]] for g in response.context["due"]["groups"]}
    assert groups == {"overdue": ["overdue"], "today": ["today"], "upcoming": ["soon"]}
    html = response.content.decode()
    assert "我的待办" in html and "杭州顺达冷链有限公司" in html and "已逾期" in html
    assert response.context["due"]["snoozed"] == 1


def test_done_and_snooze_buttons(items, role_user) -> None:  # type: ignore[no-untyped-def]
    client = login(role_user("account_manager"))

    response = client.post(reverse("admin:service_dueitem_done", args=[items["today"].pk]))
    assert response.status_code == 302
    client.post(reverse("admin:service_dueitem_snooze", args=[items["overdue"].pk]), {"days": "7"})
    client.post(reverse("admin:service_dueitem_snooze", args=[items["soon"].pk]), {"days": "abc"})

    items["today"].refresh_from_db()
    items["overdue"].refresh_from_db()
    items["soon"].refresh_from_db()
    assert items["today"].done_at is not None
    assert items["overdue"].snoozed_until == timezone.localdate() + dt.timedelta(days=7)
    assert items["soon"].snoozed_until is None
    assert client.get(reverse("admin:service_dueitem_done", args=[items["soon"].pk])).status_code == 405


def test_nobody_else_ticks_off_or_reads_my_list(items, role_user) -> None:  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    other = login(role_user("account_manager", "am_other"))

    other.post(reverse("admin:service_dueitem_done", args=[items["today"].pk]))
    items["today"].refresh_from_db()
    assert items["today"].done_at is None
    assert other.get(URL, {"user": owner.pk}).status_code == 404
    assert other.get(URL, {"user": "x"}).status_code == 404


def test_a_manager_views_an_account_managers_list_without_buttons(items, role_user) -> None:  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    manager = login(role_user("manager"))

    response = manager.get(URL, {"user": owner.pk})

    assert response.status_code == 200
    assert response.context["due"]["total"] == 3
    assert not response.context["due"]["own"]
    assert reverse("admin:service_dueitem_done", args=[items["today"].pk]) not in response.content.decode()
    assert {o["id"] for o in response.context["owners"]} >= {owner.pk}


def test_the_sidebar_links_the_list(items, role_user) -> None:  # type: ignore[no-untyped-def]
    html = login(role_user("account_manager")).get("/admin/").content.decode()
    assert URL in html
