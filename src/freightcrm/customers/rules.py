"""The archive's rules: normalisation of typed values and the fields each kind of customer needs.

Called from `Customer.clean()`, so the staff UI's forms, the services, the API and the import all
apply exactly the same rules, and errors come back per field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from freightcrm.core.fields import Sealed
from freightcrm.core.validators import (
    normalise_phone,
    normalise_resident_id,
    normalise_uscc,
    resident_id_birth_date,
    resident_id_gender,
    to_half_width,
)
from freightcrm.customers.choices import ORGANISATION_KINDS, CustomerKind, PaymentTerms, Status

if TYPE_CHECKING:
    from freightcrm.customers.models import Contact, Customer


def _text(value: str) -> str:
    return " ".join(to_half_width(value).split()) if value else value


def normalise_customer(customer: Customer) -> None:
    customer.name = _text(customer.name)
    customer.short_name = _text(customer.short_name)
    customer.uscc = normalise_uscc(customer.uscc) or None if customer.uscc else None
    customer.mobile = normalise_phone(customer.mobile) if customer.mobile else ""
    customer.phone = normalise_phone(customer.phone) if customer.phone else ""
    customer.email = customer.email.strip().lower() if customer.email else ""
    raw_id = customer.__dict__.get("id_number")
    if raw_id and not isinstance(raw_id, Sealed):
        customer.id_number = normalise_resident_id(raw_id)
    raw_account = customer.__dict__.get("bank_account")
    if raw_account and not isinstance(raw_account, Sealed):
        customer.bank_account = " ".join(to_half_width(raw_account).split())


def check_customer(customer: Customer) -> None:
    normalise_customer(customer)
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: Any, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    if not customer.name:
        add("name", _("Enter the customer's name (the full registered name for organisations)."), "required")
    organisation = customer.kind in ORGANISATION_KINDS
    if organisation and not customer.uscc and customer.status != Status.PROSPECT:
        add(
            "uscc",
            _(
                "Enter the unified social credit code from the business licence. "
                "Only prospects may go without it."
            ),
            "required",
        )
    raw_id = customer.__dict__.get("id_number")
    has_new_id = bool(raw_id) and not isinstance(raw_id, Sealed)
    if organisation and raw_id:
        add(
            "id_number",
            _(
                "Organisations have no resident ID number; "
                "record the legal representative as a contact instead."
            ),
            "not_for_organisations",
        )
    if customer.kind == CustomerKind.INDIVIDUAL:
        if not customer.mobile:
            add("mobile", _("Enter a mobile number: individual customers are reached by mobile."), "required")
        if customer.uscc:
            add(
                "uscc",
                _(
                    "A unified social credit code belongs to an organisation or an individual business: "
                    "set the customer kind to Enterprise, or leave the code empty."
                ),
                "not_for_individuals",
            )
    if has_new_id and "id_number" not in errors:
        try:
            birth = resident_id_birth_date(str(raw_id))
            gender = resident_id_gender(str(raw_id))
        except Exception:  # noqa: BLE001, S110 - the field validator reports the malformed number
            birth, gender = None, None
        if birth is not None:
            if customer.birth_date is None:
                customer.birth_date = birth
            elif customer.birth_date != birth:
                add(
                    "birth_date",
                    _("The birth date differs from the one in the resident ID number (%(date)s).")
                    % {"date": birth.isoformat()},
                    "id_mismatch",
                )
            if not customer.gender:
                customer.gender = gender or ""
            elif gender and customer.gender != gender:
                add("gender", _("The gender differs from the one in the resident ID number."), "id_mismatch")
    if customer.payment_terms == PaymentTerms.CREDIT and not customer.payment_days:
        add("payment_days", _("Credit terms need the number of days to pay, e.g. 30 or 60."), "required")
    if customer.payment_days is not None and not 0 < customer.payment_days <= 365:
        add("payment_days", _("Payment days must be between 1 and 365."), "range")
    if customer.kind == CustomerKind.INTERNAL and customer.credit_limit:
        add("credit_limit", _("Internal customers (branches, departments) have no credit limit."), "internal")
    if errors:
        raise ValidationError(errors)


def normalise_contact(contact: Contact) -> None:
    contact.name = _text(contact.name)
    contact.mobile = normalise_phone(contact.mobile) if contact.mobile else ""
    contact.phone = normalise_phone(contact.phone) if contact.phone else ""
    contact.email = contact.email.strip().lower() if contact.email else ""


def check_contact(contact: Contact) -> None:
    normalise_contact(contact)
    if not (contact.mobile or contact.phone or contact.email or contact.wechat):
        raise ValidationError(
            {"mobile": _("Give at least one way to reach this contact: mobile, telephone, e-mail or WeChat.")}
        )
