"""Forms of the visit pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from freightcrm.core.display import person_name
from freightcrm.customers.models import Contact, Customer
from freightcrm.service import widgets
from freightcrm.service.visits.choices import VisitMode, VisitOutcome


class ScheduleForm(forms.Form):
    due_on = forms.DateField(label=_("due on"), widget=widgets.date_input())
    mode = forms.ChoiceField(label=_("visit mode"), choices=VisitMode.choices, widget=widgets.select())
    purpose = forms.CharField(label=_("purpose"), max_length=200, required=False, widget=widgets.text_input())


class RescheduleForm(forms.Form):
    due_on = forms.DateField(label=_("new due date"), widget=widgets.date_input())


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("reason for cancelling"), max_length=200, widget=widgets.text_input())


class RecordForm(forms.Form):
    visited_at = forms.DateTimeField(
        label=_("visited at"),
        widget=widgets.datetime_input(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    mode = forms.ChoiceField(label=_("visit mode"), choices=VisitMode.choices, widget=widgets.select())
    contacts = forms.ModelMultipleChoiceField(
        label=_("customer participants"),
        queryset=Contact.objects.none(),
        required=False,
        widget=widgets.checkboxes(),
    )
    staff = forms.ModelMultipleChoiceField(
        label=_("staff participants"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=widgets.checkboxes(),
    )
    content = forms.CharField(label=_("content"), widget=widgets.textarea(5))
    outcome = forms.ChoiceField(label=_("outcome"), choices=VisitOutcome.choices, widget=widgets.select())
    next_actions = forms.CharField(label=_("next actions"), required=False, widget=widgets.textarea(3))
    next_visit_on = forms.DateField(label=_("next visit on"), required=False, widget=widgets.date_input())

    def __init__(self, *args: Any, customer: Customer, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contacts = self.fields["contacts"]
        assert isinstance(contacts, forms.ModelMultipleChoiceField)
        contacts.queryset = Contact.objects.filter(customer=customer)
        staff = self.fields["staff"]
        assert isinstance(staff, forms.ModelMultipleChoiceField)
        people = {actor.pk}
        if customer.owner_id:
            people.add(customer.owner_id)
        people.update(customer.shares.values_list("user_id", flat=True))
        staff.queryset = get_user_model().objects.filter(pk__in=people, is_active=True)
        staff.label_from_instance = person_name  # type: ignore[method-assign,assignment]
