"""Staff UI for complaints: the list, filing from a customer, the complaint page with its state
buttons, and the statistics page. Thin: forms parse, services and selectors decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin

from freightcrm.core import access
from freightcrm.core.admin import AccessControlledAdmin, report_error, staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.choices import Currency
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.service.complaints import selectors, services
from freightcrm.service.complaints.choices import OPEN_STATES, Action, Confirmation, State
from freightcrm.service.complaints.forms import ComplaintFileForm, StatisticsForm, TransitionForm
from freightcrm.service.complaints.models import Complaint, ComplaintCategory, ComplaintTarget
from freightcrm.service.pages import add_service_errors


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Overdue")), ("escalated", _("Escalated")), ("no", _("Not overdue"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(selectors.overdue_q(now))
        if self.value() == "escalated":
            return queryset.filter(escalation_level__gt=0)
        if self.value() == "no":
            return queryset.exclude(selectors.overdue_q(now))
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    """A root category includes its children."""

    title = _("category")
    parameter_name = "category"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(str(pk), label) for pk, label in selectors.category_choices()]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        value = self.value() or ""
        if value.isdigit():
            return queryset.filter(Q(category_id=int(value)) | Q(category__parent_id=int(value)))
        return queryset


class HandlerFilter(admin.SimpleListFilter):
    title = _("handler")
    parameter_name = "handler"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("me", _("Mine"))] + [
            (str(user.pk), person_name(user)) for user in selectors.complaint_handlers()[:50]
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
        if self.value() == "me":
            return queryset.filter(handler_id=request.user.pk)
        if self.value() and self.value().isdigit():  # type: ignore[union-attr]
            return queryset.filter(handler_id=int(self.value()))  # type: ignore[arg-type]
        return queryset


@admin.register(Complaint)
class ComplaintAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = (
        "number",
        "customer",
        "category",
        "severity_badge",
        "state_badge",
        "handler_name",
        "received_at",
        "due",
    )
    list_filter = ("state", "severity", CategoryFilter, OverdueFilter, HandlerFilter, "channel")
    search_fields = ("=number", "customer__name", "=customer__code")
    list_select_related = ("customer", "category", "category__parent", "handler")
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = "received_at"
    list_before_template = "service/complaints/list_before.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Complaint]:
        return selectors.complaints_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.access_for(request.user).has(services.PERM_ADD)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("severity"), ordering="severity")
    def severity_badge(self, obj: Complaint) -> str:
        return format_html(
            '<span class="fc-badge fc-sev-{}">{}</span>', obj.severity, obj.get_severity_display()
        )

    @admin.display(description=_("state"), ordering="state")
    def state_badge(self, obj: Complaint) -> str:
        return format_html('<span class="fc-badge fc-state-{}">{}</span>', obj.state, obj.get_state_display())

    @admin.display(description=_("handler"), ordering="handler__last_name")
    def handler_name(self, obj: Complaint) -> str:
        return person_name(obj.handler) if obj.handler else "—"

    @admin.display(description=_("due"))
    def due(self, obj: Complaint) -> str:
        if obj.state not in OPEN_STATES:
            return "—"
        at = obj.response_due_at if obj.state == State.RECEIVED else obj.resolution_due_at
        late = at < timezone.now()
        return format_html(
            '<span class="{}">{}</span>',
            "fc-overdue" if late else "",
            timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
        )

    # --- own pages ---

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("file/", self.admin_site.admin_view(self.file_view), name="service_complaint_file"),
            path(
                "statistics/",
                self.admin_site.admin_view(self.statistics_view),
                name="service_complaint_statistics",
            ),
        ]
        return own + super().get_urls()

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        url = reverse("admin:service_complaint_file")
        customer = request.GET.get("customer", "")
        return HttpResponseRedirect(f"{url}?customer={customer}" if customer.isdigit() else url)

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": Complaint._meta, **extra}

    def file_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise Http404
        raw = request.POST.get("customer") or request.GET.get("customer") or ""
        customer = None
        if raw.isdigit():
            try:
                customer = customer_for(request.user, pk=int(raw))
            except Customer.DoesNotExist as exc:
                raise Http404 from exc
        if customer is None:
            query = request.GET.get("q", "").strip()[:100]
            found: list[Customer] = []
            if query:
                from freightcrm.customers.search import CustomerFilters, customer_search

                found = list(
                    customer_search(
                        request.user, q=query, filters=CustomerFilters(), page=1, page_size=20
                    ).customers
                )
            return TemplateResponse(
                request,
                "service/complaints/choose_customer.html",
                self._context(request, title=gettext("File a complaint"), query=query, found=found),
            )
        form = ComplaintFileForm(request.POST or None, customer=customer)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_file(
                    actor=staff(request),
                    customer=customer,
                    channel=data["channel"],
                    category=data["category"],
                    severity=data["severity"],
                    contact=data.get("contact"),
                    shipment=data.get("shipment"),
                    description=data["description"],
                    handler=data.get("handler"),
                    received_at=data.get("received_at"),
                )
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, gettext("Complaint %(number)s filed.") % {"number": complaint.number}
                )
                return HttpResponseRedirect(reverse("admin:service_complaint_change", args=[complaint.pk]))
        return TemplateResponse(
            request,
            "service/complaints/file.html",
            self._context(request, title=gettext("File a complaint"), customer=customer, form=form),
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_permission(request) or not object_id.isdigit():
            raise Http404
        try:
            complaint = selectors.complaint_for(request.user, pk=int(object_id))
        except Complaint.DoesNotExist as exc:
            raise Http404 from exc
        form = TransitionForm(request.POST or None)
        if request.method == "POST":
            if not selectors.may_handle_complaints(request.user):
                raise Http404
            if form.is_valid():
                data = form.cleaned_data
                handler = (
                    selectors.complaint_handlers().filter(pk=data["handler"]).first()
                    if data.get("handler")
                    else None
                )
                try:
                    services.complaint_apply(
                        actor=staff(request),
                        complaint=complaint,
                        action=data["action"],
                        note=data["note"],
                        resolution=data["resolution"],
                        compensation_amount=data["compensation_amount"],
                        compensation_currency=data["compensation_currency"],
                        confirmation=data["confirmation"],
                        handler=handler,
                    )
                except (ValidationError, ApplicationError) as error:
                    report_error(request, error)
                else:
                    messages.success(request, gettext("Saved."))
                    return HttpResponseRedirect(request.path)
            else:
                messages.error(request, gettext("This value is not valid."))
        complaint.refresh_from_db()
        now = timezone.now()
        events = list(complaint.events.select_related("actor").order_by("at", "pk"))
        allowed = selectors.complaint_page_actions(request.user, complaint)
        return TemplateResponse(
            request,
            "service/complaints/complaint.html",
            self._context(
                request,
                title=complaint.number,
                complaint=complaint,
                events=events,
                overdue=selectors.complaint_overdue(complaint, now),
                **allowed,
                handlers=list(selectors.complaint_handlers()[:200]) if allowed["may_assign"] else [],
                currencies=Currency.choices,
                confirmations=Confirmation.choices,
                posted=request.POST if request.method == "POST" else {},
                Action=Action,
            ),
        )

    def statistics_view(self, request: HttpRequest) -> HttpResponse:
        if not selectors.may_view_statistics(request.user):
            raise Http404
        today = timezone.localdate()
        default_start = (today.replace(day=1) - dt.timedelta(days=330)).replace(day=1)
        form = StatisticsForm(request.GET or {"start": default_start, "end": today})
        stats = None
        if form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            stats = selectors.complaint_statistics(request.user, start=start, end=end + dt.timedelta(days=1))
        chart = None
        if stats:
            chart = {
                "labels": [row["month"].strftime("%Y-%m") for row in stats.by_month],
                "rates": [row["rate"] or 0 for row in stats.by_month],
                "counts": [row["count"] for row in stats.by_month],
                "rate_label": gettext("Complaints per 1,000 shipments"),
                "count_label": gettext("Complaints"),
            }
        return TemplateResponse(
            request,
            "service/complaints/statistics.html",
            self._context(
                request, title=gettext("Complaint statistics"), form=form, stats=stats, chart=chart
            ),
        )


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(ModelAdmin):
    list_display = ("name", "code", "parent", "position", "active")
    list_filter = ("active", "parent")
    search_fields = ("name", "code")
    ordering = ("position", "code")


@admin.register(ComplaintTarget)
class ComplaintTargetAdmin(ModelAdmin):
    """The per-severity targets; managers edit the hours (new complaints use them, filed ones keep theirs)."""

    list_display = ("severity", "response_hours", "resolution_hours")
    list_editable = ("response_hours", "resolution_hours")
    ordering = ("response_hours",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
