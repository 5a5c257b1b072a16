"""Reads of calls and notes; importing this registers the `interaction` timeline source and card section."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.service.interactions.models import Interaction
from freightcrm.service.timeline import (
    Cursor,
    TimelineEntry,
    TimelineSource,
    older_than,
    register_timeline_source,
)


def interactions_visible_to(user: Any) -> QuerySet[Interaction]:
    if not access.may_view_model(user, Interaction):
        return Interaction.objects.none()
    return access.visible(user, Interaction.objects.select_related("customer", "contact", "staff"))


def interaction_entries(
    user: Any, customer: Customer, cursor: Cursor | None, limit: int
) -> list[TimelineEntry]:
    rows = (
        interactions_visible_to(user)
        .filter(customer=customer)
        .filter(older_than(cursor, "interaction", "at"))
        .select_related(None)  # the customer is known: not its wide row again for each entry
        .select_related("contact", "staff")
        .order_by("-at", "-pk")[:limit]
    )
    entries = []
    for row in rows:
        title = row.get_kind_display()
        if row.direction:
            title = f"{title} · {row.get_direction_display()}"
        if row.contact:
            title = f"{title} · {row.contact.name}"
        entries.append(
            TimelineEntry(
                kind="interaction",
                id=row.pk,
                at=row.at,
                title=str(title),
                detail=row.summary[:300],
                url=reverse("admin:service_interaction_change", args=[row.pk]),
                actor=person_name(row.staff),
                extra={"kind": row.kind},
            )
        )
    return entries


register_timeline_source(
    TimelineSource(
        "interaction",
        _("Calls and notes"),
        interaction_entries,
        lambda user, customer: interactions_visible_to(user).filter(customer=customer).count(),
        lambda user: access.may_view_model(user, Interaction),
        50,
        icon="call",
    )
)


def interactions_card(user: Any, customer: Customer) -> dict[str, Any]:
    rows = interactions_visible_to(user).filter(customer=customer).order_by("-at", "-pk")
    return {
        "rows": list(rows[:8]),
        "count": rows.count(),
        "may_add": access.access_for(user).has("service.add_interaction"),
        "customer_id": customer.pk,
    }


register_card_section(
    CardSection(
        "interactions",
        _("Calls and notes"),
        "service/interactions/card.html",
        interactions_card,
        75,
        lambda user: access.may_view_model(user, Interaction),
    )
)
