"""The API's request and response shapes, as they appear in the OpenAPI document.

Fields a user may not see (finance without `view_finance`, sections of models the user may not
view) are left out of the response rather than sent as null: the handlers build dictionaries that
simply lack those keys and the operations serialise with `exclude_unset`. Hence every such field has
a default here and says so in its description. Amounts are decimals written as strings, never
floats. Response models are plain pydantic models (not ninja's `Schema`, whose ORM getter the
handlers do not need).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.utils.translation import gettext
from pydantic import BaseModel, Field, field_validator

from freightcrm.customers.choices import CreditGrade, CustomerKind, Status
from freightcrm.customers.search import MAX_PAGE_SIZE, MAX_QUERY_LENGTH, ORDERINGS

FINANCE_ONLY = "Only for users who may see finance and credit information (`view_finance`)."
DECIMAL = "A decimal number written as a string (no rounding through floats)."
MAX_PAGE = 10_000_000  # far beyond any archive; keeps OFFSET within a 64-bit integer on every database
MAX_ID = 2**63 - 1


def _no_control_characters(value: str) -> str:
    """NUL and other control characters never belong in a search or filter (PostgreSQL refuses NUL)."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValueError(gettext("Control characters are not allowed here."))
    return value


def one_of(value: str, allowed: tuple[str, ...] | list[str]) -> str:
    if value and value not in allowed:
        raise ValueError(
            gettext("Unknown value %(value)s; use one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(allowed)}
        )
    return value


class CustomerFilterParams(BaseModel):
    """The search and filters of the customer list (`GET /customers` and its CSV export)."""

    q: str = Field(
        "",
        description=(
            "Search text: part of a name or short name (Chinese or pinyin, initials too), a customer "
            "code, a unified social credit code, a resident ID number, a phone number or its last "
            "digits, a contact's name. Empty lists every customer you may see."
        ),
        json_schema_extra={"maxLength": MAX_QUERY_LENGTH},
    )
    kind: str = Field(
        "",
        description="Customer kind: P individual, E enterprise, I institution, S partner, N internal.",
        json_schema_extra={"enum": ["", *CustomerKind.values]},
    )
    region: str = Field(
        "",
        max_length=30,
        description="Region code prefix (`31`, `3101`, `310115`) or a province or city name (`上海市`).",
    )
    status: str = Field("", description="Lifecycle status.", json_schema_extra={"enum": ["", *Status.values]})
    owner: int | None = Field(None, ge=1, le=MAX_ID, description="Account owner's user id.")
    tag: str = Field("", max_length=30, description="A tag's name.")
    grade: str = Field(
        "",
        description="Credit grade. " + FINANCE_ONLY + " Others get 403.",
        json_schema_extra={"enum": ["", *CreditGrade.values]},
    )

    @field_validator("q", "kind", "region", "status", "tag", "grade")
    @classmethod
    def _printable(cls, value: str) -> str:
        return _no_control_characters(value)

    @field_validator("kind")
    @classmethod
    def _kind(cls, value: str) -> str:
        return one_of(value, CustomerKind.values)

    @field_validator("status")
    @classmethod
    def _status(cls, value: str) -> str:
        return one_of(value, Status.values)

    @field_validator("grade")
    @classmethod
    def _grade(cls, value: str) -> str:
        return one_of(value, CreditGrade.values)


class CustomerListParams(CustomerFilterParams):
    """Query parameters of `GET /customers`."""

    ordering: str = Field(
        "",
        description="Sort order; empty means best match first with `q`, last updated first without.",
        json_schema_extra={"enum": ["", *ORDERINGS]},
    )
    page: int = Field(1, le=MAX_PAGE, description="Page number, from 1.", json_schema_extra={"minimum": 1})
    page_size: int = Field(
        20,
        description=f"Customers per page, 1 to {MAX_PAGE_SIZE}; more is refused with 400 (not capped).",
        json_schema_extra={"minimum": 1, "maximum": MAX_PAGE_SIZE},
    )

    @field_validator("ordering")
    @classmethod
    def _printable_ordering(cls, value: str) -> str:
        return _no_control_characters(value)


class CustomerExportParams(CustomerFilterParams):
    """Query parameters of `GET /customers/export.csv`."""

    encoding: str = Field(
        "utf-8-sig",
        description="`utf-8-sig` (UTF-8 with the BOM Excel and WPS look for) or `gb18030` (older Excel).",
        json_schema_extra={"enum": ["utf-8-sig", "gb18030"]},
    )
    sensitive: bool = Field(
        False,
        description=(
            "Resident ID and bank account numbers in full. Needs the sensitive-export permission and the "
            "right to see both in full; others get 403. Without it they are masked."
        ),
    )
    fields: str = Field(
        "",
        max_length=2000,
        description="Columns, comma-separated field names (`code,name,mobile`); empty for the default set.",
    )

    @field_validator("encoding", "fields")
    @classmethod
    def _printable_options(cls, value: str) -> str:
        return _no_control_characters(value)


class OwnerOut(BaseModel):
    id: int
    username: str
    name: str = Field(description="As people write it: family name first for Chinese names.")


class CustomerListItem(BaseModel):
    code: str = Field(description="Stable customer code, e.g. `E-310115-000123`.")
    name: str
    short_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    province: str
    city: str
    district: str
    adcode: str = Field(description="Region code of the primary address.")
    owner: OwnerOut | None
    tags: list[str]
    credit_grade: str = Field("", description=FINANCE_ONLY)
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPage(BaseModel):
    count: int = Field(description="Matches in total (at most the search cap when `capped`).")
    capped: bool = Field(description="True when the search stopped at its cap: refine the query.")
    page: int
    page_size: int
    notice: str = Field(description="A message for the person searching, e.g. nothing to search for.")
    results: list[CustomerListItem]


class ContactOut(BaseModel):
    id: int
    name: str
    title: str
    role: str
    role_label: str
    mobile: str
    phone: str
    email: str
    wechat: str
    birthday: dt.date | None
    is_primary: bool
    notes: str


class AddressOut(BaseModel):
    id: int
    kind: str
    kind_label: str
    text: str
    province: str
    city: str
    district: str
    adcode: str
    detail: str
    postal_code: str
    is_primary: bool


class NeedOut(BaseModel):
    id: int
    mode: str
    mode_label: str
    origin_city: str
    destination_city: str
    cargo_type: str
    cargo_type_label: str
    temperature: str
    temperature_label: str
    packaging: str
    delivery_window: str
    frequency: str
    frequency_label: str
    annual_volume: str | None = Field(description=DECIMAL)
    volume_unit: str
    volume_unit_label: str
    notes: str


class LaneOut(BaseModel):
    origin_city: str
    destination_city: str
    count: int
    amount: str | None = Field(description=DECIMAL)


class MonthOut(BaseModel):
    month: str = Field(description="`YYYY-MM`.")
    count: int
    amount: str | None = Field(description=DECIMAL)


class TransactionsOut(BaseModel):
    """The customer card's transactions summary: the last 12 months against the 12 before."""

    count: int
    first_booked_at: dt.datetime | None
    last_booked_at: dt.datetime | None
    count_12m: int
    count_prev_12m: int
    amount_12m_cny: str = Field(description=DECIMAL + " Shipments billed in CNY only.")
    weight_tonnes_12m: str = Field(description=DECIMAL)
    trend_count_pct: float | None = Field(description="Change of the count against the 12 months before.")
    trend_amount_pct: float | None
    on_time_rate_pct: float | None
    lanes: list[LaneOut] = Field(description="The five busiest lanes of the last 12 months.")
    months: list[MonthOut]


class CustomerDetail(BaseModel):
    """One customer's archive as the caller may see it; absent keys are what the caller may not see."""

    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    owner: OwnerOut | None
    tags: list[str]
    uscc: str | None
    legal_representative: str
    registered_capital: str | None = Field(description=DECIMAL + " In CNY 10,000.")
    founded_on: dt.date | None
    industry: str
    size: str
    ownership: str
    website: str
    gender: str
    birth_date: dt.date | None
    id_number: str = Field(description="Masked (`3101**********1234`) unless you may see it in full.")
    occupation: str
    income_band: str
    mobile: str
    phone: str
    email: str
    province: str
    city: str
    district: str
    adcode: str
    business_scope: str
    regions_served: str
    development_potential: str
    cargo_preferences: list[str]
    main_cargo: str
    annual_volume_tonnes: str | None = Field(description=DECIMAL)
    annual_logistics_spend: str | None = Field(description=DECIMAL + " In CNY 10,000.")
    competitors: str
    cooperation_since: dt.date | None
    credit_grade: str = Field("", description=FINANCE_ONLY)
    credit_limit: str | None = Field(None, description=DECIMAL + " " + FINANCE_ONLY)
    credit_currency: str = Field("", description=FINANCE_ONLY)
    payment_terms: str = Field("", description=FINANCE_ONLY)
    payment_days: int | None = Field(None, description=FINANCE_ONLY)
    bank_name: str = Field("", description=FINANCE_ONLY)
    bank_account: str = Field("", description="Masked unless you may see it in full. " + FINANCE_ONLY)
    preferred_channels: list[str]
    preferred_contact_time: str
    remarks: str
    version: int = Field(description="Grows with every change; a later write API will require it.")
    created_at: dt.datetime
    updated_at: dt.datetime
    labels: dict[str, str] = Field(
        description="The label, in the response's language, of each coded value shown (e.g. `industry`)."
    )
    contacts: list[ContactOut] = Field(default_factory=list, description="Only if you may view contacts.")
    addresses: list[AddressOut] = Field(default_factory=list, description="Only if you may view addresses.")
    needs: list[NeedOut] = Field(default_factory=list, description="Only if you may view logistics needs.")
    transactions: TransactionsOut | None = Field(None, description="Only if you may view shipments.")


class ErrorDetail(BaseModel):
    code: str = Field(description="Stable, snake_case: decide on this, not on the message.")
    message: str = Field(description="For people: Chinese by default, English with `Accept-Language: en`.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per parameter, when parameters were refused."
    )


class ErrorOut(BaseModel):
    error: ErrorDetail


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}
