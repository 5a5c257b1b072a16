"""Staff UI of OCR intake (识别证照): upload → progress while the model reads → the fields as read,
each with its confidence, beside the image → confirm → filed for review.

Thin: forms parse, `intake.scans` decides and writes, `intake.ocr` reads. Registered by
`IntakeConfig.ready` (the intake app's admin.py belongs to the import wizard).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from freightcrm.core import access
from freightcrm.core.admin import staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.intake import scans
from freightcrm.intake.choices import OcrKind, OcrState
from freightcrm.intake.models import OcrScan
from freightcrm.intake.ocr import LOW_CONFIDENCE, Extracted, OcrProblem
from freightcrm.intake.ocr_forms import NEW_CUSTOMER, CardForm, LicenceForm, ScanUploadForm
from freightcrm.service.pages import add_service_errors

STATE_COLOURS = {
    OcrState.WAITING: "info",
    OcrState.READING: "warning",
    OcrState.READ: "primary",
    OcrState.FILED: "success",
    OcrState.FAILED: "danger",
}
EXPECTED_SECONDS = 6  # what the progress bar assumes a reading takes on a small server


def may_scan(request: HttpRequest) -> bool:
    return access.access_for(request.user).has("customers.add_customer")


class OcrScanAdmin(ModelAdmin):
    list_display = ("original_name", "kind", "state_badge", "found", "customer", "uploader", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("original_name",)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> Any:
        return scans.scans_visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_scan(request) or access.access_for(request.user).has(scans.SEE_ALL)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may_scan(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a scan moves on by being confirmed, never by editing its fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("state"), label=STATE_COLOURS)
    def state_badge(self, obj: OcrScan) -> Any:
        return obj.state, obj.get_state_display()

    @display(description=_("found"))
    def found(self, obj: OcrScan) -> str:
        fields = Extracted.from_json(obj.extracted).fields if obj.extracted else {}
        shown = fields.get("name") or fields.get("person") or fields.get("company")
        return shown.value if shown else "—"

    @display(description=_("uploaded by"))
    def uploader(self, obj: OcrScan) -> str:
        return person_name(obj.created_by)

    # --- pages ---

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/reading/", view(self.progress_view), name="intake_ocrscan_progress"),
            path("<int:pk>/status/", view(self.status_view), name="intake_ocrscan_status"),
            path("<int:pk>/confirm/", view(self.confirm_view), name="intake_ocrscan_confirm"),
            path("<int:pk>/image/", view(self.image_view), name="intake_ocrscan_image"),
        ]
        return own + super().get_urls()

    def _scan(self, request: HttpRequest, pk: int) -> OcrScan:
        scan = scans.scans_visible_to(request.user).filter(pk=pk).first()
        if scan is None or not self.has_view_permission(request):
            raise Http404
        return scan

    def _page(self, request: HttpRequest, template: str, status: int = 200, **context: Any) -> HttpResponse:
        context = {**self.admin_site.each_context(request), "opts": OcrScan._meta, **context}
        return TemplateResponse(request, f"intake/ocr/{template}", context, status=status)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        if not may_scan(request):
            raise Http404
        form = ScanUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["image"]
            try:
                scan = scans.scan_start(
                    actor=staff(request),
                    data=upload.read(),
                    original_name=upload.name,
                    kind=form.cleaned_data["kind"],
                )
            except OcrProblem as error:
                form.add_error("image", str(error))
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("admin:intake_ocrscan_progress", args=[scan.pk]))
        return self._page(
            request,
            "upload.html",
            status=400 if form.errors else 200,
            title=_("Read a business licence or card"),
            form=form,
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        scan = self._scan(request, int(object_id)) if object_id.isdigit() else None
        if scan is None:
            raise Http404
        if scan.state in (OcrState.WAITING, OcrState.READING):
            return HttpResponseRedirect(reverse("admin:intake_ocrscan_progress", args=[scan.pk]))
        return HttpResponseRedirect(reverse("admin:intake_ocrscan_confirm", args=[scan.pk]))

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        scan = self._scan(request, pk)
        if scan.state not in (OcrState.WAITING, OcrState.READING):
            return HttpResponseRedirect(reverse("admin:intake_ocrscan_confirm", args=[scan.pk]))
        return self._page(
            request,
            "progress.html",
            title=_("Reading…"),
            scan=scan,
            status_url=reverse("admin:intake_ocrscan_status", args=[scan.pk]),
            expected=EXPECTED_SECONDS,
        )

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        scan = self._scan(request, pk)
        return JsonResponse(
            {
                "state": scan.state,
                "label": str(scan.get_state_display()),
                "done": scan.state not in (OcrState.WAITING, OcrState.READING),
                "elapsed": round((timezone.now() - scan.created_at).total_seconds(), 1),
                "message": scan.message,
                "next": reverse("admin:intake_ocrscan_confirm", args=[scan.pk]),
            }
        )

    def image_view(self, request: HttpRequest, pk: int) -> FileResponse:
        scan = self._scan(request, pk)
        return FileResponse(scan.file.open("rb"), filename=scan.original_name)

    def confirm_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        scan = self._scan(request, pk)
        if scan.state in (OcrState.WAITING, OcrState.READING):
            return HttpResponseRedirect(reverse("admin:intake_ocrscan_progress", args=[scan.pk]))
        extracted = Extracted.from_json(scan.extracted) if scan.extracted else Extracted(kind=scan.kind)
        context: dict[str, Any] = {
            "title": _("Check what was read"),
            "scan": scan,
            "image_url": reverse("admin:intake_ocrscan_image", args=[scan.pk]),
            "low": round(LOW_CONFIDENCE * 100),
        }
        if scan.state != OcrState.READ:
            return self._page(request, "confirm.html", **context)
        if scan.kind == OcrKind.CARD:
            response = self._confirm_card(request, scan, extracted, context)
        else:
            response = self._confirm_licence(request, scan, extracted, context)
        if response is not None:
            return response
        context["rows"] = _rows(context["form"], extracted)
        return self._page(request, "confirm.html", status=400 if context["form"].errors else 200, **context)

    def _confirm_licence(
        self, request: HttpRequest, scan: OcrScan, extracted: Extracted, context: dict[str, Any]
    ) -> HttpResponse | None:
        initial = {name: found.value for name, found in extracted.fields.items()}
        form = LicenceForm(request.POST or None, initial=initial)
        uscc = request.POST.get("uscc", "") if request.method == "POST" else initial.get("uscc", "")
        existing = scans.customer_with_uscc(uscc)
        context.update(form=form, existing=existing)
        if existing is not None:
            context["existing_visible"] = access.can_see(request.user, existing)
        if request.method == "POST" and form.is_valid():
            try:
                if request.POST.get("action") == "propose" and existing is not None:
                    submission = scans.scan_propose_changes(
                        actor=staff(request), scan=scan, customer=existing, fields=form.cleaned_data
                    )
                    messages.success(
                        request,
                        gettext("The changes to %(name)s were submitted for review.")
                        % {"name": existing.name}
                        if submission
                        else gettext("The licence says what the archive already says; nothing to change."),
                    )
                else:
                    submission = scans.scan_file_licence(
                        actor=staff(request),
                        scan=scan,
                        fields=form.cleaned_data,
                        kind=form.cleaned_data["customer_kind"],
                    )
                    messages.success(
                        request,
                        gettext("%(name)s was filed and waits for review.")
                        % {"name": submission.customer.name},
                    )
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                return HttpResponseRedirect(reverse("admin:intake_ocrscan_confirm", args=[scan.pk]))
        return None

    def _confirm_card(
        self, request: HttpRequest, scan: OcrScan, extracted: Extracted, context: dict[str, Any]
    ) -> HttpResponse | None:
        initial = {name: found.value for name, found in extracted.fields.items()}
        company = request.POST.get("company", "") if request.method == "POST" else initial.get("company", "")
        candidates = [
            (str(customer.pk), f"{customer.name}（{customer.code}）")
            for customer in scans.customers_named_like(request.user, company)
        ]
        form = CardForm(request.POST or None, initial=initial, candidates=candidates)
        context.update(form=form, extra=extracted.extra)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                customer: Customer | None = None
                if data["customer_code"]:
                    customer = customer_for(request.user, code=data["customer_code"].strip())
                elif data["target"] != NEW_CUSTOMER:
                    customer = customer_for(request.user, pk=data["target"])
                contact = scans.scan_file_card(
                    actor=staff(request), scan=scan, fields=data, customer=customer
                )
            except Customer.DoesNotExist:
                form.add_error(
                    "customer_code", gettext("No customer you may see has this code. Check the code.")
                )
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("%(person)s was added as a contact of %(customer)s.")
                    % {"person": contact.name, "customer": contact.customer.name},
                )
                return HttpResponseRedirect(reverse("admin:intake_ocrscan_confirm", args=[scan.pk]))
        return None


def _rows(form: Any, extracted: Extracted) -> list[dict[str, Any]]:
    """One row per form field: the field, and, for fields the model read, its confidence and source."""
    rows = []
    for bound in form:
        found = extracted.fields.get(bound.name)
        rows.append(
            {
                "field": bound,
                "read": found is not None,
                "percent": round(found.confidence * 100) if found else None,
                "low": found.low if found else False,
                "source": found.source if found else "",
                "ocr_field": bound.name in (scans.LICENCE_FIELDS + scans.CARD_FIELDS),
            }
        )
    return rows


def register() -> None:
    if not admin.site.is_registered(OcrScan):
        admin.site.register(OcrScan, OcrScanAdmin)
