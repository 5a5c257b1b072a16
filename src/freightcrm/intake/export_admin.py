"""Staff UI of intake: the export page behind the customer list's "Export" button, and the export log.

Thin: the page reads the list's filters the way the list does (`CustomerAdmin.list_filters`), then
calls `intake.exporting.export_customers`; the log is read-only.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminSelectWidget

from freightcrm.core import access
from freightcrm.core.admin import staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.intake import exporting
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
    list_display = ("at", "exported_by", "file_format", "rows", "sensitive", "channel", "filter_text")
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
    )

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

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "export-customers/",
                self.admin_site.admin_view(self.export_view),
                name="intake_customer_export",
            )
        ]
        return own + super().get_urls()

    def _download(
        self, request: HttpRequest, data: dict[str, Any], filters: Any, q: str
    ) -> FileResponse | StreamingHttpResponse:
        """CSV streams row by row (the browser shows the download's progress from the first row);
        an xlsx workbook can only be zipped at the end, so it is written to a temporary file first."""
        fmt = data["fmt"]
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"customers-{stamp}.{fmt}"
        sensitive = bool(data.get("sensitive"))
        if fmt == "csv":
            pieces = exporting.stream_customers_csv(
                actor=staff(request),
                filters=filters,
                q=q,
                sensitive=sensitive,
                channel="ui",
                encoding=data["encoding"],
            )
            response = StreamingHttpResponse(pieces, content_type="text/csv")
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        out = tempfile.TemporaryFile()  # closed (and gone) when the response is sent
        try:
            exporting.export_customers(
                actor=staff(request),
                filters=filters,
                q=q,
                fmt=fmt,
                sensitive=sensitive,
                channel="ui",
                out=out,
            )
        except BaseException:
            out.close()
            raise
        out.seek(0)
        return FileResponse(out, as_attachment=True, filename=filename)

    def export_view(self, request: HttpRequest) -> HttpResponse | FileResponse | StreamingHttpResponse:
        """The export page: what the list's filters select, the format, and (when allowed) the
        sensitive option. The file is written to a temporary file and streamed from there."""
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
