"""`/shipments/{waybill}` and `/customers/{code}/shipments`: where is my cargo, with the event trail.

Thin: parse, call a selector, present. The same permissions as the staff UI (the selectors apply
`core.access`); an unknown waybill and one the caller may not see give the same 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from pydantic import BaseModel, Field

from freightcrm.api.customers import visible_customer
from freightcrm.api.schemas import MAX_PAGE, ErrorOut
from freightcrm.core import access
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.shipments import selectors
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import Shipment, ShipmentEvent

router = Router(tags=["shipments"])
DECIMAL = "A decimal number written as a string (no rounding through floats)."


class ShipmentNotFound(ApplicationError):
    code = "shipment_not_found"
    status = 404

    def __init__(self) -> None:
        super().__init__(_("There is no shipment with this waybill number that you may see."))


class EventOut(BaseModel):
    status: str
    status_label: str
    at: dt.datetime
    location: str
    reason: str = Field(description="Set for exceptions: weather, address, consignee_absent, customs, …")
    reason_label: str
    note: str


class ShipmentOut(BaseModel):
    waybill_no: str
    customer_code: str
    customer_name: str
    origin_city: str
    destination_city: str
    mode: str
    mode_label: str
    cargo_class: str
    cargo_class_label: str
    pieces: int
    weight_kg: str = Field(description=DECIMAL)
    volume_m3: str = Field(description=DECIMAL)
    declared_value: str = Field(description=DECIMAL + " In `currency`; 0.00 when none was declared.")
    amount: str = Field(description=DECIMAL)
    currency: str
    booked_at: dt.datetime
    picked_up_at: dt.datetime | None
    promised_at: dt.datetime | None
    delivered_at: dt.datetime | None
    on_time: bool | None = Field(description="Delivered no later than promised; null until delivered.")
    status: str
    status_label: str
    exception_reason: str
    exception_reason_label: str
    events: list[EventOut] = Field(
        description="The trail in time order. Shipments delivered more than 45 days before the demo "
        "seed keep only their times, so their trail may be empty."
    )


class ShipmentPageOut(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[ShipmentOut]


class ShipmentListParams(BaseModel):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    page_size: int = Field(selectors.DEFAULT_PAGE_SIZE, ge=1, le=selectors.MAX_PAGE_SIZE)
    status: str = Field(
        "",
        description="Only shipments in this status.",
        json_schema_extra={"enum": ["", *ShipmentStatus.values]},
    )
    booked_from: dt.date | None = Field(None, description="Booked on or after this local date.")
    booked_to: dt.date | None = Field(None, description="Booked on or before this local date.")


def event_out(event: ShipmentEvent) -> dict[str, Any]:
    return {
        "status": event.status,
        "status_label": str(event.get_status_display()),
        "at": event.at,
        "location": event.city,
        "reason": event.reason,
        "reason_label": str(event.get_reason_display()) if event.reason else "",
        "note": event.note,
    }


def shipment_out(shipment: Shipment) -> dict[str, Any]:
    return {
        "waybill_no": shipment.waybill_no,
        "customer_code": shipment.customer.code,
        "customer_name": shipment.customer.name,
        "origin_city": shipment.origin_city,
        "destination_city": shipment.destination_city,
        "mode": shipment.mode,
        "mode_label": str(shipment.get_mode_display()),
        "cargo_class": shipment.cargo_type,
        "cargo_class_label": str(shipment.get_cargo_type_display()),
        "pieces": shipment.pieces,
        "weight_kg": str(shipment.weight_kg),
        "volume_m3": str(shipment.volume_m3),
        "declared_value": str(shipment.declared_value),
        "amount": str(shipment.amount),
        "currency": shipment.currency,
        "booked_at": shipment.booked_at,
        "picked_up_at": shipment.picked_up_at,
        "promised_at": shipment.promised_at,
        "delivered_at": shipment.delivered_at,
        "on_time": shipment.on_time,
        "status": shipment.status,
        "status_label": str(shipment.get_status_display()),
        "exception_reason": shipment.exception_reason,
        "exception_reason_label": str(shipment.get_exception_reason_display())
        if shipment.exception_reason
        else "",
        "events": [event_out(event) for event in shipment.events.all()],
    }


@router.get(
    "/shipments/{waybill}",
    response={200: ShipmentOut, 401: ErrorOut, 404: ErrorOut},
    summary="One shipment by waybill number, with its event trail",
    operation_id="shipments_detail",
)
def shipments_detail(request: HttpRequest, waybill: str) -> dict[str, Any]:
    """Spaces, dashes and case in the waybill number do not matter. Three queries."""
    shipment = selectors.shipment_by_waybill(request.user, waybill)
    if shipment is None:
        raise ShipmentNotFound
    return shipment_out(shipment)


@router.get(
    "/customers/{code}/shipments",
    response={200: ShipmentPageOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One customer's shipments, newest first, with their event trails",
    operation_id="customers_shipments",
)
def customers_shipments(request: HttpRequest, code: str, params: Query[ShipmentListParams]) -> dict[str, Any]:
    """Paged (at most 100 a page), filtered by status and booking dates. A customer you may not see
    is a 404, like one that does not exist. A fixed number of queries whatever the page size."""
    customer = visible_customer(request.user, code)
    if not access.may_view_model(request.user, Shipment):
        raise PermissionDeniedError(_("You may not view shipments."))
    page = selectors.shipments_of_customer(
        request.user,
        customer,
        page=params.page,
        page_size=params.page_size,
        status=params.status,
        booked_from=params.booked_from,
        booked_to=params.booked_to,
    )
    return {
        "count": page.total,
        "page": page.page,
        "page_size": page.page_size,
        "results": [shipment_out(shipment) for shipment in page.shipments],
    }
