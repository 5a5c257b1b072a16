from decimal import Decimal
from typing import Any

from django import template

from freightcrm.core import display

register = template.Library()


@register.filter
def person(user: Any) -> str:
    return display.person_name(user) or "—"


@register.filter
def money(value: Decimal | float | int | None, places: int = 0) -> str:
    return display.money(value, places)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`{{ row|get_item:name }}`: a dict's value under a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
