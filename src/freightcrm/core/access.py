"""Who may see and change what: the one place the staff UI, the API and exports ask.

Three layers, all driven by Django permissions so that roles (groups) stay data:

* **Rows.** A user with `customers.view_all_customers` sees every customer; anyone else sees only
  the customers they own or that are shared with them, and only the contacts, shipments and other
  rows of those customers. A model opts in by naming the path to its customer in `customer_path`
  (`""` for the customer itself, `"customer"` for its children). A customer model that names an
  `archive_filter` (a `Q`) shows only the rows matching it: the customers still waiting for review
  (审核) or rejected are not the archive, for anyone; the review queue reads them on its own.
* **Field groups.** A model lists its finance and credit fields in `finance_fields`; they are
  hidden without `customers.view_finance` and read-only without `customers.change_finance`.
  Other fields change with the model's ordinary `change_<model>` permission. Fields listed in
  `owner_fields` (who owns the account) change only with `customers.assign_owner`.
* **Sensitive values.** A model maps each sensitive field to the permission that reveals it in
  full (`sensitive_fields`); everyone else sees it masked (`3101**********1234`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.core.fields import field_of
from freightcrm.core.masking import mask

M = TypeVar("M", bound=models.Model)
UserLike = AbstractBaseUser | AnonymousUser

VIEW_ALL = "customers.view_all_customers"
VIEW_FINANCE = "customers.view_finance"
CHANGE_FINANCE = "customers.change_finance"
ASSIGN_OWNER = "customers.assign_owner"
OWNER_FIELD = "owner"
SHARES_RELATION = "shares"


@dataclass(frozen=True)
class Access:
    """What one user may do, computed once per request from their permissions."""

    authenticated: bool
    user_id: int | None
    all_customers: bool
    finance: bool
    change_finance: bool
    assign_owner: bool
    permissions: frozenset[str]

    def has(self, permission: str) -> bool:
        return permission in self.permissions


def access_for(user: Any) -> Access:
    cached = getattr(user, "_freightcrm_access", None)
    if cached is not None:
        return cached
    active = bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))
    permissions = frozenset(user.get_all_permissions()) if active else frozenset()
    if active and user.is_superuser:
        permissions = permissions | {VIEW_ALL, VIEW_FINANCE, CHANGE_FINANCE, ASSIGN_OWNER}
    access = Access(
        authenticated=active,
        user_id=user.pk if active else None,
        all_customers=VIEW_ALL in permissions,
        finance=VIEW_FINANCE in permissions,
        change_finance=CHANGE_FINANCE in permissions,
        assign_owner=ASSIGN_OWNER in permissions,
        permissions=permissions,
    )
    if active:
        user._freightcrm_access = access
    return access


def forget_access(user: Any) -> None:
    """Drop the cached permissions (after a user's groups change)."""
    user.__dict__.pop("_freightcrm_access", None)
    user.__dict__.pop("_perm_cache", None)
    user.__dict__.pop("_user_perm_cache", None)
    user.__dict__.pop("_group_perm_cache", None)


def _customer_model(model: type[models.Model], path: str) -> type[models.Model]:
    current = model
    for part in filter(None, path.split("__")):
        related = current._meta.get_field(part).related_model
        assert isinstance(related, type)
        current = related
    return current


def visible(user: Any, queryset: QuerySet[M], *, archive_only: bool = True) -> QuerySet[M]:
    """Restrict `queryset` to the rows `user` may see (`archive_only=False`: also the customers
    waiting for review, which their owner may still complete, e.g. an import adding contacts)."""
    access = access_for(user)
    if not access.authenticated:
        return queryset.none()
    path = getattr(queryset.model, "customer_path", None)
    if archive_only and path == "" and getattr(queryset.model, "archive_filter", None) is not None:
        queryset = queryset.filter(queryset.model.archive_filter)  # type: ignore[attr-defined]
    if path is None or access.all_customers:
        return queryset
    customer_model = _customer_model(queryset.model, path)
    share_model = customer_model._meta.get_field(SHARES_RELATION).related_model
    assert isinstance(share_model, type)
    shared_ids = share_model._default_manager.filter(user_id=access.user_id).values("customer_id")
    prefix = f"{path}__" if path else ""
    return queryset.filter(
        Q(**{f"{prefix}{OWNER_FIELD}_id": access.user_id}) | Q(**{f"{prefix}pk__in": shared_ids})
    )


def can_see(user: Any, instance: models.Model) -> bool:
    """May `user` act on this row? Ownership decides, not review: what a customer waiting for review
    shows is decided by `visible`, what may be written to it (by its owner, by the reviewer) here."""
    return visible(user, type(instance)._default_manager.filter(pk=instance.pk), archive_only=False).exists()


def may_view_model(user: Any, model: type[models.Model]) -> bool:
    opts = model._meta
    return access_for(user).has(f"{opts.app_label}.view_{opts.model_name}") or access_for(user).has(
        f"{opts.app_label}.change_{opts.model_name}"
    )


def finance_fields(model: type[models.Model]) -> frozenset[str]:
    return frozenset(getattr(model, "finance_fields", ()))


def hidden_fields(user: Any, model: type[models.Model]) -> frozenset[str]:
    """Fields `user` may not see at all on `model`."""
    return frozenset() if access_for(user).finance else finance_fields(model)


def changeable_fields(user: Any, model: type[models.Model], fields: Iterable[str]) -> set[str]:
    """The subset of `fields` that `user` may change on `model`."""
    access = access_for(user)
    opts = model._meta
    ordinary = access.has(f"{opts.app_label}.change_{opts.model_name}") or access.has(
        f"{opts.app_label}.add_{opts.model_name}"
    )
    finance = finance_fields(model)
    owners = frozenset(getattr(model, "owner_fields", ()))
    allowed = set()
    for name in fields:
        if name in finance:
            ok = access.change_finance
        elif name in owners:
            ok = access.assign_owner
        else:
            ok = ordinary
        if ok:
            allowed.add(name)
    return allowed


def may_change_something(user: Any, model: type[models.Model]) -> bool:
    opts = model._meta
    access = access_for(user)
    return (
        access.has(f"{opts.app_label}.change_{opts.model_name}")
        or (bool(finance_fields(model)) and access.change_finance)
        or (bool(getattr(model, "owner_fields", ())) and access.assign_owner)
    )


def _is_set(instance: models.Model, name: str) -> bool:
    field = field_of(type(instance), name)
    value = getattr(instance, name, None)
    if value in (None, "", []):
        return False
    return not (field.has_default() and value == field.get_default())


def require_permission(
    user: Any,
    permission: str,
    record: models.Model,
    *,
    refused: Any = None,
    hidden: Any = None,
) -> None:
    """Raise `PermissionDeniedError` unless `user` has `permission` and may see `record` (a customer or
    a row that belongs to one). `refused` and `hidden` say why, for the role and for the record."""
    if not access_for(user).has(permission):
        raise PermissionDeniedError(refused or _("Your role may not do this."))
    if not can_see(user, record):
        raise PermissionDeniedError(hidden or _("You may not change this record."))


def require_change(
    user: Any, instance: models.Model, fields: Iterable[str], *, creating: bool = False
) -> None:
    """Raise `PermissionDeniedError` unless `user` may write `fields` of `instance`."""
    model = type(instance)
    opts = model._meta
    access = access_for(user)
    if creating and not access.has(f"{opts.app_label}.add_{opts.model_name}"):
        raise PermissionDeniedError(
            _("You may not create %(what)s."), params={"what": opts.verbose_name_plural}
        )
    if not creating and instance.pk is not None and not can_see(user, instance):
        raise PermissionDeniedError(_("You may not change this record."))
    parent_path = getattr(model, "customer_path", "") or ""
    if creating and parent_path:
        parent = instance
        for part in parent_path.split("__"):
            parent = getattr(parent, part)
        if not can_see(user, parent):
            raise PermissionDeniedError(_("You may not change this record."))
    fields = set(fields)
    if creating:
        # A new record's empty fields need no permission; its filled finance fields still do.
        fields = {name for name in fields if _is_set(instance, name)}
        # Filing a new account under oneself (what an account manager does) is not a reassignment;
        # filing it under someone else is.
        fields -= {
            name
            for name in getattr(model, "owner_fields", ())
            if getattr(instance, f"{name}_id", None) == access.user_id
        }
    refused = fields - changeable_fields(user, model, fields)
    if refused:
        labels = str(_(", ")).join(sorted(str(field_of(model, name).verbose_name) for name in refused))
        raise PermissionDeniedError(
            _("You may not change these fields: %(fields)s."), params={"fields": labels}
        )


def reveals(user: Any, model: type[models.Model], field_name: str) -> bool:
    permission = getattr(model, "sensitive_fields", {}).get(field_name)
    return permission is None or access_for(user).has(permission)


def shown_value(user: Any, instance: models.Model, field_name: str) -> str:
    """A sensitive value as `user` may see it: in full, or masked."""
    value = getattr(instance, field_name)
    if not value:
        return ""
    return str(value) if reveals(user, type(instance), field_name) else mask(str(value))
