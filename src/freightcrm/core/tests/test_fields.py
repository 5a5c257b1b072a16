"""Encrypted model fields and blind indexes on the real Customer model (core.fields).

Runs on SQLite and PostgreSQL alike: raw column values are read with plain SQL through the
connection, so what is checked is what the database holds.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection, transaction

from freightcrm.core import crypto
from freightcrm.core.fields import Sealed, field_of
from freightcrm.core.tests.conftest import configure_keys, new_key
from freightcrm.customers.choices import CustomerKind
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import customer_by_id_number
from freightcrm.customers.services import customer_create, customer_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("keys")]

ID_NUMBER = "11010519491231002X"  # 北京市朝阳区, born 1949-12-31, female
OTHER_ID_NUMBER = "310101199001011234"  # 上海市黄浦区, born 1990-01-01, male
BANK_ACCOUNT = "6222 0212 3456 7890 128"
BANK_ACCOUNT_DIGITS = BANK_ACCOUNT.replace(" ", "")
SRC_DIR = Path(__file__).resolve().parents[3]


def create_individual(actor, **fields) -> Customer:
    values = {
        "kind": CustomerKind.INDIVIDUAL,
        "name": "王秀英",
        "mobile": "13800138000",
        "id_number": ID_NUMBER,
        "bank_name": "中国工商银行北京朝阳支行",
        "bank_account": BANK_ACCOUNT,
        **fields,
    }
    return customer_create(actor=actor, **values)


def create_second(actor) -> Customer:
    return create_individual(
        actor,
        name="李建国",
        mobile="13912345678",
        id_number=OTHER_ID_NUMBER,
        bank_account="6217 0000 1111 2222",
    )


def raw_row(pk: int) -> tuple[str | None, str | None, str | None]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, bank_account, id_number_digest FROM customers_customer WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def set_raw(pk: int, column: str, value: str) -> None:
    assert column in {"id_number", "bank_account"}
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE customers_customer SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_columns_hold_only_ciphertext(superuser):
    customer = create_individual(superuser)

    id_number, bank_account, digest = raw_row(customer.pk)

    for stored in (id_number, bank_account):
        assert stored.startswith("fc1:k1:")
        for plaintext in (
            ID_NUMBER,
            ID_NUMBER[:17],
            "19491231",
            BANK_ACCOUNT,
            BANK_ACCOUNT_DIGITS,
            "7890128",
        ):
            assert plaintext not in stored
    assert ID_NUMBER not in digest and len(digest) == 64


def test_loaded_values_stay_sealed_until_read(superuser):
    # given
    customer = create_individual(superuser)

    # when
    loaded = Customer.objects.get(pk=customer.pk)

    # then: before access the value is a Sealed that never prints its ciphertext
    sealed = loaded.__dict__["id_number"]
    assert isinstance(sealed, Sealed)
    assert sealed.ciphertext == raw_row(customer.pk)[0]
    for shown in (str(sealed), repr(sealed), f"{sealed}"):
        assert "fc1" not in shown and sealed.ciphertext not in shown and ID_NUMBER not in shown
    assert field_of(Customer, "id_number").value_to_string(loaded) == str(sealed)

    # then: attribute access decrypts (the bank account as normalised on input)
    assert loaded.id_number == ID_NUMBER
    assert loaded.bank_account == BANK_ACCOUNT
    assert loaded.__dict__["id_number"] == ID_NUMBER


def test_values_list_gives_sealed_values(superuser):
    create_individual(superuser)

    (value,) = Customer.objects.values_list("id_number", flat=True)

    assert isinstance(value, Sealed)


def test_empty_values_are_stored_as_null(superuser):
    customer = create_individual(superuser, id_number="", bank_account="")

    assert raw_row(customer.pk) == (None, None, None)
    assert Customer.objects.get(pk=customer.pk).id_number is None


def test_ciphertext_copied_to_another_row_does_not_decrypt(superuser):
    # given: two customers, and A's ciphertext copied into B's row
    first = create_individual(superuser)
    second = create_second(superuser)
    set_raw(second.pk, "id_number", raw_row(first.pk)[0])

    # when / then: B's value is bound to B's row key and fails; A's still reads
    with pytest.raises(crypto.DecryptionError):
        Customer.objects.get(pk=second.pk).id_number  # noqa: B018
    assert Customer.objects.get(pk=first.pk).id_number == ID_NUMBER


def test_ciphertext_copied_to_another_field_does_not_decrypt(superuser):
    customer = create_individual(superuser)
    set_raw(customer.pk, "bank_account", raw_row(customer.pk)[0])

    loaded = Customer.objects.get(pk=customer.pk)

    with pytest.raises(crypto.DecryptionError):
        loaded.bank_account  # noqa: B018
    assert loaded.id_number == ID_NUMBER


@pytest.mark.parametrize("key_id", ["k1", "k2"], ids=["same-id-other-key", "other-id"])
def test_other_keys_fail_closed(superuser, keys, key_id):
    # given: a customer written under k1
    customer = create_individual(superuser)

    # when: the configured keys are replaced by others
    configure_keys(keys, f"{key_id}:{new_key()}")

    # then: reading raises, it never hands back the ciphertext
    loaded = Customer.objects.get(pk=customer.pk)
    with pytest.raises(crypto.DecryptionError) as caught:
        loaded.id_number  # noqa: B018
    assert "fc1:" not in str(caught.value)
    assert isinstance(loaded.__dict__["id_number"], Sealed)


@pytest.mark.parametrize(
    "query",
    [
        lambda: Customer.objects.filter(id_number=ID_NUMBER),
        lambda: Customer.objects.filter(id_number__exact=ID_NUMBER),
        lambda: Customer.objects.exclude(bank_account=BANK_ACCOUNT),
        lambda: Customer.objects.filter(id_number__in=[ID_NUMBER]),
    ],
    ids=["filter", "exact", "exclude", "in"],
)
def test_lookups_with_plaintext_are_refused(superuser, query):
    create_individual(superuser)

    with pytest.raises(TypeError, match="blind index"):
        list(query())


def test_plaintext_cannot_be_written_with_update(superuser):
    customer = create_individual(superuser)

    with pytest.raises(TypeError), transaction.atomic():
        Customer.objects.filter(pk=customer.pk).update(id_number=OTHER_ID_NUMBER)
    assert Customer.objects.get(pk=customer.pk).id_number == ID_NUMBER


@pytest.mark.parametrize(
    "typed", [ID_NUMBER, ID_NUMBER.lower(), "110105 19491231 002x", " 110105-19491231-002X "]
)
def test_blind_index_finds_customer_by_id_number(superuser, typed):
    customer = create_individual(superuser)
    create_second(superuser)

    assert list(customer_by_id_number(superuser, typed)) == [customer]


def test_blind_index_does_not_find_other_numbers(superuser):
    create_individual(superuser)

    assert not customer_by_id_number(superuser, OTHER_ID_NUMBER).exists()


def test_bank_account_blind_index_ignores_spaces_and_dashes(superuser):
    customer = create_individual(superuser)
    index = field_of(Customer, "bank_account_digest")

    assert Customer.objects.get(bank_account_digest=index.digest("6222-0212-3456-7890-128")) == customer
    assert customer.bank_account_digest == index.digest(BANK_ACCOUNT_DIGITS)


def full_width(text: str) -> str:
    """As typed with a Chinese input method: １１０１０５…Ｘ."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize(
    ("index_name", "stored"),
    [("id_number_digest", ID_NUMBER), ("bank_account_digest", BANK_ACCOUNT_DIGITS)],
)
def test_blind_index_digest_of_full_width_input_matches(index_name, stored):
    index = field_of(Customer, index_name)

    assert index.digest(full_width(stored)) == index.digest(stored)


def test_blind_index_finds_id_number_typed_with_full_width_digits(superuser):
    customer = create_individual(superuser)

    assert list(customer_by_id_number(superuser, full_width(ID_NUMBER))) == [customer]


def test_blind_index_search_without_digits_finds_nothing(superuser):
    # given: an organisation (no resident ID number) and an individual
    create_individual(superuser)
    create_individual(superuser, kind=CustomerKind.ENTERPRISE, name="上海浦江物流有限公司", id_number="")

    # when: someone searches for a text that contains no ID digits at all
    found = customer_by_id_number(superuser, "王秀英")

    # then
    assert list(found) == []


def test_saving_after_key_rotation_re_encrypts_under_new_primary(superuser, keys):
    # given: a customer under k1, then k2 becomes primary with k1 kept for reading
    customer = create_individual(superuser)
    old_id, old_account, old_digest = raw_row(customer.pk)
    k1 = keys.FREIGHTCRM_ENCRYPTION_KEYS
    configure_keys(keys, f"k2:{new_key()},{k1}")

    # when: the customer is saved through the service
    loaded = Customer.objects.get(pk=customer.pk)
    customer_update(actor=superuser, customer=loaded, version=loaded.version, remarks="更换密钥后重新保存")

    # then: both values are written under k2, and the blind index is unchanged
    new_id, new_account, new_digest = raw_row(customer.pk)
    assert crypto.key_id_of(new_id) == crypto.key_id_of(new_account) == "k2"
    assert (new_id, new_account) != (old_id, old_account)
    assert new_digest == old_digest

    # then: with k1 removed the customer still reads
    configure_keys(keys, keys.FREIGHTCRM_ENCRYPTION_KEYS.split(",")[0])
    reloaded = Customer.objects.get(pk=customer.pk)
    assert (reloaded.id_number, reloaded.bank_account) == (ID_NUMBER, BANK_ACCOUNT)


def test_save_keeps_unread_values_as_loaded_and_re_encrypts_read_ones(superuser, keys):
    # given: a customer under k1, and k2 as the new primary
    customer = create_individual(superuser)
    old_id, old_account, _digest = raw_row(customer.pk)
    configure_keys(keys, f"k2:{new_key()},{keys.FREIGHTCRM_ENCRYPTION_KEYS}")

    # when: one value is read, the other is not, and the row is saved
    loaded = Customer.objects.get(pk=customer.pk)
    assert loaded.id_number == ID_NUMBER
    loaded.save()

    # then: the read value is re-encrypted under k2; the sealed one is written back unchanged
    new_id, new_account, _digest = raw_row(customer.pk)
    assert crypto.key_id_of(new_id) == "k2"
    assert new_account == old_account and crypto.key_id_of(new_account) == "k1"


def test_card_with_wrong_keys_fails_closed_with_503(client, superuser, keys):
    # given: a customer whose card renders with the right keys
    customer = create_individual(superuser)
    client.force_login(superuser)
    url = f"/admin/customers/customer/{customer.pk}/card/"
    assert client.get(url).status_code == 200

    # when: the keys are replaced
    configure_keys(keys, f"k1:{new_key()}")
    response = client.get(url)

    # then: the page stops with an explanation, and shows neither ciphertext nor plaintext
    body = response.content.decode()
    assert response.status_code == 503
    assert "加密" in body or "Encrypted data cannot be read" in body
    assert "fc1:" not in body
    assert ID_NUMBER not in body and BANK_ACCOUNT not in body


CREATE_ON_DISK = textwrap.dedent(
    """
    import sys

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from freightcrm.customers.services import customer_create

    call_command("migrate", verbosity=0, interactive=False)
    actor = get_user_model().objects.create_superuser("li.na", "li.na@example.cn", "Guanliyuan-2024")
    customer_create(
        actor=actor, kind="P", name="王秀英", mobile="13800138000",
        id_number=sys.argv[1], bank_name="中国工商银行", bank_account=sys.argv[2],
    )
    connection.close()
    """
)


def test_plaintext_never_reaches_the_database_files(tmp_path):
    # given: a real on-disk SQLite database in a fresh data folder, written by another process
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        FREIGHTCRM_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="freightcrm.settings",
        PYTHONPATH=str(SRC_DIR),
        FREIGHTCRM_ENCRYPTION_KEYS=f"k1:{new_key()}",
        FREIGHTCRM_BLIND_INDEX_KEY=new_key(),
    )

    # when: a customer with a resident ID number and a bank account is created there
    subprocess.run(  # noqa: S603
        [sys.executable, "-c", CREATE_ON_DISK, ID_NUMBER, BANK_ACCOUNT],
        env=env,
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )

    # then: no file of the data folder (database, -wal, -shm) holds the plaintext
    files = {path.name: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert "freightcrm.sqlite3" in files
    everything = b"".join(files.values())
    assert "王秀英".encode() in everything  # the search would see plaintext if it were there
    assert b"fc1:k1:" in everything
    for plaintext in (ID_NUMBER, ID_NUMBER[:17], BANK_ACCOUNT, BANK_ACCOUNT_DIGITS):
        assert plaintext.encode() not in everything
        assert plaintext.encode("utf-16-le") not in everything
