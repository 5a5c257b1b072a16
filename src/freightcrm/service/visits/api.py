"""`/visits` and `/customers/{code}/visits`: read, plan and record return visits; `/surveys/results`.

Same permissions as the staff pages: a token acts as its user; rows outside the user's customers are
404, writes without the role's permission 403.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Status
from pydantic import BaseModel, Field, field_validator

from freightcrm.api.customers import visible_customer
from freightcrm.api.schemas import ErrorOut, one_of
from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.customers.models import Contact
from freightcrm.service.surveys.models import SurveyInvitation
from freightcrm.service.surveys.selectors import survey_results
from freightcrm.service.visits import selectors, services
from freightcrm.service.visits.choices import VisitMode, VisitOutcome, VisitStatus
from freightcrm.service.visits.models import Visit

router = Router(tags=["visits"])
REFUSALS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
MAX_PAGE_SIZE = 200
MAX_ID = 2**63 - 1


class VisitNotFound(ApplicationError):
    code = "visit_not_found"
    status = 404

    def __init__(self) -> None:
        super().__init__(_("There is no visit with this id that you may see."))


class VisitOut(BaseModel):
    id: int
    customer_code: str
    customer_name: str
    status: str = Field(description="planned, done or cancelled")
    source: str = Field(description="rule, manual or survey (a low survey score)")
    due_on: dt.date
    mode: str = Field(description="phone, on_site or online")
    assignee: str = Field(description="The account manager's name")
    assignee_id: int | None
    purpose: str
    visited_at: dt.datetime | None
    contacts: list[str]
    content: str
    outcome: str
    next_actions: str
    next_visit_on: dt.date | None
    cancel_reason: str


class VisitPage(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[VisitOut]


class VisitListParams(BaseModel):
    status: str = Field("", json_schema_extra={"enum": ["", *VisitStatus.values]})
    assignee: int | None = Field(None, ge=1, le=MAX_ID, description="The account manager's user id.")
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(50, ge=1, le=MAX_PAGE_SIZE)

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str) -> str:
        return one_of(value, VisitStatus.values)


class VisitIn(BaseModel):
    customer: str = Field(max_length=24, description="The customer's code.")
    due_on: dt.date
    mode: str = Field(VisitMode.PHONE, json_schema_extra={"enum": [*VisitMode.values]})
    purpose: str = Field("", max_length=200)


class VisitRecordIn(BaseModel):
    visited_at: dt.datetime = Field(description="When it happened, with its time zone; not in the future.")
    mode: str = Field(json_schema_extra={"enum": [*VisitMode.values]})
    content: str = Field(max_length=10_000)
    outcome: str = Field(json_schema_extra={"enum": [*VisitOutcome.values]})
    contacts: list[int] = Field(
        default_factory=list, max_length=50, description="Ids of the customer's contacts."
    )
    next_actions: str = Field("", max_length=4_000)
    next_visit_on: dt.date | None = None


class DimensionOut(BaseModel):
    dimension: str
    label: str
    average: float | None


class MonthOut(BaseModel):
    month: dt.datetime
    sent: int
    answered: int
    response_rate: float | None
    overall: float | None
    nps: float | None


class SurveyResultsOut(BaseModel):
    since: dt.date
    sent: int
    answered: int
    response_rate: float | None = Field(description="Answered over sent, in percent.")
    nps: float | None = Field(description="% promoters (9–10) − % detractors (0–6), −100 to 100.")
    promoters: int
    detractors: int
    dimensions: list[DimensionOut]
    months: list[MonthOut]


def _out(visit: Visit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "customer_code": visit.customer.code,
        "customer_name": visit.customer.name,
        "status": visit.status,
        "source": visit.source,
        "due_on": visit.due_on,
        "mode": visit.mode,
        "assignee": person_name(visit.assignee),
        "assignee_id": visit.assignee_id,
        "purpose": visit.purpose,
        "visited_at": visit.visited_at,
        "contacts": [contact.name for contact in visit.contacts.all()],
        "content": visit.content,
        "outcome": visit.outcome,
        "next_actions": visit.next_actions,
        "next_visit_on": visit.next_visit_on,
        "cancel_reason": visit.cancel_reason,
    }


def _page(visits: Any, params: VisitListParams) -> dict[str, Any]:
    if params.status:
        visits = visits.filter(status=params.status)
    if params.assignee:
        visits = visits.filter(assignee_id=params.assignee)
    if params.due_from:
        visits = visits.filter(due_on__gte=params.due_from)
    if params.due_to:
        visits = visits.filter(due_on__lte=params.due_to)
    offset = (params.page - 1) * params.page_size
    rows = visits.prefetch_related("contacts").order_by("-due_on", "-pk")[offset : offset + params.page_size]
    return {
        "count": visits.count(),
        "page": params.page,
        "page_size": params.page_size,
        "results": [_out(visit) for visit in rows],
    }


@router.get(
    "/visits", response={200: VisitPage, **REFUSALS}, summary="List return visits", operation_id="visits_list"
)
def visits_list(request: HttpRequest, params: Query[VisitListParams]) -> dict[str, Any]:
    """The visits of the customers you may see, latest due first."""
    return _page(selectors.visits_visible_to(request.user), params)


@router.get(
    "/customers/{code}/visits",
    response={200: VisitPage, **REFUSALS},
    summary="One customer's return visits",
    operation_id="customer_visits_list",
)
def customer_visits_list(request: HttpRequest, code: str, params: Query[VisitListParams]) -> dict[str, Any]:
    customer = visible_customer(request.user, code)
    return _page(selectors.visits_visible_to(request.user).filter(customer=customer), params)


@router.post(
    "/visits",
    response={201: VisitOut, **REFUSALS},
    summary="Plan a return visit",
    operation_id="visits_create",
)
def visits_create(request: HttpRequest, body: VisitIn) -> Status:
    """Plan a visit for the customer's account manager; 400 when the customer already has one planned."""
    customer = visible_customer(request.user, body.customer)
    visit = services.visit_schedule(
        actor=request.user, customer=customer, due_on=body.due_on, mode=body.mode, purpose=body.purpose
    )
    return Status(201, _out(selectors.visit_for(request.user, visit.pk)))


@router.post(
    "/visits/{visit_id}/record",
    response={200: VisitOut, **REFUSALS},
    summary="Record a planned visit as done",
    operation_id="visits_record",
)
def visits_record(request: HttpRequest, visit_id: int, body: VisitRecordIn) -> dict[str, Any]:
    """A visit recorded as done cannot be dated in the future (400 with the field `visited_at`)."""
    try:
        visit = selectors.visit_for(request.user, visit_id)
    except Visit.DoesNotExist as exc:
        raise VisitNotFound from exc
    contacts = list(Contact.objects.filter(pk__in=body.contacts[:50]))
    if len(contacts) != len(set(body.contacts)):
        raise ValidationError({"contacts": _("Only this customer's contacts can take part.")})
    services.visit_record(
        actor=request.user,
        visit=visit,
        visited_at=body.visited_at,
        mode=body.mode,
        content=body.content,
        outcome=body.outcome,
        contacts=contacts,
        staff=[request.user],
        next_actions=body.next_actions,
        next_visit_on=body.next_visit_on,
    )
    return _out(selectors.visit_for(request.user, visit_id))


@router.get(
    "/surveys/results",
    response={200: SurveyResultsOut, **REFUSALS},
    summary="Satisfaction survey results",
    operation_id="surveys_results",
)
def surveys_results(request: HttpRequest, customer: str = Query("", max_length=24)) -> dict[str, Any]:
    """Averages per dimension, NPS and response rate over the last 12 months, for the customers you may
    see, or for one customer (`customer=<code>`)."""
    if not access.may_view_model(request.user, SurveyInvitation):
        raise PermissionDeniedError(_("Your role may not do this."))
    one = visible_customer(request.user, customer) if customer else None
    return survey_results(request.user, customer=one)
