"""Return visits in the staff UI: the list, the calendar per account manager, and the visit's actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from freightcrm.core import access
from freightcrm.core.admin import AccessControlledAdmin
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.service.pages import add_service_errors, form_page
from freightcrm.service.visits import selectors, services
from freightcrm.service.visits.choices import VisitStatus
from freightcrm.service.visits.forms import CancelForm, RecordForm, RescheduleForm, ScheduleForm
from freightcrm.service.visits.models import Visit, VisitRule

STATUS_COLOURS = {VisitStatus.PLANNED: "info", VisitStatus.DONE: "success", VisitStatus.CANCELLED: "warning"}


@admin.register(VisitRule)
class VisitRuleAdmin(ModelAdmin):
    list_display = (
        "name",
        "tag",
        "status",
        "kind",
        "min_annual_spend",
        "interval_months",
        "mode",
        "is_active",
    )
    list_filter = ("is_active",)
    autocomplete_fields = ("tag",)


@admin.register(Visit)
class VisitAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = ("customer", "due_on", "status_badge", "assignee_name", "mode", "source", "visited_at")
    list_filter = ("status", "source", "mode")
    list_select_related = ("customer", "assignee")
    search_fields = ("customer__code", "customer__name")
    show_full_result_count = False
    date_hierarchy = None
    actions_list = ("open_calendar",)
    actions_detail = ("record", "reschedule", "cancel", "open_customer")
    fields = (
        "customer",
        "status",
        "source",
        "rule",
        "survey_invitation",
        "assignee_name",
        "due_on",
        "mode",
        "purpose",
        "visited_at",
        "contacts",
        "staff",
        "content",
        "outcome",
        "next_actions",
        "next_visit_on",
        "cancel_reason",
        "recorded_by_name",
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.visits_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # visits are planned from the customer (schedule) or by the rules

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a visit changes through its actions: record, reschedule, cancel

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # cancel instead: the record stays

    @display(description=_("status"), label=STATUS_COLOURS)
    def status_badge(self, obj: Visit) -> Any:
        return obj.status, obj.get_status_display()

    @display(description=_("account manager"), ordering="assignee__username")
    def assignee_name(self, obj: Visit) -> str:
        return person_name(obj.assignee)

    @display(description=_("recorded by"))
    def recorded_by_name(self, obj: Visit) -> str:
        return person_name(obj.recorded_by)

    # --- buttons ---

    @action(description=_("Calendar"), icon="calendar_month", url_path="open-calendar")
    def open_calendar(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_visit_calendar"))

    @action(description=_("Record as done"), icon="task_alt", url_path="record-button")
    def record(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_visit_record", args=[object_id]))

    @action(description=_("Reschedule"), icon="event", url_path="reschedule-button")
    def reschedule(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_visit_reschedule", args=[object_id]))

    @action(description=_("Cancel visit"), icon="event_busy", url_path="cancel-button")
    def cancel(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_visit_cancel", args=[object_id]))

    @action(description=_("Customer card"), icon="badge", url_path="customer-button")
    def open_customer(self, request: HttpRequest, object_id: str) -> HttpResponse:
        visit = self._visit(request, object_id)
        return HttpResponseRedirect(reverse("admin:customers_customer_card", args=[visit.customer_id]))

    # --- pages ---

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("calendar/", view(self.calendar_view), name="service_visit_calendar"),
            path("schedule/<int:customer_id>/", view(self.schedule_view), name="service_visit_schedule"),
            path("record/<int:customer_id>/", view(self.record_new_view), name="service_visit_record_new"),
            path("<int:object_id>/record/", view(self.record_view), name="service_visit_record"),
            path("<int:object_id>/reschedule/", view(self.reschedule_view), name="service_visit_reschedule"),
            path("<int:object_id>/cancel/", view(self.cancel_view), name="service_visit_cancel"),
        ]
        return own + super().get_urls()

    def _visit(self, request: HttpRequest, object_id: Any) -> Visit:
        try:
            return selectors.visit_for(request.user, object_id)
        except Visit.DoesNotExist as exc:
            raise Http404 from exc

    def _customer(self, request: HttpRequest, customer_id: int) -> Customer:
        if not self.has_view_permission(request):
            raise Http404
        try:
            return customer_for(request.user, pk=customer_id)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc

    def _done(self, request: HttpRequest, message: Any, visit: Visit) -> HttpResponse:
        messages.success(request, message)
        return HttpResponseRedirect(reverse("admin:service_visit_change", args=[visit.pk]))

    def calendar_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        today = timezone.localdate()
        try:
            month = dt.date.fromisoformat(request.GET.get("month", "")[:7] + "-01")
        except ValueError:
            month = today.replace(day=1)
        people = selectors.calendar_people(request.user)
        chosen: Any = request.user
        wanted = request.GET.get("user", "")
        if wanted.isdigit():
            chosen = next((person for person in people if person.pk == int(wanted)), None)
            if chosen is None:
                raise Http404
        grid = selectors.visit_calendar(
            request.user, assignee_id=chosen.pk, year=month.year, month=month.month
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": Visit._meta,
            "title": _("Visit calendar"),
            "month": month,
            "previous": services.add_months(month, -1),
            "next": services.add_months(month, 1),
            "people": [(person.pk, person_name(person)) for person in people],
            "chosen": chosen,
            "chosen_name": person_name(chosen),
            "may_choose": access.access_for(request.user).all_customers,
            **grid,
        }
        return TemplateResponse(request, "service/visits/calendar.html", context)

    def schedule_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        customer = self._customer(request, customer_id)
        form = ScheduleForm(
            request.POST or None, initial={"due_on": timezone.localdate() + dt.timedelta(days=7)}
        )
        if request.method == "POST" and form.is_valid():
            try:
                visit = services.visit_schedule(actor=request.user, customer=customer, **form.cleaned_data)
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return self._done(request, _("The visit is planned."), visit)
        back = reverse("admin:customers_customer_card", args=[customer.pk])
        return form_page(
            request, title=_("Plan a return visit: %(name)s") % {"name": customer.name}, form=form, back=back
        )

    def _record(self, request: HttpRequest, customer: Customer, visit: Visit | None) -> HttpResponse:
        initial: dict[str, Any] = {
            "visited_at": timezone.localtime().replace(second=0, microsecond=0, tzinfo=None)
        }
        if visit is not None:
            initial["mode"] = visit.mode
        form = RecordForm(request.POST or None, customer=customer, actor=request.user, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                visit = services.visit_record(
                    actor=request.user,
                    visit=visit,
                    customer=customer,
                    visited_at=data["visited_at"],
                    mode=data["mode"],
                    contacts=data["contacts"],
                    staff=data["staff"],
                    content=data["content"],
                    outcome=data["outcome"],
                    next_actions=data["next_actions"],
                    next_visit_on=data["next_visit_on"],
                )
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return self._done(request, _("The visit is recorded."), visit)
        back = reverse("admin:customers_customer_card", args=[customer.pk])
        return form_page(
            request,
            title=_("Record a return visit: %(name)s") % {"name": customer.name},
            form=form,
            back=back,
        )

    def record_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        visit = self._visit(request, object_id)
        return self._record(request, visit.customer, visit)

    def record_new_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        return self._record(request, self._customer(request, customer_id), None)

    def reschedule_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        visit = self._visit(request, object_id)
        form = RescheduleForm(request.POST or None, initial={"due_on": visit.due_on})
        if request.method == "POST" and form.is_valid():
            try:
                services.visit_reschedule(actor=request.user, visit=visit, due_on=form.cleaned_data["due_on"])
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return self._done(request, _("The visit is moved."), visit)
        back = reverse("admin:service_visit_change", args=[visit.pk])
        return form_page(
            request,
            title=_("Reschedule the visit: %(name)s") % {"name": visit.customer.name},
            form=form,
            back=back,
        )

    def cancel_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        visit = self._visit(request, object_id)
        form = CancelForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.visit_cancel(actor=request.user, visit=visit, reason=form.cleaned_data["reason"])
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return self._done(request, _("The visit is cancelled."), visit)
        back = reverse("admin:service_visit_change", args=[visit.pk])
        return form_page(
            request,
            title=_("Cancel the visit: %(name)s") % {"name": visit.customer.name},
            form=form,
            back=back,
        )
