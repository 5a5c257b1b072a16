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
