"""The customer's self-service form: a secret link to confirm or correct their details, give consent.

Staff who may change the customer (its account manager, a records clerk) issue a link
(`self_service_link_issue`); the token is shown once and only its hash is stored (`core.tokens`).
The answer (`self_service_answer`) claims the link with one conditional UPDATE (once, before it
expires), and in the same transaction:
- corrections of the customer's own fields become a CHANGE submission (source SELF_SERVICE, no
  actor) that a records clerk reviews; corrections of the contact person or the address travel in
  its note for the clerk to apply; "all correct" is logged as an already approved item that changes
  nothing;
- consent is recorded at once: it is the customer's own decision, not something staff review.
Bad input changes nothing: every value is checked before the link is claimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import LinkUnavailable
from freightcrm.core.masking import mask
from freightcrm.core.tokens import new_token, plausible, token_hash
from freightcrm.customers.models import Address, Contact, Customer
from freightcrm.intake.choices import ConsentChannel, ConsentPurpose, ReviewState, Source, SubmissionKind
from freightcrm.intake.models import Consent, SelfServiceLink, Submission
from freightcrm.intake.review import propose_changes

DEFAULT_EXPIRY_DAYS = 14
MAX_EXPIRY_DAYS = 60
CONSENT_TEXT_VERSION = "2026-01"  # bump when the wording on the public page changes
# The customer's own fields the form offers, in the order shown.
EDITABLE = ("name", "mobile", "phone", "email", "business_scope")
NOTED = ("contact_person", "address")  # not customer fields: the clerk applies them by hand
MAX_TEXT = {"name": 200, "mobile": 30, "phone": 30, "email": 254, "business_scope": 2000}
MAX_NOTED = 300


NOT_VALID = _("This link is not valid. Please ask your account manager for a new one.")


@dataclass(frozen=True)
class IssuedLink:
    link: SelfServiceLink
    token: str  # shown to the issuer once; never stored

    @property
    def path(self) -> str:
        from django.urls import reverse

        return reverse("self-service", args=[self.token])


@transaction.atomic
def self_service_link_issue(
    *, actor: Any, customer: Customer, expires_in_days: int = DEFAULT_EXPIRY_DAYS
) -> IssuedLink:
    access.require_permission(
        actor,
        "customers.change_customer",
        customer,
        refused=_("Only the account manager or a records clerk may send a self-service link."),
    )
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValidationError(
            {"expires_in_days": _("The link must expire in 1 to %(max)s days.") % {"max": MAX_EXPIRY_DAYS}}
        )
    token, digest = new_token()
    now = timezone.now()
    link = SelfServiceLink.objects.create(
        customer=customer,
        token_hash=digest,
        issued_by=actor,
        expires_at=now + dt.timedelta(days=expires_in_days),
    )
    return IssuedLink(link, token)


def link_for_token(token: str, now: dt.datetime | None = None) -> SelfServiceLink:
    """The open link behind `token`; `LinkUnavailable` otherwise, saying nothing about the customer."""
    if not plausible(token):
        raise LinkUnavailable(NOT_VALID, code="link_not_found", status=404)
    try:
        link = SelfServiceLink.objects.select_related("customer").get(token_hash=token_hash(token))
    except SelfServiceLink.DoesNotExist as exc:
        raise LinkUnavailable(NOT_VALID, code="link_not_found", status=404) from exc
    check_open(link, now)
    return link


def check_open(link: SelfServiceLink, now: dt.datetime | None = None) -> None:
    if link.used_at is not None:
        raise LinkUnavailable(
            _(
                "This link has already been used. Thank you! "
                "Ask your account manager for a new one to make more changes."
            ),
            code="link_used",
            status=410,
        )
    if link.expires_at <= (now or timezone.now()):
        raise LinkUnavailable(
            _("This link has expired. Please ask your account manager for a new one."),
            code="link_expired",
            status=410,
        )
    if link.customer.review_state != ReviewState.APPROVED:
        raise LinkUnavailable(NOT_VALID, code="link_not_found", status=404)


def _primary(model: type[Contact] | type[Address], customer: Customer) -> Any:
    return model.objects.filter(customer=customer).order_by("-is_primary", "pk").first()


def current_details(customer: Customer) -> dict[str, str]:
    """What the form shows: the customer's details as they may see them (no ID or bank numbers in
    full; the bank account only masked, for recognition)."""
    contact = _primary(Contact, customer)
    address = _primary(Address, customer)
    return {
        **{name: str(getattr(customer, name) or "") for name in EDITABLE},
        "contact_person": contact.name if contact else "",
        "address": address.text if address else "",
        "bank_account": mask(customer.bank_account) if customer.bank_account else "",
    }


def current_consents(customer: Customer) -> dict[str, bool]:
    """The latest decision per purpose (not given until the customer says so)."""
    latest: dict[str, bool] = {}
    for purpose, given in (
        Consent.objects.filter(customer=customer).order_by("at", "pk").values_list("purpose", "given")
    ):
        latest[purpose] = given
    return {purpose: latest.get(purpose, False) for purpose in ConsentPurpose.values}


def _read(data: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    errors: dict[str, Any] = {}
    for name in EDITABLE + NOTED:
        raw = str(data.get(name, "") or "").strip()
        limit = MAX_TEXT.get(name, MAX_NOTED)
        if len(raw) > limit:
            errors[name] = _("Please keep it under %(max)s characters.") % {"max": limit}
        values[name] = raw
    if not values["name"]:
        errors["name"] = _("Your company's or your own name is needed.")
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def self_service_answer(*, token: str, data: Mapping[str, Any], now: dt.datetime | None = None) -> Submission:
    """Take the one answer of the link behind `token`: check everything, then claim the link,
    file the corrections for review and record consent."""
    now = now or timezone.now()
    link = link_for_token(token, now)
    customer = Customer.objects.get(pk=link.customer_id)
    values = _read(data)
    before = current_details(customer)
    changes = {name: values[name] for name in EDITABLE if values[name] != before[name]}
    noted = [
        gettext("%(field)s: %(before)s → %(after)s")
        % {"field": label, "before": before[name] or "—", "after": values[name] or "—"}
        for name, label in (("contact_person", gettext("contact person")), ("address", gettext("address")))
        if values[name] != before[name]
    ]
    note = "; ".join(noted)
    submission = None
    if changes:
        submission = propose_changes(
            actor=None, customer=customer, changes=changes, source=Source.SELF_SERVICE, note=note
        )  # raises ValidationError (a bad phone number, e-mail …) before anything is saved
    if submission is None:
        submission = Submission.objects.create(
            kind=SubmissionKind.CHANGE,
            source=Source.SELF_SERVICE,
            customer=customer,
            base_version=customer.version,
            note=note[:500] or gettext("The customer confirmed their details without changes."),
            changes="{}",
            # Nothing for a clerk to decide when nothing changed: logged as already settled.
            state=ReviewState.PENDING if note else ReviewState.APPROVED,
            decided_at=None if note else now,
        )
    claimed = SelfServiceLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(
        used_at=now, submission=submission, updated_at=now
    )
    if not claimed:  # another answer got there first: undo this one entirely
        link.refresh_from_db()
        check_open(link, now)
        raise LinkUnavailable(NOT_VALID, code="link_used", status=410)
    consents = current_consents(customer)
    Consent.objects.bulk_create(
        Consent(
            customer=customer,
            purpose=purpose,
            given=wanted,
            at=now,
            channel=ConsentChannel.SELF_SERVICE,
            text_version=CONSENT_TEXT_VERSION,
            link=link,
        )
        for purpose in ConsentPurpose.values
        if (wanted := bool(data.get(f"consent_{purpose}"))) != consents[purpose]
    )
    return submission
