"""Forms of the survey pages: sending (staff) and answering (the public page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from freightcrm.customers.models import Contact, Customer
from freightcrm.service import widgets
from freightcrm.service.surveys.models import SurveyTemplate
from freightcrm.service.surveys.selectors import active_templates
from freightcrm.service.surveys.services import DEFAULT_EXPIRY_DAYS, MAX_EXPIRY_DAYS


class SendForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("survey template"), queryset=SurveyTemplate.objects.none(), widget=widgets.select()
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("contacts"), queryset=Contact.objects.none(), widget=widgets.checkboxes()
    )
    expires_in_days = forms.IntegerField(
        label=_("link valid for (days)"),
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        initial=DEFAULT_EXPIRY_DAYS,
        widget=widgets.number_input(),
    )

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        template = self.fields["template"]
        assert isinstance(template, forms.ModelChoiceField)
        template.queryset = active_templates()
        template.initial = active_templates().filter(is_default=True).first()
        contacts = self.fields["contacts"]
        assert isinstance(contacts, forms.ModelMultipleChoiceField)
        contacts.queryset = Contact.objects.filter(customer=customer)
        contacts.label_from_instance = lambda c: " · ".join(  # type: ignore[method-assign,assignment]
            part for part in (c.name, c.title, c.email) if part
        )
