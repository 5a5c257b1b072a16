"""The import's lean per-row path (core.bulk.InstanceFactory + FieldCleaner + the model's clean)
against Django's own (`Model(**values)` + `full_clean`): the same rows accepted and refused, with the
same errors per field and the same normalised values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from freightcrm.core.bulk import FieldCleaner, InstanceFactory
from freightcrm.customers import choices
from freightcrm.customers.models import Contact, Customer

EXCLUDE = ["code", "owner", "created_by"]
CUSTOMER = InstanceFactory(Customer)
CLEANER = FieldCleaner(Customer, exclude=EXCLUDE)  # one for all examples: the memo sees repeats

VALID_USCC = ["91310000MA1FL8KQ30", "12100000400000398N", "91110108551385082Q"]
VALID_IDS = ["11010519491231002X", "440524188001010014"]


def _pick(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from(values)


rows = st.fixed_dictionaries(
    {"kind": _pick([*choices.CustomerKind.values, "", "Z"])},
    optional={
        "name": _pick(["深圳海方电商科技有限公司", "  上海　物流  ", "", "x" * 201, "ＡＢＣ公司"]),
        "short_name": _pick(["海方", "", "y" * 61]),
        "status": _pick([*choices.Status.values, "nope"]),
        "uscc": _pick([*VALID_USCC, "91310000MA1FL8KQ31", "９１３１００００ＭＡ１ＦＬ８ＫＱ３０", "123", ""]),
        "id_number": _pick([*VALID_IDS, "110105194912310021", "12345", ""]),
        "mobile": _pick(["13812345678", "138 1234 5678", "021-68888888", "12345", "+85291234567", ""]),
        "phone": _pick(["0755-34727882", "400-812-3123", "13812345678", "999", ""]),
        "email": _pick(["Sales@Example.COM ", "not-an-email", ""]),
        "registered_capital": _pick(
            [Decimal("45900"), Decimal("1.50"), Decimal("-1"), Decimal("1e20"), None]
        ),
        "founded_on": _pick([dt.date(2022, 1, 11), dt.date(1800, 1, 1), dt.date(2999, 1, 1), None]),
        "birth_date": _pick([dt.date(1949, 12, 31), dt.date(1990, 5, 5), None]),
        "gender": _pick([*choices.Gender.values, "x", ""]),
        "industry": _pick([*choices.Industry.values[:3], "nope", ""]),
        "payment_terms": _pick([*choices.PaymentTerms.values, ""]),
        "payment_days": _pick([None, 0, 30, 400]),
        "credit_limit": _pick([None, Decimal("0"), Decimal("1000.00"), Decimal("-5")]),
        "website": _pick(["https://example.com", "not a url", ""]),
    },
)


def _outcome(customer: Customer, clean_fields: Any) -> tuple[dict[str, list[str]], dict[str, Any]]:
    errors: dict[str, list[str]] = {}
    for step in (clean_fields, customer.clean):
        try:
            step()
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                errors.setdefault(name, []).extend(problems)
    values = {
        model_field.attname: customer.__dict__.get(model_field.attname)
        for model_field in Customer._meta.concrete_fields
        if model_field.attname not in {"uid", "id_number_digest", "bank_account_digest"}
    }
    return errors, values


@given(rows)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_the_lean_path_agrees_with_full_clean(values):
    # given the same row built both ways
    ordinary = Customer(**values)
    lean = CUSTOMER(**values)
    # when each is checked its own way
    expected = _outcome(ordinary, lambda: ordinary.clean_fields(exclude=EXCLUDE))
    got = _outcome(lean, lambda: CLEANER.clean(lean))
    # then the errors and the normalised values are the same
    assert got == expected


def test_the_factory_gives_each_instance_its_own_callable_defaults():
    first, second = CUSTOMER(name="甲"), CUSTOMER(name="乙")
    assert first.uid != second.uid
    assert first.cargo_preferences is not second.cargo_preferences
    assert first._state is not second._state and first._state.adding


def test_a_field_whose_values_never_repeat_stops_being_remembered():
    cleaner = FieldCleaner(Contact, exclude=["customer", "version"])
    position = [model_field.name for model_field in cleaner.fields].index("name")
    for number in range(2_100):
        cleaner.clean(Contact(name=f"联系人{number}", title="经理", mobile="13812345678"))
    assert cleaner.memos[position] is None
    assert cleaner.memos[[f.name for f in cleaner.fields].index("title")] is not None


@pytest.mark.django_db
def test_sqlite_bulk_settings_hold_for_the_block_and_are_undone_after():
    from django.db import connection

    from freightcrm.core.bulk import sqlite_bulk_settings

    def read() -> tuple[int, int] | None:
        if connection.vendor != "sqlite":
            return None
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA wal_autocheckpoint")
            return cache, cursor.fetchone()[0]

    before = read()
    with pytest.raises(RuntimeError), sqlite_bulk_settings(cache_kib=8192, checkpoint_pages=5000):
        if before is not None:
            assert read() == (-8192, 5000)
        raise RuntimeError("a failed batch")
    assert read() == before
