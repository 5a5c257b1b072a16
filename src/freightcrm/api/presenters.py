"""Customers as one user may see them, turned into the API's dictionaries.

Nothing here decides a permission: rows come from the selectors (already restricted to the user),
hidden fields from `access.hidden_fields`, masks from `access.shown_value`, and which sections a
user gets from the customer card's own sections (`CARD_SECTIONS[...].visible_to`) — the same calls
the staff UI makes, so the API can show neither more nor less than the customer card.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import prefetch_related_objects

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed
from freightcrm.customers.selectors import ARCHIVE_GROUPS, CARD_SECTIONS
from freightcrm.shipments.selectors import transactions_summary

LIST_FIELDS = ("code", "name", "short_name", "kind", "status", "province", "city", "district", "adcode")
DETAIL_FIELDS: tuple[str, ...] = tuple(
    name for _title, names in ARCHIVE_GROUPS for name in names if name != "owner"
) + ("remarks", "version", "created_at", "updated_at")
CONTACT_FIELDS: tuple[str, ...] = (
    *("id", "name", "title", "role", "mobile", "phone", "email", "wechat", "birthday"),
    *("is_primary", "notes"),
)
ADDRESS_FIELDS: tuple[str, ...] = (
    *("id", "kind", "text", "province", "city", "district", "adcode", "detail"),
    *("postal_code", "is_primary"),
)
NEED_FIELDS: tuple[str, ...] = (
    *("id", "mode", "origin_city", "destination_city", "cargo_type", "temperature", "packaging"),
    *("delivery_window", "frequency", "annual_volume", "volume_unit", "notes"),
)


def _plain(value: Any) -> Any:
    """Decimals as strings (exact); everything else as it is."""
    return str(value) if isinstance(value, Decimal) else value


def _decimal(value: Any, places: str = "0.01") -> str | None:
    """A sum as a fixed-point string: SQLite sums decimals as floats (3200.5), PostgreSQL exactly
    (3200.50); quantizing makes both databases answer the same."""
    return None if value is None else str(Decimal(value).quantize(Decimal(places)))


def _choice_label(instance: models.Model, name: str) -> str | None:
    """The label of a coded value in the active language, or None for a field without choices."""
    field = instance._meta.get_field(name)
    if not getattr(field, "choices", None):
        return None
    value = getattr(instance, name)
    return str(dict(field.flatchoices).get(value, value)) if value not in (None, "") else ""  # type: ignore[union-attr]


def visible_values(user: Any, instance: models.Model, names: Sequence[str]) -> dict[str, Any]:
    """`names` of `instance` as `user` may see them: hidden fields left out, sensitive ones masked."""
    model = type(instance)
    hidden = access.hidden_fields(user, model)
    sensitive = getattr(model, "sensitive_fields", {})
    values: dict[str, Any] = {}
    for name in names:
        if name in hidden:
            continue
        if name in sensitive:
            values[name] = access.shown_value(user, instance, name)
        else:
            values[name] = _plain(getattr(instance, name))
    return values


def _labelled(user: Any, instance: models.Model, names: Sequence[str]) -> dict[str, Any]:
    """Like `visible_values`, plus `<name>_label` beside each coded value (for the parts' lists)."""
    values = visible_values(user, instance, names)
    for name in list(values):
        label = _choice_label(instance, name)
        if label is not None:
            values[f"{name}_label"] = label
    return values


def owner_ref(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.get_username(), "name": person_name(user)}


def customer_rows(user: Any, customers: Sequence[Customer]) -> list[dict[str, Any]]:
    """The list's rows: a fixed number of queries whatever the page size (tags and owners in bulk)."""
    prefetch_related_objects(list(customers), "owner", "tags")
    show_grade = "credit_grade" not in access.hidden_fields(user, Customer)
    rows = []
    for customer in customers:
        row = {name: getattr(customer, name) for name in LIST_FIELDS}
        row.update(
            kind_label=customer.get_kind_display(),
            status_label=customer.get_status_display(),
            owner=owner_ref(customer.owner),
            tags=[tag.name for tag in customer.tags.all()],
            created_at=customer.created_at,
            updated_at=customer.updated_at,
        )
        if show_grade:
            row["credit_grade"] = customer.credit_grade
        rows.append(row)
    return rows


def _transactions(user: Any, customer: Customer) -> dict[str, Any]:
    summary = transactions_summary(user, customer)
    return {
        "count": summary["count"],
        "first_booked_at": summary["first"],
        "last_booked_at": summary["last"],
        "count_12m": summary["count_12m"],
        "count_prev_12m": summary["count_prev"],
        "amount_12m_cny": _decimal(summary["amount_12m"]) or "0.00",
        "weight_tonnes_12m": _decimal(summary["weight_tonnes_12m"], "0.001") or "0.000",
        "trend_count_pct": summary["trend_count"],
        "trend_amount_pct": summary["trend_amount"],
        "on_time_rate_pct": summary["on_time_rate"],
        "lanes": [
            {
                "origin_city": lane["origin_city"],
                "destination_city": lane["destination_city"],
                "count": lane["count"],
                "amount": _decimal(lane["amount"]),
            }
            for lane in summary["lanes"]
        ],
        "months": [
            {
                "month": month["month"].strftime("%Y-%m"),
                "count": month["count"],
                "amount": _plain(month["amount"]),
            }
            for month in summary["months"]
        ],
    }


def _parts(user: Any, rows: Iterable[models.Model], names: Sequence[str]) -> list[dict[str, Any]]:
    return [_labelled(user, row, names) for row in rows]


def card_shows(user: Any, key: str) -> bool:
    """Whether the customer card shows `user` its section `key` (contacts, transactions, …)."""
    return any(section.key == key and section.visible_to(user) for section in CARD_SECTIONS)


def customer_detail(user: Any, customer: Customer) -> dict[str, Any]:
    """The archive of `customer` (already known to be visible to `user`) with the card's sections.

    A fixed number of queries: tags and each kind of part one query each, the transactions summary
    three, whatever the number of contacts, addresses, needs or shipments. Documents are left to
    the staff UI: their files are served only there, and listing them would cost every request.
    """
    detail = visible_values(user, customer, DETAIL_FIELDS)
    detail.update(
        kind_label=customer.get_kind_display(),
        status_label=customer.get_status_display(),
        owner=owner_ref(customer.owner),
        tags=list(customer.tags.values_list("name", flat=True)),
        labels={
            name: label
            for name in detail
            if (label := _choice_label(customer, name)) and name not in {"kind", "status"}
        },
    )
    if card_shows(user, "contacts"):
        contacts = access.visible(user, Contact.objects.filter(customer=customer))
        detail["contacts"] = _parts(user, contacts, CONTACT_FIELDS)
    if card_shows(user, "addresses"):
        addresses = access.visible(user, Address.objects.filter(customer=customer))
        detail["addresses"] = _parts(user, addresses, ADDRESS_FIELDS)
    if card_shows(user, "needs"):
        needs = access.visible(user, LogisticsNeed.objects.filter(customer=customer)).order_by("pk")
        detail["needs"] = _parts(user, needs, NEED_FIELDS)
    if card_shows(user, "transactions"):
        detail["transactions"] = _transactions(user, customer)
    return detail
