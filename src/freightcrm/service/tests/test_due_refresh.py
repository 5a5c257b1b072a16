"""`due_items_refresh` and the user's own services on due items (done, snooze)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from freightcrm.service import due
from freightcrm.service.care import services
from freightcrm.service.care.models import DueItem
from freightcrm.service.due import DueCandidate, DueSource

TODAY = dt.date(2027, 3, 1)


@pytest.fixture
def only_source(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace every registered due source by the ones a test gives."""

    def install(*sources: DueSource) -> None:
        monkeypatch.setattr(due, "DUE_SOURCES", {s.kind: s for s in sources})

    return install


def candidates(user_id: int, keys: list[str], kind: str = "test") -> DueSource:
    def collect(today: dt.date) -> Iterator[DueCandidate]:
        for key in keys:
            yield DueCandidate(kind=kind, key=key, assignee_id=user_id, due_on=today, title=f"做 {key}")

    return DueSource(kind, kind, collect)


def open_keys() -> set[str]:
    return set(
        DueItem.objects.filter(done_at__isnull=True, closed_at__isnull=True).values_list("key", flat=True)
    )


def test_refresh_inserts_once_and_is_idempotent(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    keys = ["a", "b", "b", "c"]  # a source may repeat itself
    only_source(candidates(user.pk, keys))

    first = services.due_items_refresh(today=TODAY, batch_size=2)
    services.due_items_refresh(today=TODAY, batch_size=2)

    assert first.closed == 0
    assert DueItem.objects.count() == 3
    assert open_keys() == {"a", "b", "c"}


def test_refresh_closes_gone_candidates_and_reopens_returning_ones(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a", "b"]))
    services.due_items_refresh(today=TODAY)

    only_source(candidates(user.pk, ["a"]))
    result = services.due_items_refresh(today=TODAY)
    assert result.closed == 1
    assert open_keys() == {"a"}

    only_source(candidates(user.pk, ["a", "b"]))
    services.due_items_refresh(today=TODAY)
    assert open_keys() == {"a", "b"}
    assert DueItem.objects.count() == 2


def test_done_and_snoozed_state_survive_refreshes(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a", "b"]))
    services.due_items_refresh(today=TODAY)
    a = DueItem.objects.get(key="a")
    b = DueItem.objects.get(key="b")

    services.due_item_done(actor=user, item_id=a.pk)
    services.due_item_snooze(actor=user, item_id=b.pk, until=TODAY + dt.timedelta(days=3), today=TODAY)
    services.due_items_refresh(today=TODAY)

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.done_at is not None and a.closed_at is None
    assert b.snoozed_until == TODAY + dt.timedelta(days=3) and b.is_open


def test_a_failing_source_keeps_its_items(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a"], kind="flaky"), candidates(user.pk, ["x"], kind="steady"))
    services.due_items_refresh(today=TODAY)

    def broken(today: dt.date) -> Iterator[DueCandidate]:
        yield DueCandidate(kind="flaky", key="a2", assignee_id=user.pk, due_on=today, title="半途")
        raise RuntimeError("source down")

    only_source(DueSource("flaky", "flaky", broken), candidates(user.pk, [], kind="steady"))
    result = services.due_items_refresh(today=TODAY, batch_size=1)

    assert result.failed_kinds == ("flaky",)
    assert open_keys() == {"a"}  # the steady kind's item is gone, the flaky one's kept, nothing half-saved


def test_only_the_assignee_ticks_off_an_item(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    owner = role_user("account_manager")
    other = role_user("account_manager", "am_other")
    only_source(candidates(owner.pk, ["a"]))
    services.due_items_refresh(today=TODAY)
    item = DueItem.objects.get()

    with pytest.raises(ValidationError):
        services.due_item_done(actor=other, item_id=item.pk)
    with pytest.raises(ValidationError):
        services.due_item_snooze(
            actor=other, item_id=item.pk, until=TODAY + dt.timedelta(days=1), today=TODAY
        )
    item.refresh_from_db()
    assert item.done_at is None and item.snoozed_until is None


@pytest.mark.parametrize("days", [0, -1, 91])
def test_snooze_needs_a_date_within_ninety_days(only_source, role_user, days: int) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a"]))
    services.due_items_refresh(today=TODAY)
    item = DueItem.objects.get()

    with pytest.raises(ValidationError) as refused:
        services.due_item_snooze(
            actor=user, item_id=item.pk, until=TODAY + dt.timedelta(days=days), today=TODAY
        )
    assert "until" in refused.value.message_dict
    item.refresh_from_db()
    assert item.snoozed_until is None


def test_closed_items_cannot_be_done(only_source, role_user) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a"]))
    services.due_items_refresh(today=TODAY)
    only_source(candidates(user.pk, []))
    services.due_items_refresh(today=TODAY)

    with pytest.raises(ValidationError):
        services.due_item_done(actor=user, item_id=DueItem.objects.get().pk)


def test_daily_jobs_run_before_the_refresh_and_survive_a_failure(only_source, role_user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    user = role_user("account_manager")
    only_source(candidates(user.pk, ["a"]))
    monkeypatch.setattr(services, "DAILY_JOBS", {})
    seen: list[dt.date] = []

    def fails(today: dt.date) -> None:
        raise RuntimeError("escalation broke")

    services.register_daily_job("complaints_escalate", fails)
    services.register_daily_job("visit_plans_generate", lambda today: seen.append(today) or 4)

    results = services.daily_jobs_run(today=TODAY)

    assert seen == [TODAY]
    assert results["complaints_escalate"] == "failed"
    assert results["visit_plans_generate"] == 4
    assert results["due_items_refresh"]["candidates"] == 1
