"""Choices of return visits (回访)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class VisitMode(models.TextChoices):
    PHONE = "phone", _("Phone")
    ON_SITE = "on_site", _("On-site")
    ONLINE = "online", _("Online meeting")


class VisitOutcome(models.TextChoices):
    POSITIVE = "positive", _("Satisfied, relationship good")
    OPPORTUNITY = "opportunity", _("New business opportunity")
    NEUTRAL = "neutral", _("Nothing notable")
    CONCERN = "concern", _("Concerns raised, follow-up needed")
    UNREACHABLE = "unreachable", _("Could not reach the customer")


class VisitSource(models.TextChoices):
    RULE = "rule", _("Visit rule")
    MANUAL = "manual", _("Scheduled by hand")
    SURVEY = "survey", _("Low survey score")
