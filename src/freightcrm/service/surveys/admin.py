"""Surveys in the staff UI: templates, invitations, sending from the customer, and the results page."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.decorators import action, display

from freightcrm.core.admin import AccessControlledAdmin
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.service.pages import add_service_errors, form_page
from freightcrm.service.surveys import selectors
from freightcrm.service.surveys.forms import SendForm
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyTemplate
from freightcrm.service.surveys.services import email_configured, survey_send


class QuestionInline(TabularInline):
    model = SurveyQuestion
    extra = 0
    fields = ("position", "dimension", "text", "required")


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(ModelAdmin):
    list_display = ("name", "is_default", "is_active")
    inlines = [QuestionInline]


class AnswerInline(TabularInline):
    model = SurveyAnswer
    extra = 0
    fields = ("question", "score", "text")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # shown only inside an invitation the user may already see


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = ("sent_at", "customer", "contact", "state", "overall_score", "nps_score", "low_score")
    list_filter = ("low_score",)
    list_select_related = ("customer", "contact", "template")
    search_fields = ("customer__code", "customer__name")
    show_full_result_count = False
    fields = (
        "customer",
        "contact",
        "template",
        "sent_by",
        "sent_at",
        "expires_at",
        "answered_at",
        "overall_score",
        "nps_score",
        "low_score",
    )
    inlines = [AnswerInline]
    actions_list = ("open_results",)

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.invitations_visible_to(request.user)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # sent from the customer (send/<customer>/): the link is shown once there

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("state"))
    def state(self, obj: SurveyInvitation) -> str:
        from django.utils import timezone

        if obj.answered_at:
            return str(_("Answered"))
        return str(_("Expired") if obj.expires_at <= timezone.now() else _("Awaiting answer"))

    @action(description=_("Survey results"), icon="monitoring", url_path="open-results")
    def open_results(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_surveyinvitation_results"))

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("results/", view(self.results_view), name="service_surveyinvitation_results"),
            path("send/<int:customer_id>/", view(self.send_view), name="service_surveyinvitation_send"),
        ]
        return own + super().get_urls()

    def results_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": SurveyInvitation._meta,
            "title": _("Survey results"),
            "results": selectors.survey_results(request.user),
            "low_scores": selectors.low_scores(request.user),
        }
        return TemplateResponse(request, "service/surveys/results.html", context)

    def send_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        try:
            customer: Customer = customer_for(request.user, pk=customer_id)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        form = SendForm(request.POST or None, customer=customer)
        if request.method == "POST" and form.is_valid():
            try:
                sent = survey_send(
                    actor=request.user,
                    customer=customer,
                    base_url=request.build_absolute_uri("/"),
                    **form.cleaned_data,
                )
            except (ValidationError, ApplicationError) as error:
                add_service_errors(form, error)
            else:
                context = {
                    **self.admin_site.each_context(request),
                    "title": _("Survey links: %(name)s") % {"name": customer.name},
                    "customer": customer,
                    "links": [
                        {"invitation": item.invitation, "url": request.build_absolute_uri(item.path)}
                        for item in sent
                    ],
                    "emailed": email_configured(),
                }
                return TemplateResponse(request, "service/surveys/sent.html", context)
        back = reverse("admin:customers_customer_card", args=[customer.pk])
        intro = _("Each contact gets a personal link that can be answered once, until it expires.")
        return form_page(
            request,
            title=_("Send a satisfaction survey: %(name)s") % {"name": customer.name},
            form=form,
            intro=intro,
            back=back,
            submit=_("Create the links"),
        )
