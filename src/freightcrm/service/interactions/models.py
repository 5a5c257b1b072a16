"""Calls and notes (通话与备忘): every contact with a customer that is not a visit or a complaint."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.interactions.choices import Direction, InteractionKind

__all__ = ["Interaction"]


class Interaction(TimeStampedModel):
    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="interactions"
    )
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=InteractionKind.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, blank=True)
    at = models.DateTimeField(_("time"))
    summary = models.TextField(_("summary"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("call or note")
        verbose_name_plural = _("calls and notes")
        indexes = [models.Index(fields=["customer", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=list(InteractionKind.values)), name="interaction_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=["", *Direction.values]), name="interaction_direction_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.customer}"
