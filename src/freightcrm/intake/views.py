"""The customer's public self-service page `/f/<token>/`: no login, Chinese by default, one answer.

Unknown or guessed links are 404, used or expired ones 410: a short page that names no customer
and changes nothing. Never cached or indexed (the survey page's headers and layout, reused).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from freightcrm.core.fields import field_of
from freightcrm.customers.models import Customer
from freightcrm.intake.choices import ConsentPurpose, ReviewState
from freightcrm.intake.self_service import (
    EDITABLE,
    LinkUnavailable,
    current_consents,
    current_details,
    link_for_token,
    self_service_answer,
)
from freightcrm.service.surveys.views import closed_page, public_language, public_page

INPUT_TYPES = {"mobile": "tel", "phone": "tel", "email": "email"}
LABELS = {"contact_person": _("contact person"), "address": _("address")}
CONSENT_TEXTS = {
    ConsentPurpose.SERVICE_NOTICES: _("We may send you notices about your shipments, bills and our service."),
    ConsentPurpose.MARKETING: _("We may tell you about offers and new services (by phone, SMS or e-mail)."),
    ConsentPurpose.PARTNER_SHARING: _(
        "We may share your contact details with carriers and partners who handle your shipments."
    ),
}


def _rows(customer: Customer, values: dict[str, str], errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    names = ("name", "contact_person", *EDITABLE[1:], "address")
    return [
        {
            "name": name,
            "label": LABELS.get(name) or field_of(Customer, name).verbose_name,
            "value": values.get(name, ""),
            "type": INPUT_TYPES.get(name, "text"),
            "errors": errors.get(name, []),
        }
        for name in names
    ]


@never_cache
@require_http_methods(["GET", "POST"])
def self_service_page(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override(public_language(request)):
        try:
            link = link_for_token(token)
        except LinkUnavailable as refusal:
            return closed_page(request, refusal)
        customer = link.customer
        details = current_details(customer)
        given = current_consents(customer)
        errors: dict[str, list[str]] = {}
        if request.method == "POST":
            try:
                submission = self_service_answer(token=token, data=request.POST)
            except LinkUnavailable as refusal:
                return closed_page(request, refusal)
            except ValidationError as error:
                errors = error.message_dict
            else:
                changed = submission.state == ReviewState.PENDING
                return public_page(request, "intake/self_service/thanks.html", {"changed": changed})
            details = {name: str(request.POST.get(name, "")) for name in details}
            given = {purpose: bool(request.POST.get(f"consent_{purpose}")) for purpose in given}
        context = {
            "customer": customer,
            "rows": _rows(customer, details, errors),
            "bank_account": details.get("bank_account", ""),
            "consents": [
                {
                    "value": value,
                    "label": label,
                    "text": CONSENT_TEXTS[ConsentPurpose(value)],
                    "given": given[value],
                }
                for value, label in ConsentPurpose.choices
            ],
            "has_errors": bool(errors),
        }
        return public_page(request, "intake/self_service/form.html", context, 400 if errors else 200)
