from django.db import models
from django.utils.translation import gettext_lazy as _


class ShipmentStatus(models.TextChoices):
    """Where a shipment is. The allowed moves between them are `services.NEXT_STATUSES`."""

    BOOKED = "booked", _("Booked")
    PICKED_UP = "picked_up", _("Picked up")
    IN_TRANSIT = "in_transit", _("In transit")
    AT_HUB = "at_hub", _("At hub")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    CANCELLED = "cancelled", _("Cancelled")


class CargoClass(models.TextChoices):
    """How the cargo must be handled. Older shipments' bulk, high-value and document cargo types
    became general cargo (migration 0002); the declared value now says what a consignment is worth."""

    GENERAL = "general", _("General cargo")
    COLD_CHAIN = "cold_chain", _("Cold chain")
    HAZARDOUS = "hazardous", _("Hazardous goods")
    FRAGILE = "fragile", _("Fragile")
    OVERSIZED = "oversized", _("Oversized / heavy")


class ExceptionReason(models.TextChoices):
    WEATHER = "weather", _("Weather")
    ADDRESS = "address", _("Wrong or incomplete address")
    CONSIGNEE_ABSENT = "consignee_absent", _("Consignee absent or refused")
    CUSTOMS = "customs", _("Held at customs or inspection")
    DAMAGED = "damaged", _("Cargo damaged")
    LOST = "lost", _("Cargo missing")
    VEHICLE = "vehicle", _("Vehicle breakdown or no capacity")
    TEMPERATURE = "temperature", _("Temperature out of range")
    OTHER = "other", _("Other (see note)")
