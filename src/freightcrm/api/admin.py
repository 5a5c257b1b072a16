"""API tokens in the staff UI: who holds which token, when it was last used, revoke it.

Only for users with the token model's permissions (the administrator role). Tokens are issued on
the command line (`freightcrm issue_token`), which can show the secret once; the admin never can,
because only its hash is stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from freightcrm.api.models import TOKEN_SCHEME, ApiToken
from freightcrm.api.services import api_token_revoke
from freightcrm.core.display import person_name


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    list_display = (
        "shown_prefix",
        "user",
        "holder",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "state",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    fields = readonly_fields
    list_select_related = ("user",)
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the row keeps who held the token and when it was used

    @display(description=_("key prefix"), ordering="prefix")
    def shown_prefix(self, token: ApiToken) -> str:
        return f"{TOKEN_SCHEME}_{token.prefix}_…"

    @display(description=_("name"))
    def holder(self, token: ApiToken) -> str:
        return person_name(token.user)

    @display(description=_("state"), label={"active": "success", "revoked": "danger", "expired": "warning"})
    def state(self, token: ApiToken) -> Any:
        from django.utils import timezone

        if token.revoked_at:
            return "revoked", _("revoked")
        if token.expires_at and token.expires_at <= timezone.now():
            return "expired", _("expired")
        return "active", _("active")

    @action(description=_("Revoke selected tokens"), permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            api_token_revoke(prefix=token.prefix)
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", len(tokens))
            % {"count": len(tokens)},
            messages.SUCCESS,
        )

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("api.change_apitoken")
