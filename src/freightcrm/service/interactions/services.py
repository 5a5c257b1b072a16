"""Calls and notes (通话与备忘): logging every contact with a customer that is not a visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.interactions.choices import Direction, InteractionKind
from freightcrm.service.interactions.models import Interaction

MAX_SUMMARY = 4_000


@transaction.atomic
def interaction_log(
    *,
    actor: Any,
    customer: Customer,
    kind: str,
    summary: str,
    at: dt.datetime | None = None,
    contact: Contact | None = None,
    direction: str = "",
) -> Interaction:
    """Log a call, note, e-mail, WeChat message or meeting; it happened, so it is not in the future."""
    access.require_permission(actor, "service.add_interaction", customer)
    at = at or timezone.now()
    errors: dict[str, Any] = {}
    if kind not in InteractionKind.values:
        errors["kind"] = _("Choose call, note, e-mail, WeChat or meeting.")
    if direction and direction not in Direction.values:
        errors["direction"] = _("Choose inbound or outbound.")
    elif kind in {InteractionKind.CALL, InteractionKind.EMAIL, InteractionKind.WECHAT} and not direction:
        errors["direction"] = _("Say whether the customer contacted us or we contacted them.")
    if not summary.strip():
        errors["summary"] = _("Write a short summary.")
    elif len(summary) > MAX_SUMMARY:
        errors["summary"] = _("Keep the summary under %(max)s characters.") % {"max": MAX_SUMMARY}
    if timezone.is_naive(at):
        errors["at"] = _("Give the date and time.")
    elif at > timezone.now() + dt.timedelta(minutes=5):
        errors["at"] = _("A call or note cannot be dated in the future.")
    if contact is not None and contact.customer_id != customer.pk:
        errors["contact"] = _("Choose one of this customer's contacts.")
    if errors:
        raise ValidationError(errors)
    interaction = Interaction(
        customer=customer,
        contact=contact,
        kind=kind,
        direction=direction if kind != InteractionKind.NOTE else "",
        at=at,
        summary=summary.strip(),
        staff=actor,
    )
    interaction.full_clean(exclude=["customer", "contact", "staff"])
    interaction.save()
    return interaction
