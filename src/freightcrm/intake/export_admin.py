"""Staff UI of intake: the export page behind the customer list's "Export" button, and the export log.

Thin: the page reads the list's filters the way the list does (`CustomerAdmin.list_filters`), then
streams a CSV (`intake.exporting.stream_customers_csv`) or hands an .xlsx to the task worker
(`intake.tasks.export_enqueue`) and follows it on the export's own page (progress bar, then the
download for the person who exported it); the log is read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget

from freightcrm.core import access, crypto
from freightcrm.core.admin import staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.intake import exporting, selectors, tasks
from freightcrm.intake.choices import ExportState
from freightcrm.intake.models import ExportLog
from freightcrm.service.pages import add_service_errors, form_page

COUNT_LIMIT = 10_000  # the page says "10,000 or more" beyond: counting a million rows costs a while


class ExportForm(forms.Form):
    fmt = forms.ChoiceField(
        label=_("format"),
        choices=[("xlsx", _("Excel workbook (.xlsx)")), ("csv", _("CSV text (.csv)"))],
        widget=UnfoldAdminSelectWidget,
    )
    encoding = forms.ChoiceField(
        label=_("CSV encoding"),
        choices=[
            ("utf-8-sig", _("UTF-8 with BOM (Excel, WPS, most programs)")),
            ("gb18030", _("GB18030 / GBK (older Excel on Chinese Windows)")),
        ],
        widget=UnfoldAdminSelectWidget,
        help_text=_("Only used for CSV."),
    )
    sensitive = forms.MultipleChoiceField(
        label=_("sensitive fields"),
        choices=[("full", _("Resident ID and bank account numbers in full (recorded in the export log)"))],
        required=False,
        widget=UnfoldAdminCheckboxSelectMultipleWidget,
        help_text=_("Without this they are masked, e.g. 3101**********1234."),
    )

    def __init__(self, *args: Any, may_export_sensitive: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_export_sensitive:
            del self.fields["sensitive"]


def may_export_sensitive(user: Any) -> bool:
    try:
        exporting.check_export(actor=user, fmt="csv", sensitive=True, channel="ui", encoding="utf-8")
    except ApplicationError:
        return False
    return True


def describe_filters(record: dict[str, Any]) -> str:
    return "; ".join(f"{name}={value}" for name, value in record.items()) or str(_("all"))


@admin.register(ExportLog)
class ExportLogAdmin(ModelAdmin):
    list_display = (
        "at",
        "exported_by",
        "file_format",
        "rows",
        "sensitive",
        "channel",
        "filter_text",
        "file_link",
    )
    list_filter = ("channel", "file_format", "sensitive", ("user", admin.RelatedOnlyFieldListFilter))
    search_fields = ("user__username", "user__last_name", "user__first_name")
    date_hierarchy = "at"
    list_select_related = ("user",)
    readonly_fields = (
        "at",
        "user",
        "target",
        "file_format",
        "filters",
        "fields",
        "sensitive",
        "rows",
        "channel",
        "state",
        "finished_at",
        "message",
    )
    exclude = ("file", "total_rows")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("exported by"), ordering="user__username")
    def exported_by(self, log: ExportLog) -> str:
        return person_name(log.user)

    @display(description=_("filter"))
    def filter_text(self, log: ExportLog) -> str:
        return describe_filters(log.filters)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return selectors.may_view_export_logs(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportLog]:
        return selectors.export_logs_visible_to(request.user)

    @display(description=_("file"))
    def file_link(self, log: ExportLog) -> str:
        """The workbook's page for the person who exported it; its state for everyone else."""
        if log.state == ExportState.DONE and not log.file:
            return ""  # a CSV streamed, or a workbook written by the command: no file kept
        if not getattr(log, "mine", False):
            return str(log.get_state_display())
        url = reverse("admin:intake_exportlog_page", args=[log.pk])
        return format_html('<a href="{}">{}</a>', url, log.get_state_display())

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("export-customers/", view(self.export_view), name="intake_customer_export"),
            path("<int:pk>/file/", view(self.page_view), name="intake_exportlog_page"),
            path("<int:pk>/file/status/", view(self.status_view), name="intake_exportlog_status"),
            path("<int:pk>/file/download/", view(self.download_view), name="intake_exportlog_download"),
        ]
        return own + super().get_urls()

    def _own_log(self, request: HttpRequest, pk: int) -> ExportLog:
        """An export of the signed-in user: nobody else follows or downloads it."""
        try:
            return selectors.own_export(request.user, pk)
        except ExportLog.DoesNotExist as exc:
            raise Http404 from exc

    def page_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """A workbook export: its progress while the worker writes it, then the download."""
        log = self._own_log(request, pk)
        return TemplateResponse(
            request,
            "intake/export_file.html",
            {
                **self.admin_site.each_context(request),
                "opts": ExportLog._meta,
                "title": gettext("Export customers"),
                "log": log,
                "status": selectors.export_status(log),
                "filter_text": describe_filters(log.filters),
                "keep_until": log.finished_at + exporting.EXPORT_KEEP if log.finished_at else None,
                "status_url": reverse("admin:intake_exportlog_status", args=[log.pk]),
                "page_url": reverse("admin:intake_exportlog_page", args=[log.pk]),
            },
        )

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(selectors.export_status(self._own_log(request, pk)))

    def download_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        log = self._own_log(request, pk)
        try:
            pieces = exporting.export_download(actor=staff(request), log=log)
        except (ApplicationError, crypto.DecryptionError) as error:
            messages.error(request, str(error))
            return HttpResponseRedirect(reverse("admin:intake_exportlog_page", args=[log.pk]))
        response = StreamingHttpResponse(
            pieces, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{exporting.download_name("xlsx", log.at)}"'
        return response

    def _download(self, request: HttpRequest, data: dict[str, Any], filters: Any, q: str) -> HttpResponseBase:
        """CSV streams row by row (the browser shows the download's progress from the first row);
        an .xlsx workbook is zipped only after its last row, so the task worker writes it while its
        page shows the progress."""
        sensitive = bool(data.get("sensitive"))
        if data["fmt"] == "xlsx":
            log = tasks.export_enqueue(
                actor=staff(request), filters=filters, q=q, sensitive=sensitive, channel="ui"
            )
            return HttpResponseRedirect(reverse("admin:intake_exportlog_page", args=[log.pk]))
        pieces = exporting.stream_customers_csv(
            actor=staff(request),
            filters=filters,
            q=q,
            sensitive=sensitive,
            channel="ui",
            encoding=data["encoding"],
        )
        response = StreamingHttpResponse(pieces, content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{exporting.download_name("csv")}"'
        return response

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """The export page: what the list's filters select, the format, and (when allowed) the
        sensitive option."""
        user = staff(request)
        if not access.access_for(user).has(exporting.EXPORT_PERMISSION):
            raise PermissionDenied
        customer_admin = self.admin_site.get_model_admin(Customer)
        filters = customer_admin.list_filters(request)
        q = request.GET.get("q", "")
        back = reverse("admin:customers_customer_changelist") + (
            f"?{request.GET.urlencode()}" if request.GET else ""
        )
        sensitive_allowed = may_export_sensitive(user)
        form = ExportForm(request.POST or None, may_export_sensitive=sensitive_allowed)
        try:
            rows = exporting.customers_to_export(user, filters=filters, q=q)
            count = rows.order_by()[: COUNT_LIMIT + 1].count()
        except (ValidationError, ApplicationError) as error:
            add_service_errors(form, error)
            count = 0
        if request.method == "POST" and form.is_valid():
            try:
                return self._download(request, form.cleaned_data, filters, q)
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
        shown = f"{COUNT_LIMIT:,}+" if count > COUNT_LIMIT else f"{count:,}"
        intro = _(
            "%(count)s customers under the list's current filter (%(filter)s). Columns you may not "
            "see are left out; ID and bank numbers are masked unless you choose otherwise. Every "
            "export is recorded."
        ) % {"count": shown, "filter": describe_filters(exporting.filter_record(filters, q))}
        return form_page(
            request, title=_("Export customers"), form=form, intro=intro, back=back, submit=_("Export")
        )
