"""One timeline per customer: every kind of interaction, newest first, filterable, paged by cursor.

Each kind of entry (shipments, complaints, visits, surveys, calls and notes, archive changes) is a
`TimelineSource` registered here by the area that owns it. A source returns its newest entries
older than a cursor, already limited and permission-filtered; `customer_timeline` merges the
sources and cuts one page. Paging by cursor rather than by offset keeps every page as cheap as the
first, however many thousand entries a customer has.

Entries are ordered by (time, kind, id), descending. `older_than` builds the filter a source needs
for that order, so sources never compare cursors themselves.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

from freightcrm.customers.models import Customer

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Cursor:
    """The last entry of a page: the next page starts strictly after it in (time, kind, id) order."""

    at: dt.datetime
    kind: str
    id: int

    def encode(self) -> str:
        raw = f"{self.at.isoformat()}|{self.kind}|{self.id}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor | None:
        """The cursor in `text`, or None when it is not one of ours (a bad link starts over)."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            at, kind, number = raw.split("|")
            moment = dt.datetime.fromisoformat(at)
            if moment.tzinfo is None:
                return None
            return cls(moment, kind, int(number))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            return None


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # the source's kind: "shipment", "complaint", "visit", "survey", "interaction", "change"
    id: int  # the row's id within its kind
    at: dt.datetime
    title: str
    detail: str = ""
    url: str = ""  # where the entry opens for this user, "" when there is no page for it
    status: str = ""  # a short state label ("已解决", "运输中")
    actor: str = ""  # who did it, when known
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[dt.datetime, str, int]:
        return (self.at, self.kind, self.id)

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.kind, self.id)


EntriesFunction = Callable[[Any, Customer, Cursor | None, int], Sequence[TimelineEntry]]


@dataclass(frozen=True)
class TimelineSource:
    """One kind of entry.

    `entries(user, customer, cursor, limit)` returns at most `limit` entries of this kind for the
    customer, newest first, strictly older than `cursor` (use `older_than`), only those `user`
    may see. `count(user, customer)` is the number of entries of this kind (for the filter).
    """

    kind: str
    label: Promise | str
    entries: EntriesFunction
    count: Callable[[Any, Customer], int]
    visible_to: Callable[[Any], bool] = lambda user: True
    order: int = 100
    icon: str = "event"  # a Material Symbols name, shown beside each entry of this kind


TIMELINE_SOURCES: dict[str, TimelineSource] = {}


def register_timeline_source(source: TimelineSource) -> None:
    TIMELINE_SOURCES[source.kind] = source


def sources_for(user: Any) -> list[TimelineSource]:
    return sorted(
        (source for source in TIMELINE_SOURCES.values() if source.visible_to(user)), key=lambda s: s.order
    )


def older_than(cursor: Cursor | None, kind: str, at_field: str, id_field: str = "pk") -> Q:
    """The rows of `kind` that come after `cursor` in the timeline's descending (time, kind, id) order."""
    if cursor is None:
        return Q()
    if kind < cursor.kind:
        return Q(**{f"{at_field}__lte": cursor.at})
    if kind > cursor.kind:
        return Q(**{f"{at_field}__lt": cursor.at})
    return Q(**{f"{at_field}__lt": cursor.at}) | Q(**{at_field: cursor.at, f"{id_field}__lt": cursor.id})


@dataclass(frozen=True)
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: Cursor | None  # None on the last page
    kinds: list[dict[str, Any]]  # [{"kind", "label", "count", "selected", "icon"}] for the filter


def customer_timeline(
    user: Any,
    customer: Customer,
    *,
    kinds: Iterable[str] | None = None,
    cursor: Cursor | None = None,
    page_size: int = PAGE_SIZE,
    with_counts: bool = True,
) -> TimelinePage:
    """One page of the customer's timeline as `user` may see it; `kinds` limits it to those kinds.

    The caller has already checked that `user` may see `customer` (a 404 otherwise).
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    available = sources_for(user)
    asked = set(kinds or ())
    wanted = asked & {source.kind for source in available}
    # Asking only for kinds the user may not see gives an empty page, never every kind.
    chosen = [source for source in available if (source.kind in wanted if asked else True)]
    streams = [source.entries(user, customer, cursor, page_size + 1) for source in chosen]
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    entries = [entry for _, entry in zip(range(page_size + 1), merged, strict=False)]
    next_cursor = entries[page_size - 1].cursor if len(entries) > page_size else None
    kind_list = [
        {
            "kind": source.kind,
            "label": source.label,
            "count": source.count(user, customer) if with_counts else None,
            "selected": source.kind in wanted,
            "icon": source.icon,
        }
        for source in available
    ]
    return TimelinePage(entries[:page_size], next_cursor, kind_list)
