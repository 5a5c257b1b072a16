"""The checks the visit, survey and interaction services share: a permission, and the customer in view."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Customer


def require(actor: Any, permission: str, customer: Customer) -> None:
    """Refuse unless `actor` has `permission` and may see `customer` (own or shared, or all)."""
    if not access.access_for(actor).has(permission):
        raise PermissionDeniedError(_("Your role may not do this."))
    if not access.can_see(actor, customer):
        raise PermissionDeniedError(_("You may not change this record."))
