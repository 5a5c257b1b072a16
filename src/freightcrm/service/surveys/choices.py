"""Choices of satisfaction surveys (满意度调查)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """What a question measures; the first four are 1–5 scales, NPS is 0–10, comments are free text."""

    EXPECTED = "expected", _("Expected quality")
    EXPERIENCED = "experienced", _("Experienced quality")
    VALUE = "value", _("Perceived value")
    OVERALL = "overall", _("Overall satisfaction")
    NPS = "nps", _("Likelihood to recommend (NPS)")
    COMMENT = "comment", _("Free text")


SCALED_DIMENSIONS = (Dimension.EXPECTED, Dimension.EXPERIENCED, Dimension.VALUE, Dimension.OVERALL)
SCALE_MAX = 5
NPS_MAX = 10
# A low score opens a follow-up for the account manager: overall satisfaction of 2 or less out of 5,
# or a detractor on the NPS question (0–6, the standard NPS definition).
LOW_OVERALL = 2
LOW_NPS = 6
PROMOTER_FROM = 9


class InvitationState(models.TextChoices):
    PENDING = "pending", _("Awaiting answer")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
