"""Staff UI for shipments: find one by waybill number or customer, read its event trail, and (with
the right to change shipments) record its next event. Visibility from `core.access`; every write
through `services.shipment_record_event`."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from freightcrm.core import access
from freightcrm.core.admin import AccessControlledAdmin, report_error, staff
from freightcrm.core.errors import ApplicationError
from freightcrm.shipments import selectors, services
from freightcrm.shipments.choices import ExceptionReason, ShipmentStatus
from freightcrm.shipments.models import Shipment

WAYBILL_LIKE = re.compile(r"^[A-Z]{2,4}\d{8,}$")  # FC…, SF…; never a customer code (E-310115-…)


class RecordEventForm(forms.Form):
    """The next event of one shipment; the service decides whether it is allowed."""

    status = forms.ChoiceField(label=_("status"), choices=())
    at = forms.DateTimeField(
        label=_("time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    location = forms.CharField(label=_("location"), max_length=30, required=False)
    reason = forms.ChoiceField(
        label=_("exception reason"), choices=[("", "—"), *ExceptionReason.choices], required=False
    )
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def __init__(self, *args: Any, shipment: Shipment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (value, ShipmentStatus(value).label) for value in services.next_statuses(shipment)
        ]
        if not self.is_bound:
            self.initial.setdefault("at", timezone.localtime().replace(second=0, microsecond=0))


@admin.register(Shipment)
class ShipmentAdmin(AccessControlledAdmin, ModelAdmin):
    change_form_template = "shipments/admin/change_form.html"
    list_display = (
        "waybill_no",
        "customer",
        "lane",
        "mode",
        "cargo_type",
        "pieces",
        "weight_kg",
        "charge",
        "booked_at",
        "status_badge",
        "on_time",
    )
    list_filter = ("status", "mode", "cargo_type", "on_time", "exception_reason")
    search_fields = ("=waybill_no", "customer__name", "=customer__code")
    search_help_text = _("Waybill number (spaces and case do not matter), customer name or customer code.")
    list_select_related = ("customer",)
    date_hierarchy = "booked_at"
    list_per_page = 50
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("waybill_no", "customer", "status", "exception_reason")}),
        (
            _("Lane and cargo"),
            {
                "fields": (
                    "origin_city",
                    "destination_city",
                    "mode",
                    "cargo_type",
                    "pieces",
                    "weight_kg",
                    "volume_m3",
                    "declared_value",
                )
            },
        ),
        (_("Billing"), {"fields": ("amount", "currency")}),
        (_("Times"), {"fields": ("booked_at", "picked_up_at", "promised_at", "delivered_at", "on_time")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # shipments are booked through the service (API, integrations), not typed here

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a shipment is cancelled by an event, never deleted

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [name for _title, options in self.fieldsets for name in options["fields"]]

    @display(description=_("amount"), ordering="amount")
    def charge(self, shipment: Shipment) -> str:
        return f"{shipment.amount} {shipment.currency}"

    @display(description=_("lane"))
    def lane(self, shipment: Shipment) -> str:
        return f"{shipment.origin_city} → {shipment.destination_city}"

    @display(
        description=_("status"),
        label={
            ShipmentStatus.DELIVERED.label: "success",
            ShipmentStatus.EXCEPTION.label: "danger",
            ShipmentStatus.CANCELLED.label: "warning",
        },
    )
    def status_badge(self, shipment: Shipment) -> str:
        return str(shipment.get_status_display())

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        number = services.normalise_waybill(search_term)
        if WAYBILL_LIKE.match(number):  # a waybill number: exact, whatever the spacing or case
            return queryset.filter(waybill_no=number), False
        return super().get_search_results(request, queryset, search_term)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/record-event/",
                self.admin_site.admin_view(self.record_event_view),
                name="shipments_shipment_record_event",
            )
        ]
        return own + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        shipment = selectors.shipment_by_pk(request.user, object_id)
        if shipment is None:
            raise Http404
        may_record = access.may_change_something(request.user, Shipment) and bool(
            services.next_statuses(shipment)
        )
        context = {
            **(extra_context or {}),
            "events": list(shipment.events.all()),
            "record_form": RecordEventForm(shipment=shipment) if may_record else None,
            "record_url": reverse("admin:shipments_shipment_record_event", args=[shipment.pk]),
            "card_url": reverse("admin:customers_customer_card", args=[shipment.customer_id]),
            "shipment": shipment,
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
            "show_delete_link": False,
        }
        return super().change_view(request, object_id, form_url, context)

    def record_event_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        shipment = selectors.shipment_by_pk(request.user, object_id)
        if shipment is None:
            raise Http404
        back = HttpResponseRedirect(reverse("admin:shipments_shipment_change", args=[shipment.pk]))
        if request.method != "POST":
            return back
        form = RecordEventForm(request.POST, shipment=shipment)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else ""
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else str(error))
            return back
        data = form.cleaned_data
        try:
            services.shipment_record_event(
                actor=staff(request),
                shipment=shipment,
                status=data["status"],
                at=data["at"],
                location=data["location"],
                note=data["note"],
                reason=data["reason"],
            )
        except (ValidationError, ApplicationError) as error:
            report_error(request, error)
            return back
        messages.success(
            request,
            _("Recorded: %(waybill)s is now “%(status)s”.")
            % {"waybill": shipment.waybill_no, "status": shipment.get_status_display()},
        )
        return back
