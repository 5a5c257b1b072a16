"""Complaints (投诉): a category tree, per-severity targets, the complaint and its event log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.core.validators import validate_not_negative
from freightcrm.customers.choices import Currency
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.complaints.choices import (
    Action,
    Channel,
    Confirmation,
    Escalation,
    Severity,
    State,
)
from freightcrm.shipments.models import Shipment

__all__ = ["Complaint", "ComplaintCategory", "ComplaintEvent", "ComplaintTarget"]


class ComplaintCategory(models.Model):
    """Two levels: a root (延误, 破损…) and its children (揽收延误…). Statistics count by root."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=40)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="complaintcategory_not_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id and self.parent else self.name

    @property
    def root_id(self) -> int:
        return self.parent_id or self.pk


class ComplaintTarget(models.Model):
    """How fast each severity must be answered and resolved, in calendar hours (a 24/7 hotline)."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    response_hours = models.PositiveIntegerField(_("response within (hours)"))
    resolution_hours = models.PositiveIntegerField(_("resolution within (hours)"))

    class Meta:
        ordering = ["response_hours"]
        verbose_name = _("complaint target")
        verbose_name_plural = _("complaint targets")
        constraints = [
            models.CheckConstraint(condition=Q(response_hours__gt=0), name="complainttarget_response_gt_0"),
            models.CheckConstraint(
                condition=Q(resolution_hours__gte=F("response_hours")),
                name="complainttarget_resolution_after_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.response_hours}h / {self.resolution_hours}h"


class Complaint(TimeStampedModel):
    customer_path = "customer"

    number = models.CharField(_("complaint number"), max_length=20, unique=True)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    category = models.ForeignKey(
        ComplaintCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="complaints"
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.NORMAL
    )
    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    description = models.TextField(_("description"))
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_handled",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints_filed",
    )
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.RECEIVED)

    received_at = models.DateTimeField(_("received at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    investigating_at = models.DateTimeField(_("investigation started at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    response_due_at = models.DateTimeField(_("response due"))
    resolution_due_at = models.DateTimeField(_("resolution due"))
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=Escalation.choices, default=Escalation.NONE
    )

    resolution = models.TextField(_("resolution"), blank=True)
    compensation_amount = models.DecimalField(
        _("compensation"), max_digits=12, decimal_places=2, default=0, validators=[validate_not_negative]
    )
    compensation_currency = models.CharField(
        _("compensation currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    confirmation = models.CharField(
        _("customer's confirmation"), max_length=10, choices=Confirmation.choices, blank=True
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_note = models.CharField(_("confirmation note"), max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [("view_complaint_statistics", _("Can view complaint statistics"))]
        indexes = [
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            models.Index(fields=["customer", "received_at"], name="complaint_customer_idx"),
            models.Index(fields=["state", "response_due_at"], name="complaint_state_resp_idx"),
            models.Index(fields=["state", "resolution_due_at"], name="complaint_state_resol_idx"),
            models.Index(fields=["handler", "state"], name="complaint_handler_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation_amount__gte=0), name="complaint_compensation_gte_0"
            ),
            models.CheckConstraint(condition=Q(state__in=State.values), name="complaint_state_valid"),
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0, escalation_level__lte=2),
                name="complaint_escalation_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(response_due_at__gte=F("received_at"))
                & Q(resolution_due_at__gte=F("response_due_at")),
                name="complaint_due_order",
            ),
            models.CheckConstraint(
                condition=Q(acknowledged_at__isnull=True) | Q(acknowledged_at__gte=F("received_at")),
                name="complaint_acknowledged_after_received",
            ),
            models.CheckConstraint(
                condition=Q(state=State.RECEIVED) | Q(acknowledged_at__isnull=False),
                name="complaint_acknowledged_when_past_received",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.RESOLVED, State.CLOSED])
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="complaint_resolution_when_resolved",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.CLOSED) | Q(closed_at__isnull=False),
                name="complaint_closed_at_when_closed",
            ),
            models.CheckConstraint(
                condition=Q(confirmation="", confirmed_at__isnull=True)
                | (Q(confirmation__in=Confirmation.values) & Q(confirmed_at__isnull=False)),
                name="complaint_confirmation_consistent",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level=0) | Q(escalated_at__isnull=False),
                name="complaint_escalated_at_when_escalated",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """One row per thing that happened to a complaint: who, when, from which state to which."""

    customer_path = "complaint__customer"

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=14, choices=State.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=14, choices=State.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        indexes = [models.Index(fields=["complaint", "at"], name="complaintevent_complaint_idx")]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.action} {self.at:%Y-%m-%d %H:%M}"
