"""Shipments, minimal: enough for the archive's transactions summary (a later issue extends them)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.core.validators import validate_not_negative
from freightcrm.customers.choices import CargoType, Currency, Mode
from freightcrm.customers.models import Customer
from freightcrm.shipments.choices import ShipmentStatus


class Shipment(TimeStampedModel):
    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="shipments"
    )
    waybill_no = models.CharField(_("waybill number"), max_length=24, unique=True)
    origin_city = models.CharField(_("origin city"), max_length=30)
    destination_city = models.CharField(_("destination city"), max_length=30)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    cargo_type = models.CharField(_("cargo type"), max_length=12, choices=CargoType.choices)
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=12, decimal_places=2, validators=[validate_not_negative]
    )
    volume_m3 = models.DecimalField(
        _("volume (m³)"), max_digits=10, decimal_places=3, default=0, validators=[validate_not_negative]
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[validate_not_negative]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    booked_at = models.DateTimeField(_("booked at"))
    promised_at = models.DateTimeField(_("promised delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ShipmentStatus.choices, default=ShipmentStatus.BOOKED
    )

    class Meta:
        ordering = ["-booked_at"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["customer", "booked_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="shipment_amount_gte_0"),
            models.CheckConstraint(condition=Q(weight_kg__gte=0), name="shipment_weight_gte_0"),
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True) | Q(delivered_at__gte=models.F("booked_at")),
                name="shipment_delivered_after_booked",
            ),
        ]

    def __str__(self) -> str:
        return self.waybill_no

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.delivered_at and self.booked_at and self.delivered_at < self.booked_at:
            raise ValidationError(
                {"delivered_at": _("The delivery time is before the booking time; check both dates.")}
            )
