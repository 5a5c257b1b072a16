"""Every read of the customer archive, already restricted to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import money, person_name
from freightcrm.core.fields import BlindIndexField, field_of
from freightcrm.customers.choices import FINANCE_DOCUMENT_TYPES
from freightcrm.customers.models import Address, Contact, Customer, Document, LogisticsNeed


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    return access.visible(user, Customer.objects.select_related("owner"))


def customer_for(user: Any, *, pk: int | str | None = None, code: str | None = None) -> Customer:
    """One customer the user may see; `Customer.DoesNotExist` otherwise (render it as 404)."""
    lookup = {"pk": pk} if pk is not None else {"code": code}
    try:
        return customers_visible_to(user).get(**lookup)
    except (ValueError, TypeError) as exc:  # a malformed id is simply not found
        raise Customer.DoesNotExist from exc


def customer_by_id_number(user: Any, id_number: str) -> QuerySet[Customer]:
    """Exact look-up of an encrypted resident ID number through its blind index."""
    index = field_of(Customer, "id_number_digest")
    assert isinstance(index, BlindIndexField)
    digest = index.digest(id_number)
    if digest is None:  # nothing that could be an ID number: never match the rows without one
        return Customer.objects.none()
    return customers_visible_to(user).filter(id_number_digest=digest)


def documents_visible_to(user: Any, customer: Customer) -> QuerySet[Document]:
    documents = access.visible(user, Document.objects.filter(customer=customer)).select_related("uploaded_by")
    if not access.may_view_model(user, Document):
        return documents.none()
    if not access.access_for(user).finance:
        documents = documents.exclude(doc_type__in=FINANCE_DOCUMENT_TYPES)
    return documents


def document_for(user: Any, pk: int) -> Document:
    document = Document.objects.select_related("customer").get(pk=pk)
    if not documents_visible_to(user, document.customer).filter(pk=pk).exists():
        raise Document.DoesNotExist
    return document


# --- The customer 360 card (客户资料卡): sections other apps add to -----------------------------


@dataclass(frozen=True)
class CardSection:
    """A block on the customer card: `context(user, customer)` gives the template its data."""

    key: str
    title: Any
    template: str
    context: Callable[[Any, Customer], dict[str, Any]]
    order: int = 100
    visible_to: Callable[[Any], bool] = field(default=lambda user: True)


CARD_SECTIONS: list[CardSection] = []


def register_card_section(section: CardSection) -> None:
    CARD_SECTIONS[:] = sorted(
        [s for s in CARD_SECTIONS if s.key != section.key] + [section], key=lambda s: s.order
    )


def card_sections(user: Any, customer: Customer) -> list[dict[str, Any]]:
    return [
        {"key": s.key, "title": s.title, "template": s.template, **s.context(user, customer)}
        for s in CARD_SECTIONS
        if s.visible_to(user)
    ]


# --- History as a readable timeline ---------------------------------------------------------------

PHONE_FIELDS = {"mobile", "phone"}
HISTORY_MODELS: tuple[type[models.Model], ...] = (Customer, Contact, Address, LogisticsNeed)
ENCRYPTED_DIGESTS = {"id_number_digest": "id_number", "bank_account_digest": "bank_account"}
SKIPPED_IN_HISTORY = {"updated_at", "created_at", "version", "uid"}


def display_value(model: type[models.Model], name: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    field_obj = field_of(model, name)
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal):
        return money(value, 2)
    if name in PHONE_FIELDS:
        from freightcrm.core.validators import display_phone

        return display_phone(value)
    if isinstance(value, list):
        labels = {"cargo_preferences": "CargoType", "preferred_channels": "Channel"}
        if name in labels:
            from freightcrm.customers import choices

            names = dict(getattr(choices, labels[name]).choices)
            return "、".join(str(names.get(v, v)) for v in value)
        return "、".join(map(str, value))
    return str(value)


def _related_text(value: Any) -> str:
    if value is None:
        return "—"
    return person_name(value) if isinstance(value, AbstractUser) else str(value)


def _label(model: type[models.Model], name: str) -> str:
    return str(field_of(model, name).verbose_name)


def customer_history(user: Any, customer: Customer, *, limit: int = 100) -> list[dict[str, Any]]:
    """Who changed what and when, newest first: the customer and its contacts, addresses and needs.

    Encrypted fields appear only as "changed", never with a value. Finance fields are left out for
    users who may not see finance.
    """
    hidden = access.hidden_fields(user, Customer)
    entries: list[dict[str, Any]] = []
    for model in HISTORY_MODELS:
        history = model.history.model  # type: ignore[attr-defined]
        lookup = {"id": customer.pk} if model is Customer else {"customer_id": customer.pk}
        records = list(
            history.objects.filter(**lookup).select_related("history_user").order_by("id", "history_id")
        )
        fields = [
            f.attname if f.is_relation else f.name
            for f in model._meta.concrete_fields
            if f.name not in SKIPPED_IN_HISTORY
            and f.name not in {"id", "customer"}
            and f.name not in hidden
            and f.name in {h.name for h in history._meta.concrete_fields}
        ]
        previous: dict[int, Any] = {}
        for record in records:
            before = previous.get(record.id)
            previous[record.id] = record
            changes = []
            for name in fields:
                new = getattr(record, name)
                old = getattr(before, name) if before is not None else None
                if before is not None and old == new:
                    continue
                if before is None and new in (None, "", [], False):
                    continue
                field_name = name[:-3] if name.endswith("_id") and name != "adcode" else name
                if field_name in ENCRYPTED_DIGESTS:
                    changes.append(
                        (
                            _label(model, ENCRYPTED_DIGESTS[field_name]),
                            "",
                            str(_("changed (encrypted, not shown)")),
                        )
                    )
                    continue
                if field_of(model, field_name).is_relation:
                    old_text = _related_text(getattr(before, field_name)) if before is not None else ""
                    new_text = _related_text(getattr(record, field_name))
                else:
                    old_text = display_value(model, field_name, old) if before is not None else ""
                    new_text = display_value(model, field_name, new)
                changes.append((_label(model, field_name), old_text, new_text))
            kind = {"+": _("created"), "~": _("changed"), "-": _("deleted")}[record.history_type]
            if record.history_type == "~" and not changes:
                continue
            actor = record.history_user
            entries.append(
                {
                    "at": record.history_date,
                    "who": person_name(actor) if actor else _("the system"),
                    "what": model._meta.verbose_name,
                    "object": str(record.instance) if model is not Customer else customer.name,
                    "action": kind,
                    "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                    "changes": changes,
                    "reason": record.history_change_reason or "",
                }
            )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


# --- The archive's six kinds of information, as a user may see them ----------------------------

SENSITIVE_FIELDS = tuple(Customer.sensitive_fields)
# The archive's fields in groups, in the customer form's order: the card, the staff form and the
# export list them from here.
PROFILE_FIELDS = (
    "uscc",
    "legal_representative",
    "registered_capital",
    "founded_on",
    "industry",
    "size",
    "ownership",
    "website",
    "gender",
    "birth_date",
    "id_number",
    "occupation",
    "income_band",
    "mobile",
    "phone",
    "email",
)
CHARACTERISTIC_FIELDS = ("business_scope", "regions_served", "development_potential", "cargo_preferences")
BUSINESS_FIELDS = (
    "main_cargo",
    "annual_volume_tonnes",
    "annual_logistics_spend",
    "competitors",
    "cooperation_since",
)
PREFERENCE_FIELDS = ("preferred_channels", "preferred_contact_time")
ARCHIVE_GROUPS: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (
        _("Basic information"),
        (
            "kind",
            "name",
            "short_name",
            "code",
            "status",
            "owner",
            *PROFILE_FIELDS,
            "province",
            "city",
            "district",
            "adcode",
        ),
    ),
    (_("Characteristics"), CHARACTERISTIC_FIELDS),
    (_("Business status"), BUSINESS_FIELDS),
    (_("Finance and credit"), Customer.finance_fields),
    (_("Contact preferences"), PREFERENCE_FIELDS),
)
ORGANISATION_ONLY = {
    "uscc",
    "legal_representative",
    "registered_capital",
    "founded_on",
    "size",
    "ownership",
    "website",
}
INDIVIDUAL_ONLY = {"gender", "birth_date", "id_number", "occupation", "income_band"}


def shown(user: Any, instance: models.Model, name: str) -> str:
    """One field's value as `user` may see it: labels for choices, masks for sensitive values."""
    from freightcrm.core.validators import display_phone

    model = type(instance)
    if name in getattr(model, "sensitive_fields", {}):
        return access.shown_value(user, instance, name) or "—"
    value = getattr(instance, name)
    if name in PHONE_FIELDS and value:
        return display_phone(value)
    if isinstance(value, AbstractUser):
        return person_name(value)
    return display_value(model, name, value)


def customer_profile(user: Any, customer: Customer) -> list[dict[str, Any]]:
    """The six kinds of information (transactions come from the shipments section) for the card."""
    hidden = access.hidden_fields(user, Customer)
    skip = INDIVIDUAL_ONLY if customer.is_organisation else ORGANISATION_ONLY
    groups = []
    for title, names in ARCHIVE_GROUPS:
        rows = [
            {"label": _label(Customer, name), "value": shown(user, customer, name), "name": name}
            for name in names
            if name not in hidden and name not in skip
        ]
        if rows:
            groups.append({"title": title, "rows": rows})
    return groups


def _contacts(user: Any, customer: Customer) -> dict[str, Any]:
    contacts = access.visible(user, Contact.objects.filter(customer=customer))
    return {
        "rows": [
            {
                "contact": c,
                "role": c.get_role_display(),
                "mobile": shown(user, c, "mobile"),
                "phone": shown(user, c, "phone"),
            }
            for c in contacts
        ]
    }


def _addresses(user: Any, customer: Customer) -> dict[str, Any]:
    return {"rows": list(access.visible(user, Address.objects.filter(customer=customer)))}


def _needs(user: Any, customer: Customer) -> dict[str, Any]:
    return {"rows": list(access.visible(user, LogisticsNeed.objects.filter(customer=customer)))}


def _documents(user: Any, customer: Customer) -> dict[str, Any]:
    return {"rows": list(documents_visible_to(user, customer))}


def _history(user: Any, customer: Customer) -> dict[str, Any]:
    return {"entries": customer_history(user, customer)}


register_card_section(
    CardSection(
        "contacts",
        _("Contacts"),
        "customers/card/contacts.html",
        _contacts,
        10,
        lambda user: access.may_view_model(user, Contact),
    )
)
register_card_section(
    CardSection(
        "addresses",
        _("Addresses"),
        "customers/card/addresses.html",
        _addresses,
        20,
        lambda user: access.may_view_model(user, Address),
    )
)
register_card_section(
    CardSection(
        "needs",
        _("Logistics needs"),
        "customers/card/needs.html",
        _needs,
        30,
        lambda user: access.may_view_model(user, LogisticsNeed),
    )
)
register_card_section(
    CardSection(
        "documents",
        _("Documents"),
        "customers/card/documents.html",
        _documents,
        60,
        lambda user: access.may_view_model(user, Document),
    )
)
register_card_section(CardSection("history", _("History"), "customers/card/history.html", _history, 90))
