"""Staff UI for shipments: find one by waybill number or customer; visibility from `core.access`."""

from __future__ import annotations

from django.contrib import admin
from unfold.admin import ModelAdmin

from freightcrm.core.admin import AccessControlledAdmin
from freightcrm.shipments.models import Shipment


@admin.register(Shipment)
class ShipmentAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = (
        "waybill_no",
        "customer",
        "origin_city",
        "destination_city",
        "mode",
        "cargo_type",
        "weight_kg",
        "amount",
        "currency",
        "booked_at",
        "status",
        "on_time",
    )
    list_filter = ("status", "mode", "cargo_type", "on_time")
    search_fields = ("=waybill_no", "customer__name", "=customer__code")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)
    date_hierarchy = "booked_at"
    list_per_page = 50
    show_full_result_count = False
