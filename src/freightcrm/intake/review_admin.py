"""Staff UI of the review queue (审核): the list with filters and a pending count, the item page
(the record as it would be filed, or the change before → after) with approve and reject, and bulk
approval of the selected items or of a whole import. Thin: services decide, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from freightcrm.core.admin import AccessControlledAdmin, report_error, staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_for
from freightcrm.intake import selectors
from freightcrm.intake.choices import ReviewState
from freightcrm.intake.models import Submission
from freightcrm.intake.review import BulkOutcome, submission_approve, submission_reject, submissions_approve
from freightcrm.intake.self_service import DEFAULT_EXPIRY_DAYS, self_service_link_issue

ALL = "all"


class StateFilter(admin.SimpleListFilter):
    """The queue opens on what is waiting; decided items are one click away."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(ALL, _("All")), *[(value, label) for value, label in ReviewState.choices]]

    def choices(self, changelist: Any) -> Any:
        current = self.value() or ReviewState.PENDING
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request: HttpRequest, queryset: QuerySet[Submission]) -> QuerySet[Submission]:
        value = self.value() or ReviewState.PENDING
        return queryset if value == ALL else queryset.filter(state=value)


def report_bulk(request: HttpRequest, outcome: BulkOutcome) -> None:
    if outcome.approved:
        messages.success(
            request,
            ngettext("%(count)d item approved.", "%(count)d items approved.", outcome.approved)
            % {"count": outcome.approved},
        )
    for submission, message in outcome.refused[:20]:
        messages.error(request, f"{submission.customer.name}: {message}")
    if not outcome.approved and not outcome.refused:
        messages.info(request, gettext("Nothing was waiting among the chosen items."))


class SubmissionAdmin(AccessControlledAdmin, ModelAdmin):
    list_display = (
        "customer_name",
        "kind_badge",
        "source",
        "state_badge",
        "submitter",
        "created_at",
        "import_job",
        "decision",
    )
    list_display_links = ("customer_name",)
    list_filter = (StateFilter, "source", "kind")
    search_fields = ("customer__name", "customer__code")
    list_select_related = ("customer", "submitted_by", "decided_by", "import_job")
    list_per_page = 50
    actions = ["approve_selected"]
    list_before_template = "intake/review/list_before.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Submission]:
        return selectors.submissions_visible_to(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=_("customer"), ordering="customer__name")
    def customer_name(self, submission: Submission) -> str:
        return f"{submission.customer.name} · {submission.customer.code}"

    @display(description=_("kind"), label=True)
    def kind_badge(self, submission: Submission) -> str:
        return submission.get_kind_display()

    @display(
        description=_("state"),
        label={
            ReviewState.PENDING.label: "warning",
            ReviewState.APPROVED.label: "success",
            ReviewState.REJECTED.label: "danger",
        },
    )
    def state_badge(self, submission: Submission) -> str:
        return str(submission.get_state_display())

    @display(description=_("submitted by"))
    def submitter(self, submission: Submission) -> str:
        return person_name(submission.submitted_by) if submission.submitted_by else gettext("the customer")

    @display(description=_("decision"))
    def decision(self, submission: Submission) -> str:
        if submission.state == ReviewState.PENDING:
            return "—"
        return " · ".join(
            filter(
                None, [person_name(submission.decided_by) if submission.decided_by else "", submission.reason]
            )
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra = {
            "pending_count": selectors.pending_count(request.user),
            "may_review": selectors.may_review(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)

    @action(description=_("Approve the selected items"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Submission]) -> None:
        try:
            report_bulk(request, submissions_approve(staff(request), queryset.order_by("created_at")))
        except ApplicationError as error:
            report_error(request, error)

    def has_review_permission(self, request: HttpRequest) -> bool:
        return selectors.may_review(request.user)

    # --- own pages ---

    def get_urls(self) -> list[URLPattern]:
        own = [
            path(
                "import/<int:job_id>/approve/",
                self.admin_site.admin_view(self.approve_import_view),
                name="intake_submission_approve_import",
            ),
            path(
                "self-service/<int:customer_id>/",
                self.admin_site.admin_view(self.self_service_view),
                name="intake_submission_self_service",
            ),
        ]
        return own + super().get_urls()

    def approve_import_view(self, request: HttpRequest, job_id: int) -> HttpResponse:
        """Approve everything still waiting from one import job (POST only)."""
        if request.method != "POST" or not self.has_review_permission(request):
            raise Http404
        waiting = self.get_queryset(request).filter(import_job_id=job_id, state=ReviewState.PENDING)
        try:
            report_bulk(request, submissions_approve(staff(request), waiting.order_by("created_at")))
        except ApplicationError as error:
            report_error(request, error)
        return HttpResponseRedirect(reverse("admin:intake_submission_changelist"))

    def self_service_view(self, request: HttpRequest, customer_id: int) -> HttpResponse:
        """Make a one-time link for the customer's own form; the link is shown once, here."""
        try:
            customer = customer_for(request.user, pk=customer_id)
        except Customer.DoesNotExist as exc:
            raise Http404 from exc
        issued = None
        if request.method == "POST":
            try:
                issued = self_service_link_issue(actor=staff(request), customer=customer)
            except (ValidationError, ApplicationError) as error:
                report_error(request, error)
        return TemplateResponse(
            request,
            "intake/self_service/issue.html",
            {
                **self.admin_site.each_context(request),
                "opts": Submission._meta,
                "title": gettext("Self-service link"),
                "customer": customer,
                "link": request.build_absolute_uri(issued.path) if issued else "",
                "expires_at": issued.link.expires_at if issued else None,
                "days": DEFAULT_EXPIRY_DAYS,
            },
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        if not self.has_view_permission(request) or not object_id.isdigit():
            raise Http404
        try:
            submission = selectors.submission_for(request.user, int(object_id))
        except Submission.DoesNotExist as exc:
            raise Http404 from exc
        may_review = selectors.may_review(request.user)
        if request.method == "POST":
            if not may_review:
                raise Http404
            decision = request.POST.get("decision")
            try:
                if decision == "approve":
                    submission_approve(actor=staff(request), submission=submission)
                    messages.success(request, gettext("Approved."))
                elif decision == "reject":
                    submission_reject(
                        actor=staff(request), submission=submission, reason=request.POST.get("reason", "")
                    )
                    messages.success(request, gettext("Rejected; the submitter sees the reason."))
                else:
                    raise Http404
            except (ValidationError, ApplicationError) as error:
                report_error(request, error)
            else:
                return HttpResponseRedirect(reverse("admin:intake_submission_changelist"))
            submission = selectors.submission_for(request.user, submission.pk)
        job_waiting = 0
        if submission.import_job_id and may_review:
            job_waiting = (
                self.get_queryset(request)
                .filter(import_job_id=submission.import_job_id, state=ReviewState.PENDING)
                .count()
            )
        return TemplateResponse(
            request,
            "intake/review/submission.html",
            {
                **self.admin_site.each_context(request),
                "opts": Submission._meta,
                "title": str(submission),
                "submission": submission,
                "rows": selectors.submission_rows(request.user, submission),
                "may_decide": may_review and submission.state == ReviewState.PENDING,
                "job_waiting": job_waiting,
                "pending_count": selectors.pending_count(request.user),
                "posted_reason": request.POST.get("reason", "") if request.method == "POST" else "",
            },
        )
