"""The daily background task (immediate backend in tests) and how it books its next run."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from freightcrm.service import due
from freightcrm.service.care import tasks
from freightcrm.service.care.models import DueItem
from freightcrm.service.due import DueCandidate, DueSource

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def one_candidate(user_id: int) -> DueSource:
    def collect(today: dt.date) -> Any:
        yield DueCandidate(kind="test", key=today.isoformat(), assignee_id=user_id, due_on=today, title="做")

    return DueSource("test", "test", collect)


def test_the_task_refreshes_the_due_lists_for_the_given_day(role_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    monkeypatch.setattr(due, "DUE_SOURCES", {"test": one_candidate(user.pk)})

    result = tasks.refresh_due_items.enqueue("2027-03-01")

    assert result.status == "SUCCESSFUL"
    assert result.return_value["due_items_refresh"]["candidates"] == 1
    assert DueItem.objects.get().due_on == dt.date(2027, 3, 1)


def test_next_daily_run_is_the_next_configured_local_time() -> None:
    tz = timezone.get_current_timezone()
    before = dt.datetime(2027, 3, 1, 1, 0, tzinfo=tz)
    after = dt.datetime(2027, 3, 1, 2, 30, tzinfo=tz)
    assert tasks.next_daily_run(before) == dt.datetime(2027, 3, 1, 2, 30, tzinfo=tz)
    assert tasks.next_daily_run(after) == dt.datetime(2027, 3, 2, 2, 30, tzinfo=tz)


def test_nothing_to_schedule_when_tasks_run_at_once(db: Any) -> None:
    assert tasks.schedule_next_refresh() is None


@pytest.mark.django_db
def test_scheduling_with_the_database_backend_books_one_run() -> None:
    with override_settings(TASKS=DB_TASKS):
        now = timezone.now()
        first = tasks.schedule_next_refresh(now=now)
        second = tasks.schedule_next_refresh(now=now)
        out = StringIO()
        call_command("schedule_daily_tasks", stdout=out)

    assert first == second == tasks.next_daily_run(now)
    assert DBTaskResult.objects.filter(task_path=tasks.refresh_due_items.module_path).count() == 1
    assert "next refresh_due_items run" in out.getvalue()


def test_the_command_refreshes_now(role_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    monkeypatch.setattr(due, "DUE_SOURCES", {"test": one_candidate(user.pk)})
    out = StringIO()

    call_command("refresh_due_items", "--date", "2027-03-02", stdout=out)

    assert '"candidates": 1' in out.getvalue()
    assert DueItem.objects.get().key == "2027-03-02"
