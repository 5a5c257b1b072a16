"""`/customers/{code}/timeline`: one customer's timeline, paged by cursor. Thin: parse, select, present."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from freightcrm.api.customers import visible_customer
from freightcrm.api.schemas import ErrorOut
from freightcrm.service.care.selectors import timeline_customer
from freightcrm.service.timeline import MAX_PAGE_SIZE, PAGE_SIZE, TIMELINE_SOURCES, Cursor, customer_timeline

router = Router(tags=["timeline"])


class TimelineParams(Schema):
    kind: list[str] = Field(
        default_factory=list,
        description="Only these kinds (repeat the parameter or separate with commas), e.g. `shipment`.",
    )
    cursor: str = Field("", max_length=200, description="`next_cursor` of the previous page.")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Entries per page.")


class TimelineEntryOut(Schema):
    kind: str
    id: int
    at: dt.datetime
    title: str
    detail: str
    status: str
    actor: str
    url: str = Field(description="The staff page of the entry, when there is one.")
    extra: dict[str, Any]


class TimelineKindOut(Schema):
    kind: str
    label: str
    count: int | None


class TimelinePageOut(Schema):
    entries: list[TimelineEntryOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next (older) page; null on the last."
    )
    kinds: list[TimelineKindOut]


@router.get(
    "/customers/{code}/timeline",
    response={200: TimelinePageOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="One customer's timeline",
    operation_id="customers_timeline",
)
def customers_timeline(request: HttpRequest, code: str, params: Query[TimelineParams]) -> dict[str, Any]:
    """Shipments, archive changes and every other kind of interaction, newest first, in the kinds your
    role may view (the UI's permissions). Page through with `next_cursor`; ties in time are ordered by
    kind and id, so no entry is lost or repeated between pages."""
    customer = visible_customer(request.user, code, lookup=timeline_customer)
    kinds = [part.strip() for value in params.kind for part in value.split(",") if part.strip()]
    unknown = sorted(set(kinds) - set(TIMELINE_SOURCES))
    if unknown:
        raise ValidationError({"kind": [_("Unknown kind: %(kinds)s.") % {"kinds": ", ".join(unknown)}]})
    cursor = None
    if params.cursor:
        cursor = Cursor.decode(params.cursor)
        if cursor is None:
            raise ValidationError(
                {"cursor": [_("This cursor is not valid: start again from the first page.")]}
            )
    page = customer_timeline(request.user, customer, kinds=kinds, cursor=cursor, page_size=params.page_size)
    return {
        "entries": [
            {
                "kind": e.kind,
                "id": e.id,
                "at": e.at,
                "title": e.title,
                "detail": e.detail,
                "status": e.status,
                "actor": e.actor,
                "url": e.url,
                "extra": e.extra,
            }
            for e in page.entries
        ],
        "next_cursor": page.next_cursor.encode() if page.next_cursor else None,
        "kinds": [{"kind": k["kind"], "label": str(k["label"]), "count": k["count"]} for k in page.kinds],
    }
