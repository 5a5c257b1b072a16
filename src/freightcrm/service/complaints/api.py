"""`/complaints`: list, read, file and move complaints — the same rights and rules as the staff pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router
from ninja.responses import Status
from pydantic import BaseModel, Field, field_validator

from freightcrm.api.customers import visible_customer
from freightcrm.api.schemas import ErrorOut, one_of
from freightcrm.core import access
from freightcrm.core.dates import local_midnight
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.customers.models import Contact
from freightcrm.service.complaints import selectors, services
from freightcrm.service.complaints.choices import Channel, Severity, State
from freightcrm.service.complaints.models import Complaint, ComplaintCategory
from freightcrm.shipments.models import Shipment

router = Router(tags=["complaints"])
MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
NUMBER_LENGTH = 20


class ComplaintNotFound(ApplicationError):
    """The same answer for a number that does not exist and a complaint the caller may not see."""

    code = "complaint_not_found"
    status = 404

    def __init__(self) -> None:
        super().__init__(_("There is no complaint with this number that you may see."))


class ComplaintListParams(BaseModel):
    state: str = Field("", json_schema_extra={"enum": ["", *State.values]}, description="Only this state.")
    severity: str = Field(
        "", json_schema_extra={"enum": ["", *Severity.values]}, description="Only this severity."
    )
    category: str = Field(
        "", max_length=40, description="A category code (`delay`); a root includes its children."
    )
    customer: str = Field("", max_length=24, description="A customer code.")
    overdue: bool | None = Field(
        None, description="Only open complaints past their due time (true) or not (false)."
    )
    handler: int | None = Field(None, ge=1, le=2**63 - 1, description="Handler's user id.")
    received_from: dt.date | None = Field(None, description="Received on or after this day.")
    received_to: dt.date | None = Field(None, description="Received on or before this day.")
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page, at most {MAX_PAGE_SIZE}.")

    @field_validator("state")
    @classmethod
    def _state(cls, value: str) -> str:
        return one_of(value, State.values)

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return one_of(value, Severity.values)


class ComplaintEventOut(BaseModel):
    at: dt.datetime
    action: str
    from_state: str
    to_state: str
    actor: str
    note: str


class ComplaintOut(BaseModel):
    number: str
    customer_code: str
    customer_name: str
    contact: str | None = None
    channel: str
    category: str
    category_code: str
    severity: str
    state: str
    shipment: str | None = Field(None, description="Waybill number of the linked shipment.")
    description: str
    handler: str | None = None
    handler_id: int | None = None
    received_at: dt.datetime
    acknowledged_at: dt.datetime | None = None
    investigating_at: dt.datetime | None = None
    resolved_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    response_due_at: dt.datetime
    resolution_due_at: dt.datetime
    overdue: bool
    escalation_level: int
    escalated_at: dt.datetime | None = None
    reopen_count: int
    resolution: str
    compensation_amount: str = Field(description="A decimal number written as a string.")
    compensation_currency: str
    confirmation: str
    confirmed_at: dt.datetime | None = None
    confirmation_note: str
    events: list[ComplaintEventOut] | None = Field(None, description="Only in the detail.")


class ComplaintPage(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[ComplaintOut]


class ComplaintFileIn(BaseModel):
    customer: str = Field(max_length=24, description="The customer's code.")
    channel: str = Field(json_schema_extra={"enum": [*Channel.values]})
    category: str = Field(max_length=40, description="A category code, e.g. `delay-delivery`.")
    severity: str = Field(Severity.NORMAL, json_schema_extra={"enum": [*Severity.values]})
    description: str = Field(min_length=1, max_length=4000)
    shipment: str = Field("", max_length=24, description="Waybill number of one of the customer's shipments.")
    contact_id: int | None = Field(None, ge=1, le=2**63 - 1)
    handler_id: int | None = Field(None, ge=1, le=2**63 - 1)
    received_at: dt.datetime | None = Field(None, description="When the complaint came in; default now.")


class TransitionIn(BaseModel):
    action: str = Field(json_schema_extra={"enum": list(services.ACTIONS)})
    note: str = Field("", max_length=2000)
    resolution: str = Field("", max_length=4000, description="Required to resolve.")
    compensation_amount: str = Field("", max_length=20, description="A decimal string, for resolve.")
    compensation_currency: str = Field("", max_length=3)
    confirmation: str = Field("", description="confirmed or disputed, for confirm.")
    handler_id: int | None = Field(None, ge=1, le=2**63 - 1, description="For assign.")


def _present(complaint: Complaint, now: dt.datetime, events: bool = False) -> dict[str, Any]:
    overdue = selectors.complaint_overdue(complaint, now)
    row = {
        "number": complaint.number,
        "customer_code": complaint.customer.code,
        "customer_name": complaint.customer.name,
        "contact": complaint.contact.name if complaint.contact else None,
        "channel": complaint.channel,
        "category": str(complaint.category),
        "category_code": complaint.category.code,
        "severity": complaint.severity,
        "state": complaint.state,
        "shipment": complaint.shipment.waybill_no if complaint.shipment else None,
        "description": complaint.description,
        "handler": person_name(complaint.handler) if complaint.handler else None,
        "handler_id": complaint.handler_id,
        "overdue": overdue["response"] or overdue["resolution"],
        "compensation_amount": str(complaint.compensation_amount),
        **{
            name: getattr(complaint, name)
            for name in (
                "received_at",
                "acknowledged_at",
                "investigating_at",
                "resolved_at",
                "closed_at",
                "response_due_at",
                "resolution_due_at",
                "escalation_level",
                "escalated_at",
                "reopen_count",
                "resolution",
                "compensation_currency",
                "confirmation",
                "confirmed_at",
                "confirmation_note",
            )
        },
    }
    if events:
        row["events"] = [
            {
                "at": e.at,
                "action": e.action,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "actor": person_name(e.actor) if e.actor else "",
                "note": e.note,
            }
            for e in complaint.events.select_related("actor").order_by("at", "pk")
        ]
    return row


def _require_view(request: HttpRequest) -> None:
    if not access.may_view_model(request.user, Complaint):
        raise PermissionDeniedError(_("You may not view complaints."))


def _lookup(request: HttpRequest, number: str) -> Complaint:
    if len(number) > NUMBER_LENGTH or not number.isprintable():
        raise ComplaintNotFound
    try:
        return selectors.complaint_for(request.user, number=number)
    except Complaint.DoesNotExist as exc:
        raise ComplaintNotFound from exc


@router.get(
    "/complaints",
    response={200: ComplaintPage, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="List complaints",
    operation_id="complaints_list",
)
def complaints_list(request: HttpRequest, params: Query[ComplaintListParams]) -> dict[str, Any]:
    """Complaints you may see, newest first (account managers: their own customers' only)."""
    _require_view(request)
    now = timezone.now()
    rows: QuerySet[Complaint] = selectors.complaints_visible_to(request.user).select_related("contact")
    if params.state:
        rows = rows.filter(state=params.state)
    if params.severity:
        rows = rows.filter(severity=params.severity)
    if params.category:
        rows = rows.filter(category__code=params.category) | rows.filter(
            category__parent__code=params.category
        )
    if params.customer:
        rows = rows.filter(customer__code=params.customer)
    if params.handler:
        rows = rows.filter(handler_id=params.handler)
    if params.overdue is not None:
        rows = (
            rows.filter(selectors.overdue_q(now))
            if params.overdue
            else rows.exclude(selectors.overdue_q(now))
        )
    if params.received_from:
        rows = rows.filter(received_at__gte=local_midnight(params.received_from))
    if params.received_to:
        rows = rows.filter(received_at__lt=local_midnight(params.received_to + dt.timedelta(days=1)))
    offset = (params.page - 1) * params.page_size
    page = list(rows.order_by("-received_at", "-pk")[offset : offset + params.page_size])
    return {
        "count": rows.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": [_present(c, now) for c in page],
    }


@router.get(
    "/complaints/{number}",
    response={200: ComplaintOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One complaint with its event log",
    operation_id="complaints_detail",
)
def complaints_detail(request: HttpRequest, number: str) -> dict[str, Any]:
    _require_view(request)
    return _present(_lookup(request, number), timezone.now(), events=True)


@router.post(
    "/complaints",
    response={201: ComplaintOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="File a complaint",
    operation_id="complaints_file",
)
def complaints_file(request: HttpRequest, payload: ComplaintFileIn) -> Status[dict[str, Any]]:
    """File a complaint as received; due times follow the severity's target. The shipment (by waybill
    number) and the contact must belong to the customer."""
    customer = visible_customer(request.user, payload.customer)
    errors: dict[str, Any] = {}
    category = ComplaintCategory.objects.filter(code=payload.category, active=True).first()
    if category is None:
        errors["category"] = gettext("Unknown category code.")
    shipment = None
    if payload.shipment:
        shipment = Shipment.objects.filter(waybill_no=payload.shipment, customer=customer).first()
        if shipment is None:
            errors["shipment"] = gettext("This customer has no shipment with this waybill number.")
    contact = None
    if payload.contact_id:
        contact = Contact.objects.filter(pk=payload.contact_id, customer=customer).first()
        if contact is None:
            errors["contact_id"] = gettext("This contact belongs to another customer.")
    handler = None
    if payload.handler_id:
        handler = selectors.complaint_handlers().filter(pk=payload.handler_id).first()
        if handler is None:
            errors["handler_id"] = gettext("The handler must be an active user who may handle complaints.")
    if payload.received_at is not None and timezone.is_naive(payload.received_at):
        errors["received_at"] = gettext("Give the time with its time zone, e.g. 2026-11-23T09:30:00+08:00.")
    if errors:
        raise ValidationError(errors)
    assert category is not None
    complaint = services.complaint_file(
        actor=request.user,  # type: ignore[arg-type]
        customer=customer,
        channel=payload.channel,
        category=category,
        severity=payload.severity,
        description=payload.description,
        shipment=shipment,
        contact=contact,
        handler=handler,
        received_at=payload.received_at,
    )
    return Status(
        201, _present(selectors.complaint_for(request.user, pk=complaint.pk), timezone.now(), events=True)
    )


@router.post(
    "/complaints/{number}/transitions",
    response={200: ComplaintOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Move a complaint: acknowledge, investigate, resolve, close, reopen, assign, confirm",
    operation_id="complaints_transition",
)
def complaints_transition(request: HttpRequest, number: str, payload: TransitionIn) -> dict[str, Any]:
    """An action not allowed from the complaint's state (closing an unresolved one) is 409
    `invalid_transition`; missing fields (resolve without `resolution`) are 400 `invalid_parameters`.
    A refusal changes nothing."""
    complaint = _lookup(request, number)
    handler: User | None = None
    if payload.handler_id:
        handler = selectors.complaint_handlers().filter(pk=payload.handler_id).first()
        if handler is None:
            raise ValidationError(
                {"handler_id": gettext("The handler must be an active user who may handle complaints.")}
            )
    services.complaint_apply(
        actor=request.user,  # type: ignore[arg-type]
        complaint=complaint,
        action=payload.action,
        note=payload.note,
        resolution=payload.resolution,
        compensation_amount=payload.compensation_amount,
        compensation_currency=payload.compensation_currency,
        confirmation=payload.confirmation,
        handler=handler,
    )
    return _present(selectors.complaint_for(request.user, pk=complaint.pk), timezone.now(), events=True)
