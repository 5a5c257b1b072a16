"""`/customers`: the list-search and one customer's archive. Thin: parse, call a selector, present."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router

from freightcrm.api.presenters import customer_detail, customer_rows
from freightcrm.api.schemas import CustomerDetail, CustomerListParams, CustomerPage, ErrorOut
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.search import CustomerFilters, customer_search
from freightcrm.customers.selectors import customer_for

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
        filters=CustomerFilters(
            kind=params.kind,
            region=params.region.strip(),
            status=params.status,
            owner=params.owner,
            tag=params.tag.strip(),
            grade=params.grade,
        ),
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
