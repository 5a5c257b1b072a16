"""Calls and notes in the staff UI: the list, one entry, and logging a new one from the customer."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from freightcrm.core.admin import AccessControlledAdmin
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.service.interactions.forms import InteractionForm
from freightcrm.service.interactions.models import Interaction
from freightcrm.service.interactions.selectors import interactions_visible_to
from freightcrm.service.interactions.services import interaction_log
from freightcrm.service.pages import add_service_errors, form_page


@admin.register(Interaction)
class InteractionAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = ("at", "customer", "kind", "direction", "contact", "short_summary", "staff_name")
    list_filter = ("kind", "direction")
    list_select_related = ("customer", "contact", "staff")
    search_fields = ("customer__code", "customer__name")
    raw_id_fields = ("customer",)
    show_full_result_count = False
    fields = ("customer", "contact", "kind", "direction", "at", "summary", "staff", "created_at")

    def get_queryset(self, request: HttpRequest) -> Any:
        return interactions_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # logged from the customer's card (log/<customer>/), where the contacts are known

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of a conversation is not rewritten; log a correcting note instead

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("summary"))
    def short_summary(self, obj: Interaction) -> str:
        return obj.summary[:60]

    @display(description=_("staff"))
    def staff_name(self, obj: Interaction) -> str:
        return person_name(obj.staff)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "log/<int:customer_id>/",
                self.admin_site.admin_view(self.log_view),
                name="service_interaction_log",
            )
        ]
        return own + super().get_urls()

    def log_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        try:
            customer: Customer = customer_for(request.user, pk=customer_id)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        initial = {"at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None), "kind": "call"}
        form = InteractionForm(request.POST or None, customer=customer, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                interaction_log(actor=request.user, customer=customer, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The call or note is logged."))
                return HttpResponseRedirect(reverse("admin:customers_customer_card", args=[customer.pk]))
        back = reverse("admin:customers_customer_card", args=[customer.pk])
        return form_page(
            request, title=_("Log a call or note: %(name)s") % {"name": customer.name}, form=form, back=back
        )
