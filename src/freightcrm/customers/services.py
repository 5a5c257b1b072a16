"""Every write to the customer archive.

This app owns customers and their contacts, addresses, logistics needs, documents, tags and
shares. Each service checks the actor's permission (`core.access`), validates (`full_clean`),
saves in one transaction and records history with the actor (django-simple-history). A stale
edit (the `version` moved on) is refused with `StaleEdit`; bad input raises `ValidationError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.errors import PermissionDeniedError, StaleEdit
from freightcrm.core.fields import field_of
from freightcrm.core.models import allocate_numbers
from freightcrm.core.regions import ParsedAddress, parse_address
from freightcrm.customers.choices import AddressKind, CustomerKind
from freightcrm.customers.models import (
    Address,
    Contact,
    Customer,
    CustomerShare,
    Document,
    LogisticsNeed,
    Tag,
)
from freightcrm.customers.search import reindex_customers

CustomerPart = Contact | Address | LogisticsNeed | Document
NO_REGION = "000000"
SEARCHED_FIELDS = frozenset({"name", "short_name", "uscc", "mobile", "phone"})  # see search.terms_for
# Changes to these by anyone who may not review (审核) wait for a records clerk (intake.review).
KEY_FIELDS = ("name", "uscc", "bank_account", "owner")
REVIEW_PERMISSION = "intake.review_submission"


def customer_code_prefix(kind: str, adcode: str) -> str:
    return f"{kind}-{adcode or NO_REGION}"


def format_customer_code(prefix: str, number: int) -> str:
    """`E-310115-000123`: kind, region (district code), sequence within that kind and region."""
    return f"{prefix}-{number:06d}"


def _with_history(instance: models.Model, actor: Any, reason: str = "") -> None:
    instance._history_user = actor  # type: ignore[attr-defined]
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]


def apply_address(address: Address, parsed: ParsedAddress | None = None) -> None:
    """Fill the address's region and street from its text (`parsed`: already parsed, e.g. in bulk)."""
    parsed = parsed or parse_address(address.text)
    address.province, address.city, address.district = parsed.province, parsed.city, parsed.district
    address.adcode = parsed.adcode
    address.detail = parsed.detail or address.text


def copy_region(customer: Customer, address: Address) -> None:
    customer.province, customer.city = address.province, address.city
    customer.district, customer.adcode = address.district, address.adcode


@transaction.atomic
def customer_create(
    *,
    actor: User,
    customer: Customer | None = None,
    address: str = "",
    tags: Iterable[Tag] = (),
    reason: str = "",
    **fields: Any,
) -> Customer:
    """File a new customer. `address`, when given, becomes the primary address and sets the region.

    A prepared but unsaved `customer` (from a form) may be passed instead of, or with, `fields`.
    Without the right to assign owners, the actor becomes the owner.
    """
    customer = customer or Customer()
    for name, value in fields.items():
        setattr(customer, name, value)
    if customer.owner_id is None and not access.access_for(actor).assign_owner:
        customer.owner = actor
    customer.created_by = actor
    access.require_change(actor, customer, [f.name for f in Customer._meta.concrete_fields], creating=True)

    primary: Address | None = None
    if address.strip():
        kind = AddressKind.HOME if customer.kind == CustomerKind.INDIVIDUAL else AddressKind.REGISTERED
        primary = Address(kind=kind, text=address.strip(), is_primary=True)
        apply_address(primary)
        copy_region(customer, primary)
    customer.code = "pending"  # a placeholder so validation passes; the real code is set below
    customer.full_clean(exclude=["code"])
    prefix = customer_code_prefix(customer.kind, customer.adcode)
    customer.code = format_customer_code(prefix, allocate_numbers(prefix)[0])
    _with_history(customer, actor, reason)
    customer.save()
    if primary is not None:
        primary.customer = customer
        primary.full_clean()
        _with_history(primary, actor, reason)
        primary.save()
    if tags:
        customer.tags.set(tags)
    reindex_customers([customer.pk])
    return customer


def _last_editor(customer: Customer) -> tuple[str, str]:
    record = customer.history.select_related("history_user").first()
    if record is None:
        return "?", "?"
    user = record.history_user
    who = person_name(user) if user else str(_("the system"))
    return who, date_format(timezone.localtime(record.history_date), "DATETIME_FORMAT")


def _changed_fields(instance: models.Model, original: models.Model) -> list[str]:
    changed = []
    for field in type(instance)._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(instance, field.attname) != getattr(original, field.attname):
            changed.append(field.name)
    return changed


def _held_for_review(actor: User, changed: list[str], approving: bool) -> list[str]:
    """The key fields among `changed` that go to review instead of being saved now."""
    if approving or access.access_for(actor).has(REVIEW_PERMISSION):
        return []
    return [name for name in changed if name in KEY_FIELDS]


@transaction.atomic
def customer_update(
    *,
    actor: User,
    customer: Customer,
    version: int,
    reason: str = "",
    touch: bool = False,
    approving: bool = False,
    **changes: Any,
) -> Customer:
    """Change a customer the actor began editing at `version`.

    Refuses with `StaleEdit` if someone saved in between, and with `PermissionDeniedError` if the
    actor may not see the customer or change one of the fields. `touch` bumps the version even
    when no field of the customer itself changed (its contacts or addresses did).

    Key fields (`KEY_FIELDS`) changed by someone who may not review are not saved: they become a
    review item (`intake.review.propose_changes`) and are named in the returned customer's
    `held_for_review`; the other fields are saved as usual. `approving` is the review queue applying
    an approved item: the reviewer's permission to review replaces the field checks, which were
    made when the change was proposed.
    """
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    if not access.can_see(actor, current):
        raise PermissionDeniedError(_("You may not change this record."))
    if current.version != version:
        who, when = _last_editor(current)
        raise StaleEdit(current_version=current.version, by=who, at=when)
    for name, value in changes.items():
        if name in {"code", "uid", "version", "id", "created_by", "review_state"}:
            raise ValidationError({name: _("This field cannot be changed.")})
        setattr(customer, name, value)
    changed = _changed_fields(customer, current)
    if approving:
        access.require_permission(actor, REVIEW_PERMISSION, current)
    else:
        access.require_change(actor, current, changed)
    held: dict[str, Any] = {}
    for name in _held_for_review(actor, changed, approving):
        held[name] = getattr(customer, name)
        attname = field_of(Customer, name).attname
        setattr(customer, attname, getattr(current, attname))
    customer.full_clean(exclude=["code"])
    changed = _changed_fields(customer, current)  # normalisation may have undone a change
    if not changed:
        if touch:
            Customer.objects.filter(pk=customer.pk).update(
                version=F("version") + 1, updated_at=timezone.now()
            )
            customer.version = current.version + 1
    else:
        customer.version = current.version + 1
        _with_history(customer, actor, reason)
        customer.save()
        if SEARCHED_FIELDS.intersection(changed):
            reindex_customers([customer.pk])
    customer.held_for_review = ()
    if held:
        from freightcrm.intake.choices import Source  # intake builds on customers, not the reverse
        from freightcrm.intake.review import propose_changes

        submission = propose_changes(
            actor=actor, customer=customer, changes=held, source=Source.STAFF, note=reason
        )
        customer.held_for_review = tuple(submission.changed_fields) if submission else ()
    return customer


@transaction.atomic
def customer_set_review_state(*, actor: User, customer: Customer, state: str, reason: str) -> Customer:
    """Let a customer filed for review into the archive (approved) or keep it out (rejected).

    Only the review queue calls this (`intake.review`), which checks the reviewer's permission; it
    is here because every write to a customer records its history in this module.
    """
    current = Customer.objects.select_for_update().get(pk=customer.pk)
    current.review_state = state
    current.version += 1
    _with_history(current, actor, reason)
    current.save(update_fields=["review_state", "version", "updated_at"])
    reindex_customers([current.pk])  # the index holds approved customers only
    return current


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer, reason: str = "") -> None:
    """Remove a customer filed by mistake. Customers with shipments cannot be deleted (set them to
    lost or dormant instead): the database protects the shipments, and this says so clearly."""
    refused = _("You may not delete this record.")
    access.require_permission(actor, "customers.delete_customer", customer, refused=refused, hidden=refused)
    try:
        _with_history(customer, actor, reason)
        with transaction.atomic():
            customer.delete()
    except models.ProtectedError as exc:
        raise ValidationError(
            _("%(name)s has shipments and cannot be deleted; set its status to lost instead.")
            % {"name": customer.name},
            code="protected",
        ) from exc


@transaction.atomic
def customer_set_tags(*, actor: User, customer: Customer, tags: Iterable[Tag]) -> None:
    if not access.may_change_something(actor, Customer) or not access.can_see(actor, customer):
        raise PermissionDeniedError(_("You may not change this record."))
    access.require_change(actor, customer, ["tags"])
    customer.tags.set(list(tags))


def _check_document(document: Document) -> None:
    upload = document.file
    if not upload:
        raise ValidationError({"file": _("Choose a file to upload.")})
    name = getattr(upload, "name", "") or ""
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not document.pk or not document.original_name:
        if suffix not in Document.ALLOWED_SUFFIXES:
            raise ValidationError(
                {
                    "file": _("Files of type “%(suffix)s” cannot be filed. Allowed: %(allowed)s.")
                    % {"suffix": suffix or "?", "allowed": " ".join(Document.ALLOWED_SUFFIXES)}
                }
            )
        size = upload.size or 0
        if size == 0:
            raise ValidationError({"file": _("The file is empty; choose the right file.")})
        if size > settings.FREIGHTCRM_MAX_DOCUMENT_BYTES:
            raise ValidationError(
                {
                    "file": _(
                        "The file is %(size).1f MB; the limit is %(limit).1f MB. Scan at a lower resolution."
                    )
                    % {"size": size / 2**20, "limit": settings.FREIGHTCRM_MAX_DOCUMENT_BYTES / 2**20}
                }
            )
        document.original_name = name.rsplit("/", 1)[-1][:255]
        document.size = size


@transaction.atomic
def customer_part_save(*, actor: User, part: CustomerPart, reason: str = "") -> CustomerPart:
    """Create or change a contact, address, logistics need or document of a customer."""
    model = type(part)
    creating = part.pk is None
    if creating:
        changed = [f.name for f in model._meta.concrete_fields]
    else:
        original = model._default_manager.select_for_update().get(pk=part.pk)
        changed = _changed_fields(part, original)
        if not changed:
            return part
    access.require_change(actor, part, changed, creating=creating)
    if isinstance(part, Address):
        apply_address(part)
    if isinstance(part, Document):
        _check_document(part)
        if creating:
            part.uploaded_by = actor
    if not creating and isinstance(part, Contact) and isinstance(original, Contact):
        # The row is locked (select_for_update above), so this is the next version; an F() expression
        # here would reach the history row, which is inserted, not updated, and refuses it.
        part.version = original.version + 1
    primary = isinstance(part, Contact | Address) and part.is_primary
    if isinstance(part, Contact | Address) and part.is_primary:
        # Making one contact or address primary demotes the previous one, with history.
        siblings = type(part)._default_manager.filter(customer_id=part.customer_id, is_primary=True)
        for other in siblings.exclude(pk=part.pk):
            other.is_primary = False
            _with_history(other, actor, reason)
            other.save(update_fields=["is_primary", "updated_at"])
    part.full_clean(exclude=["version"])
    _with_history(part, actor, reason)
    part.save()
    if isinstance(part, Contact):
        reindex_customers([part.customer_id])
    if isinstance(part, Address) and primary:
        customer = part.customer
        copy_region(customer, part)
        Customer.objects.filter(pk=customer.pk).update(
            province=part.province, city=part.city, district=part.district, adcode=part.adcode
        )
    return part


@transaction.atomic
def customer_part_delete(*, actor: User, part: CustomerPart, reason: str = "") -> None:
    opts = type(part)._meta
    refused = _("You may not delete this record.")
    access.require_permission(
        actor, f"{opts.app_label}.delete_{opts.model_name}", part, refused=refused, hidden=refused
    )
    _with_history(part, actor, reason)
    part.delete()
    if isinstance(part, Contact):
        reindex_customers([part.customer_id])


@transaction.atomic
def customer_share_grant(*, actor: User, customer: Customer, user: User, reason: str = "") -> CustomerShare:
    refused = _("You may not share this customer.")
    access.require_permission(actor, "customers.add_customershare", customer, refused=refused, hidden=refused)
    share, _created = CustomerShare.objects.get_or_create(
        customer=customer, user=user, defaults={"granted_by": actor, "reason": reason}
    )
    return share


@transaction.atomic
def customer_share_revoke(*, actor: User, share: CustomerShare) -> None:
    refused = _("You may not change who this customer is shared with.")
    access.require_permission(
        actor, "customers.delete_customershare", share.customer, refused=refused, hidden=refused
    )
    share.delete()
