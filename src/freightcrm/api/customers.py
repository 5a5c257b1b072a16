"""`/customers`: the list-search, its CSV export and one customer's archive. Thin: parse, call a
selector (or the export service), present."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from freightcrm.api.presenters import customer_detail, customer_rows
from freightcrm.api.schemas import (
    CustomerDetail,
    CustomerExportParams,
    CustomerFilterParams,
    CustomerListParams,
    CustomerPage,
    ErrorOut,
)
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.search import CustomerFilters, customer_search
from freightcrm.customers.selectors import customer_for
from freightcrm.intake.exporting import download_name, stream_customers_csv

router = Router(tags=["customers"])
CODE_LENGTH = Customer._meta.get_field("code").max_length or 24
REFUSALS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


class CustomerNotFound(ApplicationError):
    """The same answer for a code that does not exist and for a customer the caller may not see."""

    code = "customer_not_found"
    status = 404

    def __init__(self) -> None:
        super().__init__(_("There is no customer with this code that you may see."))


def visible_customer(user: Any, code: str, *, lookup: Callable[..., Customer] = customer_for) -> Customer:
    """The customer `lookup(user, code=code)` finds; `CustomerNotFound` for a code that cannot be one,
    does not exist or names a customer the caller may not see (one answer for all three)."""
    if len(code) > CODE_LENGTH or not code.isprintable():
        raise CustomerNotFound
    try:
        return lookup(user, code=code)
    except Customer.DoesNotExist as exc:
        raise CustomerNotFound from exc


def _filters(params: CustomerFilterParams) -> CustomerFilters:
    return CustomerFilters(
        kind=params.kind,
        region=params.region.strip(),
        status=params.status,
        owner=params.owner,
        tag=params.tag.strip(),
        grade=params.grade,
    )


@router.get(
    "/customers",
    response={200: CustomerPage, **REFUSALS},
    exclude_unset=True,
    summary="Search and list customers",
    operation_id="customers_list",
)
def customers_list(request: HttpRequest, params: Query[CustomerListParams]) -> dict[str, Any]:
    """The customers you may see, searched and filtered exactly as in the staff list.

    Finance-only keys (`credit_grade`) are absent for callers who may not see finance; filtering by
    `grade` without that right is 403.
    """
    result = customer_search(
        request.user,
        q=params.q,
        filters=_filters(params),
        ordering=params.ordering,
        page=params.page,
        page_size=params.page_size,
    )
    return {
        "count": result.total,
        "capped": result.capped,
        "page": result.page,
        "page_size": result.page_size,
        "notice": result.notice,
        "results": customer_rows(request.user, result.customers),
    }


@router.get(
    "/customers/export.csv",
    response={200: None, **REFUSALS},
    summary="Export the customer list as CSV",
    operation_id="customers_export_csv",
    openapi_extra={"responses": {200: {"description": "CSV, streamed", "content": {"text/csv": {}}}}},
)
def customers_export_csv(request: HttpRequest, params: Query[CustomerExportParams]) -> StreamingHttpResponse:
    """The customers you may see under the same search and filters as `GET /customers`, as CSV,
    streamed row by row, with the same masking and formula escaping as the staff export. Needs the
    export permission (403 otherwise); recorded in the export log (channel `api`) with its filter,
    columns and rows sent."""
    pieces = stream_customers_csv(
        actor=request.user,
        filters=_filters(params),
        q=params.q,
        fields=[name.strip() for name in params.fields.split(",") if name.strip()] or None,
        sensitive=params.sensitive,
        channel="api",
        encoding=params.encoding,
    )
    response = StreamingHttpResponse(pieces, content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{download_name("csv")}"'
    return response


@router.get(
    "/customers/{code}",
    response={200: CustomerDetail, 401: ErrorOut, 404: ErrorOut},
    exclude_unset=True,
    summary="One customer's archive",
    operation_id="customers_detail",
)
def customers_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    """The archive as the customer card shows it to you: masked ID and bank numbers unless you may see
    them in full, no finance keys without finance rights, and only the sections your role may view.
    An unknown code and a customer you may not see give the same 404."""
    return customer_detail(request.user, visible_customer(request.user, code))
