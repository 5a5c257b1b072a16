"""Reads of the care area: a user's due list, grouped; the timeline block on the customer card."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, customer_for, register_card_section
from freightcrm.service.care.models import DueItem
from freightcrm.service.due import DUE_SOURCES
from freightcrm.service.timeline import customer_timeline

CARD_ENTRIES = 10
LIST_DAYS_AHEAD = 7
VIEW_OTHERS = "service.view_others_due_items"


def may_view_due_list_of(viewer: Any, assignee_id: int) -> bool:
    rights = access.access_for(viewer)
    return rights.user_id == assignee_id or rights.has(VIEW_OTHERS)


def due_list_owners(viewer: Any) -> QuerySet[Any]:
    """Whose lists `viewer` may open: themselves, or (with the right) everyone who has open items."""
    users = get_user_model()._default_manager.filter(is_active=True).order_by("username")
    if not access.access_for(viewer).has(VIEW_OTHERS):
        return users.filter(pk=viewer.pk)
    with_items = DueItem.objects.filter(done_at__isnull=True, closed_at__isnull=True).values("assignee_id")
    return users.filter(Q(pk__in=with_items) | Q(pk=viewer.pk))


def open_items(assignee_id: int, *, today: dt.date) -> QuerySet[DueItem]:
    """Open, not snoozed, due within the week ahead, oldest due first."""
    return (
        DueItem.objects.filter(
            assignee_id=assignee_id,
            done_at__isnull=True,
            closed_at__isnull=True,
            due_on__lte=today + dt.timedelta(days=LIST_DAYS_AHEAD),
        )
        .filter(Q(snoozed_until__isnull=True) | Q(snoozed_until__lte=today))
        .select_related("customer")
        .order_by("due_on", "-priority", "pk")
    )


def due_list(viewer: Any, assignee_id: int, *, today: dt.date) -> dict[str, Any]:
    """The list grouped into overdue / today / next 7 days, plus counts of snoozed and done today."""
    labels = {kind: source.label for kind, source in DUE_SOURCES.items()}
    groups: dict[str, list[dict[str, Any]]] = {"overdue": [], "today": [], "upcoming": []}
    for item in open_items(assignee_id, today=today):
        group = "overdue" if item.due_on < today else "today" if item.due_on == today else "upcoming"
        groups[group].append({"item": item, "kind_label": labels.get(item.kind, item.kind)})
    snoozed = DueItem.objects.filter(
        assignee_id=assignee_id, done_at__isnull=True, closed_at__isnull=True, snoozed_until__gt=today
    ).count()
    return {
        "groups": [
            {"key": "overdue", "title": _("Overdue"), "rows": groups["overdue"]},
            {"key": "today", "title": _("Today"), "rows": groups["today"]},
            {"key": "upcoming", "title": _("Next 7 days"), "rows": groups["upcoming"]},
        ],
        "snoozed": snoozed,
        "total": sum(len(rows) for rows in groups.values()),
        "own": access.access_for(viewer).user_id == assignee_id,
    }


def timeline_customer(user: Any, *, pk: int | None = None, code: str | None = None) -> Customer:
    """The customer whose full timeline `user` may open: one they may see, for a user who may view
    customers at all (the customer card's rule); `Customer.DoesNotExist` otherwise."""
    if not access.may_view_model(user, Customer):
        raise Customer.DoesNotExist
    return customer_for(user, pk=pk, code=code)


def _timeline_card(user: Any, customer: Customer) -> dict[str, Any]:
    page = customer_timeline(user, customer, page_size=CARD_ENTRIES, with_counts=False)
    return {
        "entries": page.entries,
        "more": page.next_cursor is not None,
        "icons": {k["kind"]: k["icon"] for k in page.kinds},
        "labels": {k["kind"]: k["label"] for k in page.kinds},
        "customer": customer,
    }


def register() -> None:
    register_card_section(
        CardSection("timeline", _("Timeline"), "service/timeline/card.html", _timeline_card, 80)
    )
