"""The staff UI's shared behaviour: every admin page asks `core.access`, never decides by itself."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from unfold.widgets import UnfoldAdminCheckboxSelectMultipleWidget, UnfoldAdminTextInputWidget

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.core.fields import EncryptedTextField
from freightcrm.core.roles import ROLE_BY_SLUG, role_label


class AccessControlledAdmin:
    """Mixin for ModelAdmins and inlines: rows, field groups and writes follow `core.access`.

    A row the user may not see is a 404, exactly like a row that does not exist.
    """

    model: type[Model]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return access.visible(request.user, super().get_queryset(request))  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if isinstance(db_field, EncryptedTextField):
            # One line, never remembered by the browser; the theme would make it a text area.
            kwargs["widget"] = UnfoldAdminTextInputWidget(attrs={"autocomplete": "off"})
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.may_change_something(request.user, self.model)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return access.may_view_model(request.user, self.model) or self.has_change_permission(request, obj)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> HttpResponse:
        raise Http404

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        editable = [f.name for f in self.model._meta.concrete_fields if f.editable]
        allowed = access.changeable_fields(request.user, self.model, editable)
        if obj is None and access.access_for(request.user).has(
            f"{self.model._meta.app_label}.add_{self.model._meta.model_name}"
        ):
            owners = (
                set(getattr(self.model, "owner_fields", ()))
                if not access.access_for(request.user).assign_owner
                else set()
            )
            allowed |= {name for name in editable if name not in access.finance_fields(self.model) | owners}
        return readonly + [name for name in editable if name not in allowed and name not in readonly]

    def hide_fields(self, request: HttpRequest, names: list[str] | tuple[str, ...]) -> list[str]:
        hidden = access.hidden_fields(request.user, self.model)
        return [name for name in names if name not in hidden]


def staff(request: HttpRequest) -> User:
    """The signed-in user; admin views are only reached signed in."""
    return cast(User, request.user)


def report_error(request: HttpRequest, error: ValidationError | ApplicationError) -> None:
    if isinstance(error, ValidationError):
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.error(request, str(error))


def back_to(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect(request.get_full_path())


# --- Staff accounts and roles, in the same theme as the rest ---------------------------------------

admin.site.unregister(User)
admin.site.unregister(Group)


class RoleChoiceField(forms.ModelMultipleChoiceField):
    """Roles offered by their name in the user's language, with the stable slug beside it."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{role_label(obj.name)} · {obj.name}"


@admin.register(User)
class StaffAdmin(auth_admin.UserAdmin, ModelAdmin):
    """Staff logins. Rights come from roles (groups); direct per-user permissions are not offered,
    so that every right can be read off the role table (`core/roles.py`)."""

    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "display_name", "email", "role_names", "is_active", "last_login")
    list_filter = ("is_active", "groups")
    filter_horizontal = ()
    formfield_overrides = {models.ManyToManyField: {"widget": UnfoldAdminCheckboxSelectMultipleWidget}}
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email")}),
        (_("Roles"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups":
            kwargs["form_class"] = RoleChoiceField
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @display(description=_("name"))
    def display_name(self, user: User) -> str:
        return person_name(user)

    @display(description=_("Roles"))
    def role_names(self, user: User) -> str:
        return "、".join(role_label(group.name) for group in user.groups.all()) or "—"


@admin.register(Group)
class RoleAdmin(auth_admin.GroupAdmin, ModelAdmin):
    list_display = ("name", "label", "duty")
    filter_horizontal = ()

    @display(description=_("role"))
    def label(self, group: Group) -> str:
        return role_label(group.name)

    @display(description=_("what the role may do"))
    def duty(self, group: Group) -> str:
        role = ROLE_BY_SLUG.get(group.name)
        return str(role.duty) if role else "—"
