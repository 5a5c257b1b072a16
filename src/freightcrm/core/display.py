"""How people and amounts are written on screen."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

CJK = re.compile(r"[\u3400-\u9fff]")


def person_name(user: Any) -> str:
    """A user's name as people write it: 陈静 (family name first, no space) for Chinese names,
    "Jing Chen" for others, the login when no name is set."""
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part) or user.get_username()


def money(value: Decimal | float | int | None, places: int = 0) -> str:
    """Thousands separated by commas, as on Chinese invoices and statements: 3,618,381."""
    if value is None:
        return "—"
    return f"{Decimal(value):,.{places}f}"
