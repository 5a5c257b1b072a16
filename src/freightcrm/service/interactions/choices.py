"""Choices of calls and notes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class InteractionKind(models.TextChoices):
    CALL = "call", _("Phone call")
    NOTE = "note", _("Note")
    EMAIL = "email", _("E-mail")
    WECHAT = "wechat", _("WeChat")
    MEETING = "meeting", _("Meeting")


class Direction(models.TextChoices):
    INBOUND = "in", _("Inbound (from the customer)")
    OUTBOUND = "out", _("Outbound (to the customer)")
