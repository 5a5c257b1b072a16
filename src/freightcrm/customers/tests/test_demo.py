"""seed_demo: valid, deterministic, seasonal demo data, near-duplicates with their truth, and the
demo logins; the bulk path (reserved ids, indexes built after the load) on both databases."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, transaction

from freightcrm.core.fields import BlindIndexField, field_of
from freightcrm.core.roles import ROLES
from freightcrm.core.validators import (
    normalise_phone,
    validate_mobile,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)
from freightcrm.customers import demo
from freightcrm.customers.models import Address, Contact, Customer, SearchTerm
from freightcrm.shipments.models import Shipment

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)
VARIATIONS = {
    "typo_homophone",
    "typo_swapped",
    "typo_missing",
    "legal_form",
    "gufen_dropped",
    "city_dropped",
    "city_bracketed",
    "shi_dropped",
    "short_name",
    "same_name",
    "uscc_missing",
    "same_id_number",
    "same_mobile",
    "contact_mobile",
    "landline_neighbour",
    "same_landline",
    "same_contact",
    "address_reordered",
    "address_without_city",
}


def fingerprint() -> list[tuple[str, str, str | None, str, str]]:
    return list(Customer.objects.order_by("code").values_list("code", "name", "uscc", "mobile", "phone"))


def waybills() -> list[tuple[str, str, object]]:
    return list(Shipment.objects.order_by("waybill_no").values_list("waybill_no", "customer__code", "amount"))


def rolled_back(**options: object) -> tuple[list[tuple[str, str, str | None, str, str]], list, list]:
    """Generate, read what was made, and roll it all back."""
    with transaction.atomic():
        counts = demo.generate(seed=11, today=TODAY, **options)  # type: ignore[arg-type]
        made = fingerprint(), waybills(), counts.truth
        transaction.set_rollback(True)
    return made


def test_same_seed_gives_the_same_archive():
    # given the archive generated once and rolled back
    first, first_waybills, _truth = rolled_back(customers=40)
    # when generated again with the same seed
    demo.generate(customers=40, seed=11, today=TODAY)
    # then it is the same
    assert fingerprint() == first and len(first) == 40
    assert waybills() == first_waybills and first_waybills


def test_the_archive_does_not_depend_on_batch_size_or_worker_processes():
    # given small name windows, so that several windows and batches are involved
    options = {"customers": 90, "duplicates": 0.15, "name_window": 25}
    # when generated in small batches here, and in big batches by two forked workers
    alone = rolled_back(batch_size=7, workers=0, **options)
    forked = rolled_back(batch_size=1_000, workers=2, **options)
    # then customers, shipments and planted duplicates are the same
    assert alone == forked
    assert len(alone[0]) == 90 and alone[1] and alone[2]


def test_generated_customers_pass_the_archive_rules():
    counts = demo.generate(customers=120, seed=3, today=TODAY)
    assert counts.customers == 120 and counts.shipments > 0 and counts.history == 120
    customers = list(Customer.objects.all())
    kinds = Counter(c.kind for c in customers)
    assert kinds["E"] > kinds["P"] > 0
    for customer in customers:
        customer.full_clean(exclude=["code"])
        if customer.uscc:
            validate_uscc(customer.uscc)
        if customer.id_number:  # reading decrypts: the ciphertext is bound to this row
            validate_resident_id(customer.id_number)
        if customer.mobile:
            validate_mobile(customer.mobile)
            assert normalise_phone(customer.mobile) == customer.mobile  # stored as services store it
        if customer.phone:
            validate_phone(customer.phone)
            assert normalise_phone(customer.phone) == customer.phone
    assert len({c.code for c in customers}) == 120
    assert len({c.uscc for c in customers if c.uscc}) == sum(1 for c in customers if c.uscc)
    for contact in Contact.objects.all()[:200]:
        contact.full_clean()
    # every organisation with contacts has exactly one primary contact
    primaries = Counter(Contact.objects.filter(is_primary=True).values_list("customer_id", flat=True))
    assert set(primaries.values()) == {1}
    assert Address.objects.filter(is_primary=True).count() == 120


def test_encrypted_values_are_stored_as_the_model_field_stores_them():
    demo.generate(customers=60, seed=4, today=TODAY)
    digest_field = field_of(Customer, "id_number_digest")
    assert isinstance(digest_field, BlindIndexField)
    people = Customer.objects.exclude(id_number_digest=None)
    assert people.exists()
    for person in people:
        # the blind index finds the plaintext the ciphertext decrypts to
        assert person.id_number_digest == digest_field.digest(person.id_number)
    banked = Customer.objects.exclude(bank_account_digest=None).first()
    assert banked is not None and banked.bank_account.isdigit()


def test_each_customer_has_one_history_row_from_the_seed():
    demo.generate(customers=30, seed=6, today=TODAY)
    history = Customer.history.model.objects.all()
    assert history.count() == 30
    assert set(history.values_list("history_change_reason", "history_type")) == {(demo.HISTORY_REASON, "+")}
    assert {row.code for row in history} == set(Customer.objects.values_list("code", flat=True))


def test_shipments_dip_at_spring_festival_and_peak_at_double_eleven():
    demo.generate(customers=300, seed=5, today=TODAY)
    by_month = Counter(
        (booked.year, booked.month) for booked in Shipment.objects.values_list("booked_at", flat=True)
    )
    assert by_month[(2026, 2)] < 0.7 * by_month[(2026, 4)]
    assert by_month[(2025, 11)] > by_month[(2025, 9)]
    for shipment in Shipment.objects.exclude(delivered_at=None)[:500]:
        assert shipment.delivered_at >= shipment.booked_at
        shipment.full_clean()


def test_near_duplicates_resemble_their_originals_as_the_truth_says():
    counts = demo.generate(customers=200, seed=8, today=TODAY, duplicates=0.2)
    assert 15 <= counts.duplicates == len(counts.truth) <= 60
    by_code = {customer.code: customer for customer in Customer.objects.all()}
    seen: set[str] = set()
    for duplicate_code, original_code, variations in counts.truth:
        duplicate, original = by_code[duplicate_code], by_code[original_code]
        kinds = set(variations.split(";"))
        seen |= kinds
        assert kinds and kinds <= VARIATIONS
        assert duplicate.pk > original.pk and duplicate.kind == original.kind
        assert duplicate.adcode == original.adcode  # same place, so the same code prefix
        if original.is_organisation:
            assert duplicate.uscc is None  # a USCC is unique: the duplicate was filed without one
            assert duplicate.legal_representative == original.legal_representative
        if "same_mobile" in kinds:
            assert duplicate.mobile == original.mobile
        if "contact_mobile" in kinds:
            assert duplicate.mobile == original.contacts.get(is_primary=True).mobile
        if "landline_neighbour" in kinds:
            assert duplicate.phone[:-1] == original.phone[:-1] != "" and duplicate.phone != original.phone
        if "same_id_number" in kinds:
            assert duplicate.id_number_digest == original.id_number_digest
        if "same_contact" in kinds:
            assert duplicate.contacts.get(is_primary=True).name == original.contacts.get(is_primary=True).name
        if "legal_form" in kinds and "typo" not in variations:
            assert {duplicate.name, original.name} == {
                original.name.removesuffix("有限责任公司").removesuffix("有限公司") + form
                for form in ("有限公司", "有限责任公司")
            }
        if kinds & {"same_name"}:
            assert duplicate.name == original.name
        if not kinds & {"same_name", "short_name"}:
            assert duplicate.name != original.name
    assert len(seen) >= 8  # the variations are mixed


def test_phone_numbers_are_stored_in_the_archive_format():
    generator = demo.DemoGenerator(seed=1, today=TODAY, vendor="sqlite")
    rng = generator.rng_for(0)
    for _ in range(300):
        number = demo.mobile(rng)
        validate_mobile(number)
        assert normalise_phone(number) == number
    for city in demo.CITIES:
        number = demo.landline(rng, city)
        validate_phone(number)
        assert normalise_phone(number) == number


def test_reserved_customer_ids_are_not_handed_out_again():
    # given a block of ids reserved for a load
    first = demo.reserve_ids(Customer, 50)
    # when someone files a customer meanwhile, with an id from the database
    later = Customer.objects.create(code="E-310115-999999", kind="E", name="上海测试物流有限公司")
    # then its id comes after the reserved block
    assert later.pk >= first + 50


def _indexes() -> set[tuple[str, str]]:
    found = set()
    with connection.cursor() as cursor:
        for model in demo.SEEDED_MODELS:
            table = model._meta.db_table
            constraints = connection.introspection.get_constraints(cursor, table)
            found |= {(table, name) for name in constraints}
    return found


def test_a_big_load_builds_the_indexes_again_after_it():
    # given the indexes and constraints of the empty archive
    before = _indexes()
    # when a load drops them and builds them once at the end
    counts = demo.generate(customers=40, seed=9, today=TODAY, build_indexes_after=True)
    # then they are all back, and the data is there
    assert _indexes() == before
    assert Customer.objects.count() == 40 and Shipment.objects.count() == counts.shipments > 0


def test_a_big_load_refuses_to_drop_indexes_of_tables_with_data():
    demo.generate(customers=2, seed=1, today=TODAY)
    with pytest.raises(ValueError, match="empty tables"):
        demo.generate(customers=2, seed=1, today=TODAY, first_index=2, build_indexes_after=True)


def test_command_writes_the_truth_file_and_builds_the_search_index(tmp_path: Path, capsys):
    truth = tmp_path / "truth.csv"
    call_command(
        "seed_demo", customers=60, seed=3, today=TODAY, duplicates=0.2, truth=truth, no_progress=True
    )
    rows = list(csv.reader(truth.open(encoding="utf-8")))
    assert rows[0] == ["duplicate_code", "original_code", "variations"]
    codes = set(Customer.objects.values_list("code", flat=True))
    assert rows[1:] and all(duplicate in codes and original in codes for duplicate, original, _ in rows[1:])
    assert SearchTerm.objects.values("customer_id").distinct().count() == 60
    assert "near-duplicates" in capsys.readouterr().out


def test_command_with_users_prints_logins_and_is_idempotent_with_if_empty(capsys):
    call_command(
        "seed_demo", customers=15, seed=2, today=TODAY, with_users=True, if_empty=True, no_progress=True
    )
    out = capsys.readouterr().out
    for role in ROLES:
        assert User.objects.get(username=role.slug).groups.filter(name=role.slug).exists()
        assert role.slug in out
    assert "Freight-demo-2026" in out
    assert User.objects.get(username="admin").is_superuser
    owners = set(Customer.objects.exclude(owner=None).values_list("owner__username", flat=True))
    assert owners <= {"account_manager", "account_manager2"} and owners
    call_command(
        "seed_demo", customers=15, seed=2, today=TODAY, with_users=True, if_empty=True, no_progress=True
    )
    assert Customer.objects.count() == 15
