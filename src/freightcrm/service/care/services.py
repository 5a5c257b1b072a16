"""Care and reminders: the due list (待办) every user works from, kept by one daily refresh.

The refresh asks every registered due source (`service.due`) for its candidates and keeps one
`DueItem` per (kind, key, assignee): new candidates are inserted, existing ones updated, and open
items whose candidate has gone are closed. Everything is set-wise (bulk upserts in batches, one
UPDATE to close), so the refresh stays a matter of minutes for a million customers. A user marks an
item done or snoozes it; both survive later refreshes.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.service.care.models import DueItem
from freightcrm.service.due import DueCandidate, due_sources

logger = logging.getLogger(__name__)

BATCH_SIZE = 2_000
MAX_SNOOZE_DAYS = 90
UPDATED_ON_REFRESH = ["customer", "title", "due_on", "url", "priority", "closed_at", "refresh_token"]


@dataclass(frozen=True)
class RefreshResult:
    candidates: int
    closed: int
    failed_kinds: tuple[str, ...]


def _batches(items: Iterable[DueCandidate], size: int) -> Iterator[list[DueCandidate]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _upsert(candidates: list[DueCandidate], token: str) -> int:
    # One row per identity within a statement: PostgreSQL refuses to update a row twice in one upsert.
    unique = {(c.kind, c.key, c.assignee_id): c for c in candidates}
    rows = [
        DueItem(
            assignee_id=c.assignee_id,
            kind=c.kind,
            key=c.key[:120],
            customer_id=c.customer_id,
            title=c.title[:200],
            due_on=c.due_on,
            url=c.url[:300],
            priority=c.priority,
            closed_at=None,
            refresh_token=token,
        )
        for c in unique.values()
    ]
    DueItem.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["kind", "key", "assignee"],
        update_fields=UPDATED_ON_REFRESH,
        batch_size=500,
    )
    return len(rows)


def due_items_refresh(*, today: dt.date, batch_size: int = BATCH_SIZE) -> RefreshResult:
    """Bring every user's due list up to date for `today` (idempotent; run daily by the worker).

    A source that fails is logged and its kind left as it was (its items are not closed), so one
    broken source never empties everybody's list.
    """
    token = uuid.uuid4().hex
    total = 0
    refreshed_kinds: list[str] = []
    failed: list[str] = []
    for source in due_sources():
        try:
            with transaction.atomic():
                for batch in _batches(source.collect(today), batch_size):
                    total += _upsert(batch, token)
        except Exception:
            logger.exception("Due source %s failed; its items are left as they were", source.kind)
            failed.append(source.kind)
            continue
        refreshed_kinds.append(source.kind)
    stale = DueItem.objects.filter(done_at__isnull=True, closed_at__isnull=True).exclude(refresh_token=token)
    if failed:
        stale = stale.exclude(kind__in=failed)
    closed = stale.update(closed_at=timezone.now())
    return RefreshResult(candidates=total, closed=closed, failed_kinds=tuple(failed))


def _own_open_item(user: Any, item_id: int) -> DueItem:
    try:
        item = DueItem.objects.select_for_update().get(pk=item_id, assignee=user)
    except (DueItem.DoesNotExist, ValueError, TypeError) as exc:
        raise ValidationError(_("This item is not on your due list.")) from exc
    if item.closed_at is not None:
        raise ValidationError(_("This item is no longer due: the reason for it has gone."))
    return item


@transaction.atomic
def due_item_done(*, actor: Any, item_id: int) -> DueItem:
    """Mark one of the actor's own items done (doing it twice changes nothing)."""
    item = _own_open_item(actor, item_id)
    if item.done_at is None:
        item.done_at = timezone.now()
        item.save(update_fields=["done_at"])
    return item


@transaction.atomic
def due_item_snooze(*, actor: Any, item_id: int, until: dt.date, today: dt.date | None = None) -> DueItem:
    """Hide one of the actor's own open items until `until` (a date after today, within 90 days)."""
    today = today or timezone.localdate()
    if not isinstance(until, dt.date) or isinstance(until, dt.datetime):
        raise ValidationError({"until": _("Give the date to snooze until.")})
    if until <= today:
        raise ValidationError({"until": _("Snooze until a day after today.")})
    if until > today + dt.timedelta(days=MAX_SNOOZE_DAYS):
        raise ValidationError({"until": _("Snooze for at most %(days)d days.") % {"days": MAX_SNOOZE_DAYS}})
    item = _own_open_item(actor, item_id)
    if item.done_at is not None:
        raise ValidationError(_("This item is already done."))
    item.snoozed_until = until
    item.save(update_fields=["snoozed_until"])
    return item


# --- Daily jobs: other areas' periodic work, run by the same daily task -------------------------

DailyJob = Callable[[dt.date], Any]
DAILY_JOBS: dict[str, DailyJob] = {}


def register_daily_job(name: str, func: DailyJob) -> None:
    """Run `func(today)` every day before the due list is refreshed.

    Hook other areas in with one line each, e.g.
    `register_daily_job("complaints_escalate", lambda today: complaints_escalate(now=timezone.now()))`.
    """
    DAILY_JOBS[name] = func


def daily_jobs_run(*, today: dt.date) -> dict[str, Any]:
    """Every registered daily job, then the due list. A failing job is logged and the rest still run."""
    results: dict[str, Any] = {}
    for name, func in list(DAILY_JOBS.items()):
        try:
            results[name] = func(today)
        except Exception:
            logger.exception("Daily job %s failed", name)
            results[name] = "failed"
    refresh = due_items_refresh(today=today)
    results["due_items_refresh"] = {
        "candidates": refresh.candidates,
        "closed": refresh.closed,
        "failed_kinds": list(refresh.failed_kinds),
    }
    return results
