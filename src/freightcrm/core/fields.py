"""Model fields for protection at rest: an AES-GCM encrypted text field and its HMAC blind index.

The encrypted field keeps the plaintext out of the database: it encrypts in `pre_save`, with the
table, the row's stable key (a UUID known before the first insert) and the field name as associated
data. Loaded values stay sealed until read; reading decrypts or raises `DecryptionError`.
Filtering on the encrypted column is refused: look values up through the blind index instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from freightcrm.core import crypto
from freightcrm.core.validators import to_half_width

NORMALISERS: dict[str, Callable[[str], str]] = {
    "upper_alnum": lambda value: re.sub(r"[^0-9A-Za-z]", "", to_half_width(value)).upper(),
    "digits": lambda value: re.sub(r"[^0-9]", "", to_half_width(value)),
}


def field_of(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """A model's own field by name (not a reverse relation), typed for the checker."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field), f"{model.__name__}.{name} is not a field"
    return found


class Sealed:
    """A ciphertext as loaded from the database; it never prints as data."""

    __slots__ = ("ciphertext",)

    def __init__(self, ciphertext: str) -> None:
        self.ciphertext = ciphertext

    def __str__(self) -> str:
        return str(_("[encrypted]"))

    def __repr__(self) -> str:
        return "<Sealed>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.ciphertext == self.ciphertext

    def __hash__(self) -> int:
        return hash(self.ciphertext)


class _DecryptingAttribute:
    """Replaces the field's attribute: decrypts a sealed value on first read, keeps plaintext after."""

    def __init__(self, field: EncryptedTextField) -> None:
        self.field = field

    def __get__(self, instance: models.Model | None, owner: type) -> Any:
        if instance is None:
            return self
        attname = self.field.attname
        if attname not in instance.__dict__:
            instance.refresh_from_db(fields=[attname])
        value = instance.__dict__[attname]
        if isinstance(value, Sealed):
            value = crypto.decrypt(value.ciphertext, context=self.field.context(instance))
            instance.__dict__[attname] = value
        return value

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. `row_key` names a field whose value is fixed before the first save."""

    def __init__(self, *args: Any, row_key: str = "uid", **kwargs: Any) -> None:
        self.row_key = row_key
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["row_key"] = self.row_key
        return name, path, args, kwargs

    def contribute_to_class(self, cls: type[models.Model], name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only)
        setattr(cls, self.attname, _DecryptingAttribute(self))

    def context(self, instance: models.Model) -> bytes:
        row = getattr(instance, self.row_key)
        if row in (None, ""):
            raise crypto.DecryptionError(
                f"{type(instance).__name__}.{self.row_key} must be set before encrypting"
            )
        return crypto.associated_data(instance._meta.db_table, str(row), self.name)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Sealed | None:
        return Sealed(value) if value else None

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = model_instance.__dict__.get(self.attname)
        if isinstance(value, Sealed):
            return value.ciphertext  # unchanged since it was loaded: no key needed to keep it
        if value in (None, ""):
            return None
        return crypto.encrypt(str(value), context=self.context(model_instance))

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.ciphertext
        if isinstance(value, str) and value.startswith(f"{crypto.PREFIX}:"):
            return value
        raise TypeError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be compared to plaintext; "
            "use its blind index"
        )

    def value_to_string(self, obj: models.Model) -> str:
        return str(_("[encrypted]"))

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"widget": forms.TextInput(attrs={"autocomplete": "off"}), **kwargs})


class PhoneFormField(forms.CharField):
    """Shows a stored E.164 number the way people write it (`138 0013 8000`, `021 6888 8888`)."""

    def prepare_value(self, value: Any) -> Any:
        from freightcrm.core.validators import display_phone

        return display_phone(value) if isinstance(value, str) and value.startswith("+") else value


class PhoneField(models.CharField):
    """A telephone number as `validators.normalise_phone` writes it; E.164 numbers abroad are shown
    spaced in forms."""

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})


class BlindIndexField(models.CharField):
    """HMAC-SHA256 of the normalised plaintext of `source`, for exact look-up of encrypted values."""

    def __init__(self, *args: Any, source: str = "", normaliser: str = "upper_alnum", **kwargs: Any) -> None:
        self.source = source
        self.normaliser = normaliser
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["normaliser"] = self.normaliser
        for key, default in (("max_length", 64), ("null", True), ("blank", True), ("editable", False)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        kwargs.pop("db_index", None)
        if not getattr(self, "db_index", True):
            kwargs["db_index"] = False
        return name, path, args, kwargs

    def purpose(self) -> str:
        return f"{self.model._meta.label_lower}.{self.source}"

    def digest(self, plaintext: str) -> str | None:
        normalised = NORMALISERS[self.normaliser](plaintext)
        return crypto.blind_index(normalised, purpose=self.purpose()) if normalised else None

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        try:
            source_field = field_of(type(model_instance), self.source)
        except FieldDoesNotExist:  # a copy without the source (history): keep the digest as given
            return getattr(model_instance, self.attname)
        raw = model_instance.__dict__.get(source_field.attname)
        if isinstance(raw, Sealed):
            return getattr(model_instance, self.attname)  # source unchanged: keep the stored digest
        digest = self.digest(raw) if raw else None
        setattr(model_instance, self.attname, digest)
        return digest
