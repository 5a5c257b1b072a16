"""Shipments as full orders, their status events, and the monthly figures kept beside them."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.models import TimeStampedModel
from freightcrm.core.validators import validate_not_negative
from freightcrm.customers.choices import Currency, Mode
from freightcrm.customers.models import Customer
from freightcrm.shipments.choices import CargoClass, ExceptionReason, ShipmentStatus


class Shipment(TimeStampedModel):
    """One order: booked for a customer on a lane, moved through `ShipmentStatus` by events.

    `on_time` is derived (delivered no later than promised) by `services.shipment_record_event`;
    nobody types it. The column keeps its old name `cargo_type` but holds a `CargoClass`.
    """

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="shipments"
    )
    waybill_no = models.CharField(_("waybill number"), max_length=24, unique=True)
    origin_city = models.CharField(_("origin city"), max_length=30)
    destination_city = models.CharField(_("destination city"), max_length=30)
    mode = models.CharField(_("mode"), max_length=12, choices=Mode.choices)
    cargo_type = models.CharField(
        _("cargo class"), max_length=12, choices=CargoClass.choices, default=CargoClass.GENERAL
    )
    pieces = models.PositiveIntegerField(
        _("pieces"),
        default=1,
        validators=[MinValueValidator(1, message=_("A shipment has at least one piece."))],
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"), max_digits=12, decimal_places=2, validators=[validate_not_negative]
    )
    volume_m3 = models.DecimalField(
        _("volume (m³)"), max_digits=10, decimal_places=3, default=0, validators=[validate_not_negative]
    )
    declared_value = models.DecimalField(
        _("declared value"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[validate_not_negative],
        help_text=_("In the shipment's currency; 0 when the shipper declared none."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, validators=[validate_not_negative]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.CNY)
    booked_at = models.DateTimeField(_("booked at"))
    picked_up_at = models.DateTimeField(_("picked up at"), null=True, blank=True)
    promised_at = models.DateTimeField(_("promised delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.BOOKED
    )
    exception_reason = models.CharField(
        _("exception reason"), max_length=20, choices=ExceptionReason.choices, blank=True
    )

    class Meta:
        ordering = ["-booked_at"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        indexes = [models.Index(fields=["customer", "booked_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="shipment_amount_gte_0"),
            models.CheckConstraint(condition=Q(weight_kg__gte=0), name="shipment_weight_gte_0"),
            models.CheckConstraint(condition=Q(volume_m3__gte=0), name="shipment_volume_gte_0"),
            models.CheckConstraint(condition=Q(declared_value__gte=0), name="shipment_declared_value_gte_0"),
            models.CheckConstraint(condition=Q(pieces__gte=1), name="shipment_pieces_gte_1"),
            models.CheckConstraint(
                condition=Q(delivered_at__isnull=True) | Q(delivered_at__gte=models.F("booked_at")),
                name="shipment_delivered_after_booked",
            ),
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.EXCEPTION) | ~Q(exception_reason=""),
                name="shipment_exception_has_reason",
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
        if self.promised_at and self.booked_at and self.promised_at < self.booked_at:
            raise ValidationError(
                {"promised_at": _("The promised delivery is before the booking time; check both dates.")}
            )


class ShipmentEvent(models.Model):
    """One step of a shipment's trail: what status it reached, when, where, and who recorded it."""

    customer_path = "shipment__customer"

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events"
    )
    status = models.CharField(_("status"), max_length=20, choices=ShipmentStatus.choices)
    at = models.DateTimeField(_("time"))
    city = models.CharField(_("location"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reason = models.CharField(
        _("exception reason"), max_length=20, choices=ExceptionReason.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("shipment event")
        verbose_name_plural = _("shipment events")
        indexes = [models.Index(fields=["shipment", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ShipmentStatus.EXCEPTION) | ~Q(reason=""),
                name="shipment_event_exception_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.status} {self.at:%Y-%m-%d %H:%M}"


class CustomerShipmentMonth(models.Model):
    """One customer's shipments booked in one month (local time), cancelled ones left out.

    Derived data: kept by `stats.shipment_stats_refresh` whenever a shipment is saved, rebuilt by
    `rebuild_shipment_stats`, filled by the seed. `amount_cny` sums the shipments billed in CNY.
    """

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="shipment_months"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    shipments = models.PositiveIntegerField(_("shipments"), default=0)
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    on_time = models.PositiveIntegerField(_("delivered on time"), default=0)
    amount_cny = models.DecimalField(_("amount (CNY)"), max_digits=18, decimal_places=2, default=0)
    weight_kg = models.DecimalField(_("weight (kg)"), max_digits=18, decimal_places=2, default=0)
    first_booked_at = models.DateTimeField(_("first booked at"), null=True, blank=True)
    last_booked_at = models.DateTimeField(_("last booked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("customer shipments per month")
        verbose_name_plural = _("customer shipments per month")
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="customer_shipment_month_unique"),
            models.CheckConstraint(
                condition=Q(on_time__lte=models.F("delivered")), name="csm_on_time_lte_delivered"
            ),
            models.CheckConstraint(
                condition=Q(delivered__lte=models.F("shipments")), name="csm_delivered_lte_shipments"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.month:%Y-%m}: {self.shipments}"


class RegionShipmentMonth(models.Model):
    """Shipments (not cancelled) booked in one month by customers of one province (`""`: unknown)."""

    province = models.CharField(_("province"), max_length=20, blank=True)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    shipments = models.IntegerField(_("shipments"), default=0)

    class Meta:
        verbose_name = _("region shipments per month")
        verbose_name_plural = _("region shipments per month")
        constraints = [
            models.UniqueConstraint(fields=["province", "month"], name="region_shipment_month_unique"),
            models.CheckConstraint(condition=Q(shipments__gte=0), name="rsm_shipments_gte_0"),
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.province or '—'} {self.month:%Y-%m}: {self.shipments}"
