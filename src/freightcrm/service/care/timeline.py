"""The care area's timeline sources: shipments (as booked, with status) and archive changes.

* `shipment`: one entry per shipment at its booking time, read from the Shipment table (waybill,
  lane, mode, cargo, weight, status). Whoever may view shipments sees them.
* `change`: the archive's own history (django-simple-history) of the customer and its contacts,
  addresses and logistics needs: who, when, which fields from what to what. Finance fields are left
  out for users who may not see finance, encrypted fields appear only as "changed". Seen by those
  who keep archives (`customers.change_customer`) or read their history
  (`customers.view_historicalcustomer`); front desk, operations and credit analysts do not need who
  changed what to answer a customer.

Change entries come from four history tables; an entry's id is `history_id * 4 + table`, so ids
stay unique within the kind and their order within a table is the history order.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import models
from django.db.models import Max, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.fields import field_of
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed
from freightcrm.customers.selectors import ENCRYPTED_DIGESTS, SKIPPED_IN_HISTORY, display_value
from freightcrm.service.timeline import (
    Cursor,
    TimelineEntry,
    TimelineSource,
    older_than,
    register_timeline_source,
)
from freightcrm.shipments.models import Shipment

# --- shipments ----------------------------------------------------------------------------------

SHIPMENT_FIELDS = (
    "pk",
    "waybill_no",
    "origin_city",
    "destination_city",
    "mode",
    "cargo_type",
    "weight_kg",
    "booked_at",
    "status",
    "delivered_at",
    "on_time",
)


def _shipment_url(user: Any, pk: int) -> str:
    if not access.may_view_model(user, Shipment):
        return ""
    try:
        return reverse("admin:shipments_shipment_change", args=[pk])
    except NoReverseMatch:
        return ""


def shipment_entries(user: Any, customer: Customer, cursor: Cursor | None, limit: int) -> list[TimelineEntry]:
    rows = (
        Shipment.objects.filter(customer=customer)
        .filter(older_than(cursor, "shipment", "booked_at"))
        .order_by("-booked_at", "-pk")
        .values(*SHIPMENT_FIELDS)[:limit]
    )
    mode = dict(field_of(Shipment, "mode").flatchoices)
    cargo = dict(field_of(Shipment, "cargo_type").flatchoices)
    status = dict(field_of(Shipment, "status").flatchoices)
    url = _shipment_url(user, 0)
    entries = []
    for row in rows:
        detail = [
            str(mode.get(row["mode"], row["mode"])),
            str(cargo.get(row["cargo_type"], row["cargo_type"])),
        ]
        detail.append(gettext("%(weight)s kg") % {"weight": f"{row['weight_kg']:,.0f}"})
        if row["delivered_at"] is not None:
            delivered = timezone.localtime(row["delivered_at"]).strftime("%Y-%m-%d %H:%M")
            late = "" if row["on_time"] in (None, True) else gettext(" (late)")
            detail.append(gettext("delivered %(when)s%(late)s") % {"when": delivered, "late": late})
        entries.append(
            TimelineEntry(
                kind="shipment",
                id=row["pk"],
                at=row["booked_at"],
                title=gettext("Shipment %(waybill)s booked: %(origin)s → %(destination)s")
                % {
                    "waybill": row["waybill_no"],
                    "origin": row["origin_city"],
                    "destination": row["destination_city"],
                },
                detail=" · ".join(detail),
                url=url.replace("/0/", f"/{row['pk']}/") if url else "",
                status=str(status.get(row["status"], row["status"])),
                extra={"waybill_no": row["waybill_no"], "status_code": row["status"]},
            )
        )
    return entries


def shipment_count(user: Any, customer: Customer) -> int:
    return Shipment.objects.filter(customer=customer).count()


# --- archive changes ----------------------------------------------------------------------------

CHANGE_MODELS: tuple[type[models.Model], ...] = (Customer, Contact, Address, LogisticsNeed)
TABLES = len(CHANGE_MODELS)
ACTIONS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}
STATUSES = {
    "+": pgettext_lazy("archive change", "Filed"),
    "~": pgettext_lazy("archive change", "Changed"),
    "-": pgettext_lazy("archive change", "Deleted"),
}
ACTION_CODES = {"+": "created", "~": "changed", "-": "deleted"}


def may_see_changes(user: Any) -> bool:
    rights = access.access_for(user)
    return rights.has("customers.change_customer") or rights.has("customers.view_historicalcustomer")


def _history(model: type[models.Model]) -> type[models.Model]:
    return model.history.model  # type: ignore[attr-defined]


def _of_customer(model: type[models.Model], customer: Customer) -> Q:
    return Q(id=customer.pk) if model is Customer else Q(customer_id=customer.pk)


def _after_cursor(cursor: Cursor | None, table: int) -> Q:
    """Rows of this table after `cursor` in (time, kind, id) descending order, ids encoded."""
    if cursor is None or cursor.kind != "change":
        return older_than(cursor, "change", "history_date")
    # encoded = history_id * TABLES + table < cursor.id  ⇔  history_id <= (cursor.id - table - 1) // TABLES
    return Q(history_date__lt=cursor.at) | Q(
        history_date=cursor.at, history_id__lte=(cursor.id - table - 1) // TABLES
    )


def _fields(user: Any, model: type[models.Model]) -> list[models.Field]:
    hidden = access.hidden_fields(user, model)
    history_names = {f.name for f in _history(model)._meta.concrete_fields}
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in SKIPPED_IN_HISTORY
        and f.name not in {"id", "customer"}
        and f.name not in hidden
        and f.name in history_names
    ]


def _records(
    model: type[models.Model], customer: Customer, cursor: Cursor | None, table: int, limit: int
) -> list[Any]:
    """At most `limit` history rows after `cursor`, each with `previous`: the row it changed, or None.

    Within the page, an object's rows precede one another; only the row before each object's
    earliest row on the page is read, all of them in one query (reading an object's whole history
    per page made a customer with thousands of changes slow on every page).
    """
    history = _history(model)
    records: list[Any] = list(
        history._default_manager.filter(_of_customer(model, customer))
        .filter(_after_cursor(cursor, table))
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )
    if not records:
        return records
    by_object: dict[int, list[Any]] = defaultdict(list)
    for record in records:
        by_object[record.id].append(record)
    before_page = Q()
    for object_id, rows in by_object.items():
        rows.sort(key=lambda record: record.history_id)
        rows[0].previous = None
        for earlier, later in zip(rows, rows[1:], strict=False):
            later.previous = earlier
        before_page |= Q(id=object_id, history_id__lt=rows[0].history_id)
    latest_before = (
        history._default_manager.filter(before_page)
        .values("id")
        .annotate(latest=Max("history_id"))
        .values("latest")
        .order_by()
    )
    row: Any
    for row in history._default_manager.filter(history_id__in=latest_before).order_by():
        by_object[row.id][0].previous = row
    return records


def _describe(
    user: Any, model: type[models.Model], records: Sequence[Any], fields: list[models.Field]
) -> dict[int, list[tuple[str, str, str]]]:
    """The visible changes of each record against the record before it, by history id."""
    previous = [r.previous for r in records if r.previous is not None]
    related_ids: dict[type[models.Model], set[Any]] = defaultdict(set)
    relations = [f for f in fields if f.is_relation]
    for record in [*records, *previous]:
        for f in relations:
            value = getattr(record, f.attname)
            if value is not None:
                assert isinstance(f.related_model, type)
                related_ids[f.related_model].add(value)
    related = {
        related_model: related_model._default_manager.in_bulk(list(ids))
        for related_model, ids in related_ids.items()
    }

    def text(f: models.Field, record: Any) -> str:
        if f.is_relation:
            assert isinstance(f.related_model, type)
            value = related[f.related_model].get(getattr(record, f.attname)) if record is not None else None
            if value is None:
                return "—"
            return person_name(value) if hasattr(value, "get_username") else str(value)
        return display_value(model, f.name, getattr(record, f.attname))

    described: dict[int, list[tuple[str, str, str]]] = {}
    for record in records:
        old = record.previous
        changes = []
        for f in fields:
            new_value = getattr(record, f.attname)
            old_value = getattr(old, f.attname) if old is not None else None
            if old is not None and old_value == new_value:
                continue
            if old is None and new_value in (None, "", [], False):
                continue
            label = str(f.verbose_name)
            if f.name in ENCRYPTED_DIGESTS:
                label = str(field_of(model, ENCRYPTED_DIGESTS[f.name]).verbose_name)
                changes.append((label, "", gettext("changed (encrypted, not shown)")))
                continue
            changes.append((label, text(f, old) if old is not None else "", text(f, record)))
        described[record.history_id] = changes
    return described


def _table_entries(
    user: Any, customer: Customer, cursor: Cursor | None, limit: int, table: int
) -> Iterator[TimelineEntry]:
    """This table's visible change entries, newest first, at most `limit` (reads on past the empty)."""
    model = CHANGE_MODELS[table]
    fields = _fields(user, model)
    what = str(model._meta.verbose_name)
    found = 0
    position = cursor
    while found < limit:
        records = _records(model, customer, position, table, limit)
        described = _describe(user, model, records, fields)
        for record in records:
            changes = described[record.history_id]
            entry_id = record.history_id * TABLES + table
            position = Cursor(record.history_date, "change", entry_id)
            if record.history_type == "~" and not changes:
                continue  # nothing this user may see changed
            who = person_name(record.history_user) if record.history_user else gettext("the system")
            action = str(ACTIONS[record.history_type])
            subject = customer.name if model is Customer else str(record.instance)
            found += 1
            shown = 4 if record.history_type == "+" else 6
            detail = "；".join(
                f"{label}：{new}" if record.history_type == "+" or not old else f"{label}：{old} → {new}"
                for label, old, new in changes[:shown]
            )
            yield TimelineEntry(
                kind="change",
                id=entry_id,
                at=record.history_date,
                title=gettext("%(who)s %(action)s %(what)s “%(subject)s”")
                % {"who": who, "action": action, "what": what, "subject": subject},
                detail=detail + ("…" if len(changes) > shown else ""),
                status=str(STATUSES[record.history_type]),
                actor=who,
                extra={
                    "action": ACTION_CODES[record.history_type],
                    "changes": [{"field": label, "old": old, "new": new} for label, old, new in changes],
                    "reason": record.history_change_reason or "",
                },
            )
            if found >= limit:
                return
        if len(records) < limit:
            return


def change_entries(user: Any, customer: Customer, cursor: Cursor | None, limit: int) -> list[TimelineEntry]:
    streams = [_table_entries(user, customer, cursor, limit, table) for table in range(TABLES)]
    merged = heapq.merge(*streams, key=lambda entry: entry.sort_key, reverse=True)
    return [entry for _index, entry in zip(range(limit), merged, strict=False)]


def change_count(user: Any, customer: Customer) -> int:
    """History rows of the customer and its parts: the four tables counted in one query."""
    first, *others = (
        _history(model)._default_manager.filter(_of_customer(model, customer)).values("history_id").order_by()
        for model in CHANGE_MODELS
    )
    return first.union(*others, all=True).count()


def register() -> None:
    register_timeline_source(
        TimelineSource(
            kind="shipment",
            label=_("Shipments"),
            entries=shipment_entries,
            count=shipment_count,
            visible_to=lambda user: access.may_view_model(user, Shipment),
            order=10,
            icon="local_shipping",
        )
    )
    register_timeline_source(
        TimelineSource(
            kind="change",
            label=_("Archive changes"),
            entries=change_entries,
            count=change_count,
            visible_to=may_see_changes,
            order=90,
            icon="edit_note",
        )
    )
