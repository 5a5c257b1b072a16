"""The due list page (我的待办) under the admin: the DueItem "list" is the user's own grouped list.

Managers (`service.view_others_due_items`) may open an account manager's list with `?user=<id>`;
only the assignee marks items done or snoozes them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from unfold.admin import ModelAdmin

from freightcrm.core import access
from freightcrm.core.admin import report_error
from freightcrm.core.display import person_name
from freightcrm.service.care import selectors, services
from freightcrm.service.care.models import DueItem

SNOOZE_CHOICES = (1, 3, 7, 30)


@admin.register(DueItem)
class DueItemAdmin(ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # items change only through "done" and "snooze"

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.may_view_model(request.user, DueItem)

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("<int:pk>/done/", self.admin_site.admin_view(self.done_view), name="service_dueitem_done"),
            path(
                "<int:pk>/snooze/",
                self.admin_site.admin_view(self.snooze_view),
                name="service_dueitem_snooze",
            ),
        ]
        return own + super().get_urls()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if not self.has_view_permission(request):
            raise Http404
        today = timezone.localdate()
        assignee_id: int = request.user.pk  # type: ignore[assignment]
        if request.GET.get("user"):
            try:
                assignee_id = int(request.GET["user"])
            except ValueError as exc:
                raise Http404 from exc
        if not selectors.may_view_due_list_of(request.user, assignee_id):
            raise Http404
        owners = list(selectors.due_list_owners(request.user))
        assignee = next((u for u in owners if u.pk == assignee_id), None)
        if assignee is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": DueItem._meta,
            "title": _("My due list")
            if assignee_id == request.user.pk
            else _("Due list of %(name)s") % {"name": person_name(assignee)},
            "today": today,
            "due": selectors.due_list(request.user, assignee_id, today=today),
            "owners": [{"id": u.pk, "name": person_name(u)} for u in owners] if len(owners) > 1 else [],
            "assignee_id": assignee_id,
            "snooze_choices": SNOOZE_CHOICES,
        }
        return TemplateResponse(request, "service/care/due_list.html", context)

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_dueitem_changelist"))

    def _back(self) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:service_dueitem_changelist"))

    def done_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._done)(request, pk)

    def _done(self, request: HttpRequest, pk: int) -> HttpResponse:
        try:
            item = services.due_item_done(actor=request.user, item_id=pk)
        except ValidationError as exc:
            report_error(request, exc)
        else:
            messages.success(request, _("Done: %(title)s") % {"title": item.title})
        return self._back()

    def snooze_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        return require_POST(self._snooze)(request, pk)

    def _snooze(self, request: HttpRequest, pk: int) -> HttpResponse:
        today = timezone.localdate()
        try:
            days = int(request.POST.get("days", ""))
        except ValueError:
            messages.error(request, _("Choose how long to snooze."))
            return self._back()
        try:
            item = services.due_item_snooze(
                actor=request.user, item_id=pk, until=today + dt.timedelta(days=days), today=today
            )
        except ValidationError as exc:
            report_error(request, exc)
        else:
            messages.success(
                request,
                _("Snoozed until %(date)s: %(title)s") % {"date": item.snoozed_until, "title": item.title},
            )
        return self._back()
