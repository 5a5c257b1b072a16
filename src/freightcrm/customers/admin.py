"""Staff UI for the archive: list, grouped forms with inlines, and the customer card (客户资料卡).

Thin by design: visibility and field rights come from `core.access`, every write goes through
`customers.services`, every read for the card through `customers.selectors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ORDER_VAR
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Case, When
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.filters.admin import RelatedDropdownFilter
from unfold.decorators import action, display
from unfold.widgets import (
    UnfoldAdminCheckboxSelectMultipleWidget,
    UnfoldAdminTextInputWidget,
    UnfoldAdminURLInputWidget,
)

from freightcrm.core import access
from freightcrm.core.admin import AccessControlledAdmin, report_error, staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError, StaleEdit
from freightcrm.core.fields import field_of
from freightcrm.customers import search, selectors, services
from freightcrm.customers.choices import CargoType, Channel, Status
from freightcrm.customers.models import (
    Address,
    Contact,
    Customer,
    CustomerShare,
    Document,
    LogisticsNeed,
    Tag,
)

STATUS_COLOURS = {
    Status.PROSPECT: "info",
    Status.ACTIVE: "success",
    Status.DORMANT: "warning",
    Status.LOST: "danger",
    Status.BLACKLISTED: "danger",
}


def https_urls(field: models.Field[Any, Any], **kwargs: Any) -> Any:
    """A website typed without a scheme means https (Django 6's default, chosen now)."""
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


class CustomerForm(forms.ModelForm):
    """Carries the version the edit began at, and keeps sensitive values write-only when masked."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    primary_address = forms.CharField(
        label=_("Primary address"),
        widget=UnfoldAdminTextInputWidget,
        required=False,
        max_length=300,
        help_text=_("Province, city, district and street, e.g. 上海市浦东新区张江路88号; sets the region."),
    )
    cargo_preferences = forms.MultipleChoiceField(
        label=_("cargo preferences"),
        choices=CargoType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    preferred_channels = forms.MultipleChoiceField(
        label=_("preferred channels"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    user: Any = None
    write_only: tuple[str, ...] = ()

    class Meta:
        model = Customer
        exclude = ("code", "uid", "version", "created_by")  # noqa: DJ006 - the admin narrows by fieldsets
        formfield_callback = staticmethod(https_urls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["edit_version"].initial = self.instance.version
        for name in self.write_only:
            if name in self.fields:
                self.initial[name] = ""
                self.fields[name].label = _("New %(field)s") % {
                    "field": field_of(Customer, name).verbose_name
                }
                self.fields[name].help_text = _("Leave empty to keep the stored value.")
                self.fields[name].widget = UnfoldAdminTextInputWidget(attrs={"autocomplete": "off"})

    def _clean_write_only(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if name in self.write_only and not value and self.instance.pk:
            return getattr(self.instance, name)
        return value

    def clean_id_number(self) -> Any:
        return self._clean_write_only("id_number")

    def clean_bank_account(self) -> Any:
        return self._clean_write_only("bank_account")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk:
            stored = Customer.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if data.get("edit_version") != stored:
                who, when = services._last_editor(self.instance)
                raise ValidationError(str(StaleEdit(current_version=stored or 0, by=who, at=when)))
        return data


class PartInline(AccessControlledAdmin):
    extra = 0
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        opts = self.model._meta
        return access.access_for(request.user).has(f"{opts.app_label}.add_{opts.model_name}")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        opts = self.model._meta
        return access.access_for(request.user).has(f"{opts.app_label}.delete_{opts.model_name}")


class ContactInline(PartInline, TabularInline):
    model = Contact
    fields = ("name", "title", "role", "mobile", "phone", "email", "wechat", "birthday", "is_primary")


class AddressInline(PartInline, TabularInline):
    model = Address
    fields = ("kind", "text", "postal_code", "is_primary", "province", "city", "district", "adcode")
    readonly_fields = ("province", "city", "district", "adcode")


class NeedInline(PartInline, StackedInline):
    model = LogisticsNeed
    fields = (
        ("mode", "frequency"),
        ("origin_city", "destination_city"),
        ("cargo_type", "temperature"),
        ("packaging", "delivery_window"),
        ("annual_volume", "volume_unit"),
        "notes",
    )


class DocumentInline(PartInline, TabularInline):
    model = Document
    fields = ("doc_type", "title", "dated", "file", "notes")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        documents = super().get_queryset(request)
        if not access.access_for(request.user).finance:
            from freightcrm.customers.choices import FINANCE_DOCUMENT_TYPES

            documents = documents.exclude(doc_type__in=FINANCE_DOCUMENT_TYPES)
        return documents


class ShareInline(PartInline, TabularInline):
    model = CustomerShare
    fields = ("user", "reason")
    autocomplete_fields = ()


@admin.register(Tag)
class TagAdmin(ModelAdmin):
    search_fields = ("name",)
    list_display = ("name", "description")


@admin.register(Customer)
class CustomerAdmin(AccessControlledAdmin, ModelAdmin):
    form = CustomerForm
    list_display = ("code_link", "name", "kind", "status_badge", "city", "owner_name", "grade", "updated_at")
    list_display_links = ("name",)
    search_fields = ("name",)  # shows the search box; the search itself is `customers.search`
    search_help_text = _(
        "Two characters of the name are enough; also pinyin initials, the last 4+ digits of a phone, "
        "customer code, credit code, resident ID or a contact's name"
    )
    list_per_page = 50
    show_full_result_count = False
    date_hierarchy = None
    readonly_fields = ("code", "id_number_masked", "bank_account_masked")
    formfield_overrides = {
        models.ManyToManyField: {"widget": UnfoldAdminCheckboxSelectMultipleWidget},
        models.URLField: {"widget": UnfoldAdminURLInputWidget, "assume_scheme": "https"},
    }
    warn_unsaved_form = True
    inlines = (ContactInline, AddressInline, NeedInline, DocumentInline, ShareInline)
    actions_detail = ("open_card",)
    actions_list = ("import_sheet", "ocr_intake", "export_list")

    class Media:
        js = ("freightcrm/customer_form.js", "freightcrm/customer_list.js")

    archive_fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = (
        (
            _("Basic information"),
            (
                "kind",
                "name",
                "short_name",
                "code",
                "status",
                "owner",
                "tags",
                "primary_address",
                *selectors.PROFILE_FIELDS,
            ),
        ),
        (_("Characteristics"), selectors.CHARACTERISTIC_FIELDS),
        (_("Business status"), selectors.BUSINESS_FIELDS),
        (_("Finance and credit"), Customer.finance_fields),
        (_("Contact preferences"), selectors.PREFERENCE_FIELDS),
        (_("Remarks"), ("remarks", "edit_version")),
    )

    # --- list ---

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        return selectors.customers_visible_to(request.user)

    # The list's filters, as the search selector names them.
    LIST_FILTER_PARAMS = {
        "kind": "kind__exact",
        "status": "status__exact",
        "region": "province__exact",
        "owner": "owner__id__exact",
        "tag": "tags__id__exact",
        "grade": "credit_grade__exact",
    }

    def list_filters(self, request: HttpRequest) -> search.CustomerFilters:
        """The list's current filters (from its query string), as the search selector and the export
        name them."""
        values = {name: request.GET.get(param, "") for name, param in self.LIST_FILTER_PARAMS.items()}
        owner = values.pop("owner")
        tag = values.pop("tag")
        tag_name = Tag.objects.filter(pk=tag).values_list("name", flat=True).first() if tag.isdigit() else ""
        if "grade" in access.hidden_fields(request.user, Customer):
            values["grade"] = ""
        return search.CustomerFilters(
            **values, owner=int(owner) if owner.isdigit() else None, tag=tag_name or ""
        )

    def get_search_results(
        self, request: HttpRequest, queryset: models.QuerySet[Any], search_term: str
    ) -> tuple[models.QuerySet[Any], bool]:
        """One search for the list, the card's search box and the API (`customers.search`): the
        matches come in rank order (exact code or phone, then name prefix, then contains, then
        one-typo matches), the list's filters narrowing the same query."""
        if not search_term.strip():
            return queryset, False
        try:
            ids, notice = search.ranked_ids(request.user, search_term, self.list_filters(request))
        except ValidationError as error:
            ids, notice = [], " ".join(error.messages)
        if notice:
            messages.warning(request, notice)
        if len(ids) >= search.MAX_MATCHES:
            messages.info(
                request,
                _("Showing the best %(count)d matches; add a filter or type more to narrow them.")
                % {"count": search.MAX_MATCHES},
            )
        matches = queryset.filter(pk__in=ids)
        if ids and not request.GET.get(ORDER_VAR):  # no column chosen: best match first
            rank = Case(*(When(pk=pk, then=position) for position, pk in enumerate(ids)), default=len(ids))
            matches = matches.annotate(search_rank=rank).order_by("search_rank", "pk")
        return matches, False

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters: list[Any] = ["kind", "status", "province", ("owner", RelatedDropdownFilter), "tags"]
        if access.access_for(request.user).finance:
            filters.append("credit_grade")
        return filters

    @display(description=_("customer code"), ordering="code")
    def code_link(self, obj: Customer) -> str:
        url = reverse("admin:customers_customer_card", args=[obj.pk])
        return format_html(
            '<a class="fc-code" href="{}" title="{}">{}</a>', url, _("Customer card"), obj.code
        )

    @display(description=_("status"), ordering="status", label=STATUS_COLOURS)
    def status_badge(self, obj: Customer) -> Any:
        return obj.status, obj.get_status_display()

    @display(description=_("account owner"), ordering="owner__username")
    def owner_name(self, obj: Customer) -> str:
        return person_name(obj.owner) if obj.owner else "—"

    @display(description=_("credit grade"), ordering="credit_grade")
    def grade(self, obj: Customer) -> str:
        return obj.credit_grade or "—"

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        columns = list(super().get_list_display(request))
        if not access.access_for(request.user).finance:
            columns.remove("grade")
        return columns

    @action(
        description=_("Import from a spreadsheet"),
        icon="upload_file",
        url_path="import-sheet",
        permissions=["import_sheet"],
    )
    def import_sheet(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:intake_importjob_add"))

    def has_import_sheet_permission(self, request: HttpRequest) -> bool:
        return access.access_for(request.user).has("intake.run_import")

    @action(
        description=_("Read a business licence or card"),
        icon="document_scanner",
        url_path="ocr-intake",
        permissions=["ocr_intake"],
    )
    def ocr_intake(self, request: HttpRequest) -> HttpResponse:
        """OCR intake (intake/ocr_admin.py) files what it reads for review; the button is its way in here."""
        return HttpResponseRedirect(reverse("admin:intake_ocrscan_add"))

    def has_ocr_intake_permission(self, request: HttpRequest) -> bool:
        return access.access_for(request.user).has("customers.add_customer")

    def has_export_permission(self, request: HttpRequest) -> bool:
        return access.access_for(request.user).has("intake.export_customers")

    @action(description=_("Export"), icon="download", url_path="export-list", permissions=["export"])
    def export_list(self, request: HttpRequest) -> HttpResponse:
        """To the export page (intake), with the list's filters and search: the list's script adds
        its query string to this button's link."""
        query = request.GET.urlencode()
        return HttpResponseRedirect(reverse("admin:intake_customer_export") + (f"?{query}" if query else ""))

    @action(description=_("Customer card"), icon="badge", url_path="open-card")
    def open_card(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:customers_customer_card", args=[object_id]))

    # --- form ---

    @display(description=_("resident ID number"))
    def id_number_masked(self, obj: Customer) -> str:
        return access.shown_value(obj._admin_user, obj, "id_number") or "—"  # type: ignore[attr-defined]

    @display(description=_("bank account"))
    def bank_account_masked(self, obj: Customer) -> str:
        return access.shown_value(obj._admin_user, obj, "bank_account") or "—"  # type: ignore[attr-defined]

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj._admin_user = request.user
        return obj

    def _may_write(self, request: HttpRequest, obj: Customer | None, name: str) -> bool:
        if obj is None:
            return access.access_for(request.user).has("customers.add_customer") and (
                name not in access.finance_fields(Customer) or access.access_for(request.user).change_finance
            )
        return name in access.changeable_fields(request.user, Customer, [name])

    def get_fieldsets(self, request: HttpRequest, obj: Customer | None = None) -> list[Any]:
        user = request.user
        hidden = access.hidden_fields(user, Customer)
        if obj is not None:  # an existing customer: show only the fields of its kind
            hidden |= selectors.INDIVIDUAL_ONLY if obj.is_organisation else selectors.ORGANISATION_ONLY
        fieldsets = []
        for title, names in self.archive_fieldsets:
            fields: list[str] = []
            for name in names:
                if name in hidden or (name == "code" and obj is None) or (name == "primary_address" and obj):
                    continue
                if name in Customer.sensitive_fields and not access.reveals(user, Customer, name):
                    if obj is not None:
                        fields.append(f"{name}_masked")
                    if self._may_write(request, obj, name):
                        fields.append(name)
                    continue
                fields.append(name)
            if fields:
                fieldsets.append((title, {"fields": fields, "classes": ["tab"]}))
        return fieldsets

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = super().get_readonly_fields(request, obj)
        return [
            name
            for name in readonly
            if not (name in Customer.sensitive_fields and self._writable_masked(request, obj, name))
        ]

    def _writable_masked(self, request: HttpRequest, obj: Customer | None, name: str) -> bool:
        return not access.reveals(request.user, Customer, name) and self._may_write(request, obj, name)

    def get_form(
        self, request: HttpRequest, obj: Customer | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        write_only = tuple(
            name for name in Customer.sensitive_fields if self._writable_masked(request, obj, name)
        )
        return type(form.__name__, (form,), {"user": request.user, "write_only": write_only})

    # --- writes, all through services ---

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        if change:
            services.customer_update(
                actor=staff(request),
                customer=obj,
                version=form.cleaned_data.get("edit_version") or 0,
                touch=True,
            )
            if obj.held_for_review:
                labels = str(_(", ")).join(
                    str(field_of(Customer, name).verbose_name) for name in obj.held_for_review
                )
                messages.warning(
                    request,
                    gettext(
                        "The change of %(fields)s was sent for review; "
                        "it applies once a records clerk approves it."
                    )
                    % {"fields": labels},
                )
        else:
            services.customer_create(
                actor=staff(request), customer=obj, address=form.cleaned_data.get("primary_address", "")
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if "tags" in form.cleaned_data and "tags" in form.changed_data:
            services.customer_set_tags(
                actor=staff(request), customer=form.instance, tags=form.cleaned_data["tags"]
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        parts = formset.save(commit=False)
        for part in formset.deleted_objects:
            if isinstance(part, CustomerShare):
                services.customer_share_revoke(actor=staff(request), share=part)
            else:
                services.customer_part_delete(actor=staff(request), part=part)
        for part in parts:
            if isinstance(part, CustomerShare):
                services.customer_share_grant(
                    actor=staff(request), customer=part.customer, user=part.user, reason=part.reason
                )
            else:
                services.customer_part_save(actor=staff(request), part=part)

    def delete_model(self, request: HttpRequest, obj: Customer) -> None:
        services.customer_delete(actor=staff(request), customer=obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for customer in queryset:
            services.customer_delete(actor=staff(request), customer=customer)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except (ValidationError, ApplicationError) as error:
            report_error(request, error)
            return HttpResponseRedirect(reverse("admin:customers_customer_change", args=[object_id]))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (ValidationError, ApplicationError) as error:
            # A refusal from a service after the form validated (a race, or a rule on a related
            # row): nothing was saved; say why and show the form again.
            report_error(request, error)
            return HttpResponseRedirect(request.get_full_path())

    # --- the customer card and document downloads ---

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "<path:object_id>/card/",
                self.admin_site.admin_view(self.card_view),
                name="customers_customer_card",
            ),
            path(
                "document/<int:pk>/",
                self.admin_site.admin_view(self.document_view),
                name="customers_document_file",
            ),
        ]
        return own + super().get_urls()

    def card_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        try:
            customer = selectors.customer_for(request.user, pk=object_id)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        context = {
            **self.admin_site.each_context(request),
            "opts": Customer._meta,
            "title": customer.name,
            "customer": customer,
            "profile": selectors.customer_profile(request.user, customer),
            "sections": selectors.card_sections(request.user, customer),
            "tags": list(customer.tags.all()),
            "can_change": access.may_change_something(request.user, Customer),
        }
        return TemplateResponse(request, "customers/card.html", context)

    def document_view(self, request: HttpRequest, pk: int) -> FileResponse:
        try:
            document = selectors.document_for(request.user, pk)
        except Document.DoesNotExist as exc:
            raise Http404 from exc
        return FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=document.original_name or str(document.file.name),
        )
