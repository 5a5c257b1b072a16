"""Choices of the complaint area: channels, severities, states, the customer's confirmation."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("E-mail")
    ONLINE_FORM = "online_form", _("Online form")
    ON_SITE = "on_site", _("On site")
    LETTER = "letter", _("Letter")
    REGULATOR = "regulator", _("Regulator referral (12305)")


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK: dict[str, int] = {Severity.LOW: 1, Severity.NORMAL: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    INVESTIGATING = "investigating", _("Investigating")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATES = (State.RECEIVED, State.ACKNOWLEDGED, State.INVESTIGATING)
DONE_STATES = (State.RESOLVED, State.CLOSED)


class Action(models.TextChoices):
    """What a `ComplaintEvent` records: the transitions, plus assignment, confirmation, escalation."""

    FILE = "file", _("Filed")
    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    INVESTIGATE = "investigate", _("Start investigation")
    RESOLVE = "resolve", _("Resolve")
    CLOSE = "close", _("Close")
    REOPEN = "reopen", _("Reopen")
    ASSIGN = "assign", _("Assign")
    CONFIRM = "confirm", _("Customer's confirmation")
    ESCALATE = "escalate", _("Escalated")


# The state machine: action -> (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Action.ACKNOWLEDGE: ((State.RECEIVED,), State.ACKNOWLEDGED),
    Action.INVESTIGATE: ((State.ACKNOWLEDGED,), State.INVESTIGATING),
    Action.RESOLVE: ((State.INVESTIGATING,), State.RESOLVED),
    Action.CLOSE: ((State.RESOLVED,), State.CLOSED),
    Action.REOPEN: ((State.RESOLVED, State.CLOSED), State.INVESTIGATING),
}


def actions_from(state: str) -> list[str]:
    """The transitions allowed from `state`, in the order the buttons show them."""
    return [action for action, (sources, _target) in TRANSITIONS.items() if state in sources]


class Confirmation(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    DISPUTED = "disputed", _("Disputed")


class Escalation(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    RESPONSE = 1, _("Response overdue")
    RESOLUTION = 2, _("Resolution overdue")
