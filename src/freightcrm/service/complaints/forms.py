"""Forms of the complaint pages: they parse input; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core.display import person_name
from freightcrm.customers.choices import Currency
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.complaints.choices import Channel, Confirmation, Severity
from freightcrm.service.complaints.models import ComplaintCategory
from freightcrm.service.complaints.selectors import complaint_handlers
from freightcrm.shipments.models import Shipment

SHIPMENT_CHOICES = 300  # the customer's newest shipments in the picker; older ones by waybill number


class ShipmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Shipment) -> str:
        booked = timezone.localtime(obj.booked_at)
        return f"{obj.waybill_no} · {booked:%Y-%m-%d} · {obj.origin_city} → {obj.destination_city}"


class HandlerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return person_name(obj)


class ComplaintFileForm(forms.Form):
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    category = forms.ModelChoiceField(
        label=_("category"), queryset=ComplaintCategory.objects.filter(active=True).select_related("parent")
    )
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.NORMAL)
    contact = forms.ModelChoiceField(label=_("contact"), queryset=Contact.objects.none(), required=False)
    shipment = ShipmentChoiceField(label=_("shipment"), queryset=Shipment.objects.none(), required=False)
    waybill_no = forms.CharField(
        label=_("or waybill number"),
        max_length=24,
        required=False,
        help_text=_("For an older shipment of this customer that is not in the list."),
    )
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    handler = HandlerChoiceField(label=_("handler"), queryset=User.objects.none(), required=False)
    received_at = forms.DateTimeField(
        label=_("received at"),
        required=False,
        help_text=_("Leave empty for now."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["contact"].queryset = Contact.objects.filter(customer=customer).order_by("name")  # type: ignore[attr-defined]
        newest = list(
            Shipment.objects.filter(customer=customer)
            .order_by("-booked_at")
            .values_list("pk", flat=True)[:SHIPMENT_CHOICES]
        )
        self.fields["shipment"].queryset = Shipment.objects.filter(pk__in=newest).order_by("-booked_at")  # type: ignore[attr-defined]
        self.fields["handler"].queryset = complaint_handlers()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        waybill = (data.get("waybill_no") or "").strip()
        if waybill and not data.get("shipment"):
            shipment = Shipment.objects.filter(customer=self.customer, waybill_no=waybill).first()
            if shipment is None:
                self.add_error("waybill_no", _("This customer has no shipment with this waybill number."))
            data["shipment"] = shipment
        received = data.get("received_at")
        if isinstance(received, dt.datetime) and timezone.is_naive(received):
            data["received_at"] = timezone.make_aware(received)
        return data


class TransitionForm(forms.Form):
    """One form for every action on the complaint page; each action reads the fields it needs."""

    action = forms.CharField(max_length=20)
    note = forms.CharField(required=False, max_length=2000)
    resolution = forms.CharField(required=False, max_length=4000)
    compensation_amount = forms.CharField(required=False, max_length=20)
    compensation_currency = forms.ChoiceField(required=False, choices=Currency.choices)
    confirmation = forms.ChoiceField(required=False, choices=[("", "")] + list(Confirmation.choices))
    handler = forms.IntegerField(required=False)


class StatisticsForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days > 3660:
                raise forms.ValidationError(_("Choose at most ten years."))
        return data
