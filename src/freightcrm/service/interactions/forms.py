"""The form of logging a call or note: it parses input; `interaction_log` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from freightcrm.customers.models import Contact, Customer
from freightcrm.service import widgets
from freightcrm.service.interactions.choices import Direction, InteractionKind


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=InteractionKind.choices, widget=widgets.select())
    direction = forms.ChoiceField(
        label=_("direction"), choices=[("", "—"), *Direction.choices], required=False, widget=widgets.select()
    )
    contact = forms.ModelChoiceField(
        label=_("contact"), queryset=Contact.objects.none(), required=False, widget=widgets.select()
    )
    at = forms.DateTimeField(
        label=_("time"), widget=widgets.datetime_input(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    summary = forms.CharField(label=_("summary"), widget=widgets.textarea(5))

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contact = self.fields["contact"]
        assert isinstance(contact, forms.ModelChoiceField)
        contact.queryset = Contact.objects.filter(customer=customer)
