"""What each user has to do next: the sources of the due list (待办).

Every area that creates work for a person registers a `DueSource`: complaints past their target,
return visits coming due, holiday care lists, contact birthdays, archive reviews. The daily task
(`service.care`) asks every source for its candidates and keeps one due item per (kind, key,
assignee), so running it twice changes nothing and an item done disappears from the list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class DueCandidate:
    kind: str  # the source's kind: "complaint_overdue", "visit_due", "birthday", "archive_review"…
    key: str  # stable identity of the thing within its kind ("complaint:123", "contact:9:2027")
    assignee_id: int  # the user who has to act
    due_on: dt.date
    title: str  # one line, already in the site's default language
    customer_id: int | None = None
    url: str = ""  # where the user acts on it
    priority: int = 0  # higher first among items due the same day (overdue complaints: severity)


@dataclass(frozen=True)
class DueSource:
    """`collect(today)` yields every candidate that should be on someone's list on `today`.

    A source looks ahead as far as its own kind needs (a birthday a week ahead, a visit on its due
    date) and yields nothing for work already done.
    """

    kind: str
    label: Promise | str
    collect: Callable[[dt.date], Iterable[DueCandidate]]
    order: int = 100


DUE_SOURCES: dict[str, DueSource] = {}


def register_due_source(source: DueSource) -> None:
    DUE_SOURCES[source.kind] = source


def due_sources() -> list[DueSource]:
    return sorted(DUE_SOURCES.values(), key=lambda source: source.order)
