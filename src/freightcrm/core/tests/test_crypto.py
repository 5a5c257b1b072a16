"""Encryption at rest and the blind index (core.crypto, core.keyfile)."""

from __future__ import annotations

import io
import json
import os
import stat
from base64 import b64encode, urlsafe_b64decode, urlsafe_b64encode

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from freightcrm.core import crypto
from freightcrm.core.tests.conftest import configure_keys, new_key

pytestmark = pytest.mark.usefixtures("keys")

CONTEXT = crypto.associated_data("customers_customer", "0b6c3f7e-7d1c-4e8f-9a51-2f0c1d9e8a11", "id_number")
ID_NUMBER = "11010519491231002X"
BANK_ACCOUNT = "6222 0212 3456 7890 128"


def test_round_trip():
    ciphertext = crypto.encrypt("王秀英 " + ID_NUMBER, context=CONTEXT)

    assert crypto.decrypt(ciphertext, context=CONTEXT) == "王秀英 " + ID_NUMBER


def test_ciphertext_carries_format_and_key_id_and_hides_the_plaintext():
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    prefix, key_id, blob = ciphertext.split(":", 2)
    assert (prefix, key_id) == ("fc1", "k1")
    assert crypto.key_id_of(ciphertext) == "k1"
    assert ID_NUMBER not in ciphertext
    assert len(urlsafe_b64decode(blob)) == 12 + len(ID_NUMBER) + 16  # nonce, data, tag


def test_same_plaintext_encrypts_differently_each_time():
    assert crypto.encrypt(ID_NUMBER, context=CONTEXT) != crypto.encrypt(ID_NUMBER, context=CONTEXT)


@pytest.mark.parametrize(
    "other",
    [
        crypto.associated_data("customers_customer", "a-different-row", "id_number"),
        crypto.associated_data("customers_customer", "0b6c3f7e-7d1c-4e8f-9a51-2f0c1d9e8a11", "bank_account"),
        crypto.associated_data("customers_contact", "0b6c3f7e-7d1c-4e8f-9a51-2f0c1d9e8a11", "id_number"),
        b"",
    ],
)
def test_decrypt_with_other_associated_data_fails(other):
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext, context=other)


def _flip_one_bit(ciphertext: str, index: int) -> str:
    prefix, key_id, blob = ciphertext.split(":", 2)
    raw = bytearray(urlsafe_b64decode(blob))
    raw[index] ^= 0x01
    return f"{prefix}:{key_id}:{urlsafe_b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("index", [0, 11, 12, -1], ids=["nonce", "nonce-end", "data", "tag"])
def test_tampered_ciphertext_fails(index):
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(_flip_one_bit(ciphertext, index), context=CONTEXT)


@pytest.mark.parametrize(
    "garbage",
    [
        "11010519491231002X",  # plaintext that was never encrypted
        "fc1:k1",
        "fc1:k1:",
        "fc1:k1:not base64!",
        "fc1:k1:AAAA",  # far too short
        "fc0:k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ],
)
def test_malformed_ciphertext_fails_with_decryption_error(garbage):
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(garbage, context=CONTEXT)


def test_unknown_key_id_fails_closed():
    # given: a value encrypted under a key that is no longer configured
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    foreign = ciphertext.replace("fc1:k1:", "fc1:k9:", 1)

    # when
    with pytest.raises(crypto.DecryptionError) as caught:
        crypto.decrypt(foreign, context=CONTEXT)

    # then: the error names the key, and does not hand back the ciphertext or the plaintext
    message = str(caught.value)
    assert "k9" in message
    assert "key" in message.lower() or "密钥" in message
    assert foreign not in message and ID_NUMBER not in message


def test_key_rotation(keys):
    # given: a value encrypted under k1
    k1 = keys.FREIGHTCRM_ENCRYPTION_KEYS
    old = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    assert crypto.key_id_of(old) == "k1"

    # when: k2 becomes primary and k1 stays in the ring
    configure_keys(keys, f"k2:{new_key()},{k1}")

    # then: old values still decrypt, new ones are written under k2
    assert crypto.decrypt(old, context=CONTEXT) == ID_NUMBER
    new = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    assert crypto.key_id_of(new) == "k2"
    assert crypto.decrypt(new, context=CONTEXT) == ID_NUMBER

    # when: k1 is removed
    configure_keys(keys, keys.FREIGHTCRM_ENCRYPTION_KEYS.split(",")[0])

    # then: values under k1 fail closed, values under k2 still decrypt
    with pytest.raises(crypto.DecryptionError, match="k1"):
        crypto.decrypt(old, context=CONTEXT)
    assert crypto.decrypt(new, context=CONTEXT) == ID_NUMBER


def test_same_key_id_with_other_key_material_fails(keys):
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    configure_keys(keys, f"k1:{new_key()}")

    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(ciphertext, context=CONTEXT)


def _b64_of(size: int) -> str:
    return b64encode(bytes(size)).decode()


@pytest.mark.parametrize(
    ("encryption_keys", "blind_index_key"),
    [
        ("k1:这不是base64", "{key}"),
        ("k1:not*base64", "{key}"),
        ("k1:" + _b64_of(16), "{key}"),  # AES-128 is not enough
        ("k1:" + _b64_of(33), "{key}"),
        ("k1:{key}", ""),  # missing blind index key
        ("k1:{key}", "not base64"),
        ("k1:{key}", _b64_of(31)),
        ("k1", "{key}"),  # no key material
        ("密钥一:{key}", "{key}"),  # key id outside [A-Za-z0-9_-]
        ("k1:{key},", "{key}"),  # trailing comma
    ],
)
def test_bad_key_configuration_is_refused(keys, encryption_keys, blind_index_key):
    key = new_key()
    configure_keys(keys, encryption_keys.replace("{key}", key), blind_index_key.replace("{key}", key))

    with pytest.raises(ImproperlyConfigured):
        crypto.key_ring()


def test_duplicate_key_ids_are_refused(keys):
    configure_keys(keys, f"k1:{new_key()},k1:{new_key()}")

    with pytest.raises(ImproperlyConfigured):
        crypto.key_ring()


def test_blind_index_is_deterministic_per_purpose():
    first = crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number")

    assert first == crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number")
    assert len(first) == 64 and int(first, 16) >= 0
    assert ID_NUMBER not in first


def test_blind_index_differs_across_purposes_and_values():
    by_id = crypto.blind_index("6222021234567890128", purpose="customers.customer.id_number")
    by_account = crypto.blind_index("6222021234567890128", purpose="customers.customer.bank_account")

    assert by_id != by_account
    assert by_id != crypto.blind_index("6222021234567890129", purpose="customers.customer.id_number")


def test_blind_index_depends_on_the_blind_index_key(keys):
    before = crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number")

    configure_keys(keys, keys.FREIGHTCRM_ENCRYPTION_KEYS, new_key())

    assert crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number") != before


def test_key_file_is_created_private_and_reused(keys, tmp_path):
    # given: no keys in the environment, and no key file yet
    key_file = tmp_path / "data" / "keys.json"
    keys.FREIGHTCRM_KEY_FILE = key_file
    configure_keys(keys, "", "")

    # when
    ciphertext = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    digest = crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number")

    # then: the file holds a primary key and a blind index key, readable by its owner only
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    content = json.loads(key_file.read_text(encoding="utf-8"))
    assert content["primary"] == crypto.key_id_of(ciphertext) == "k1"
    assert set(content["encryption"]) == {"k1"}
    written = key_file.read_bytes()

    # when: the keys are loaded again (a restart)
    crypto.reset_key_ring()

    # then: the same file and keys are used
    assert key_file.read_bytes() == written
    assert crypto.decrypt(ciphertext, context=CONTEXT) == ID_NUMBER
    assert crypto.blind_index(ID_NUMBER, purpose="customers.customer.id_number") == digest


def test_environment_keys_take_precedence_over_the_key_file(keys, tmp_path):
    keys.FREIGHTCRM_KEY_FILE = tmp_path / "keys.json"

    crypto.encrypt(ID_NUMBER, context=CONTEXT)

    assert not (tmp_path / "keys.json").exists()


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(plaintext=st.text(), row=st.text(max_size=40))
def test_property_round_trip_for_any_text(plaintext, row):
    context = crypto.associated_data("customers_customer", row, "remarks")

    ciphertext = crypto.encrypt(plaintext, context=context)

    assert ciphertext.startswith("fc1:k1:")
    assert crypto.decrypt(ciphertext, context=context) == plaintext


# -- files ----------------------------------------------------------------------------------------


def _sealed(data: bytes, context: bytes = b"export\x1f7") -> bytes:
    out = io.BytesIO()
    crypto.encrypt_file(io.BytesIO(data), out, context=context)
    return out.getvalue()


@pytest.mark.parametrize("size", [0, 1, crypto.FILE_PIECE - 1, crypto.FILE_PIECE, 2 * crypto.FILE_PIECE + 5])
def test_a_file_round_trips_in_pieces(size):
    data = os.urandom(size)
    sealed = _sealed(data)
    assert size < 64 or data[:64] not in sealed  # a byte or two may turn up by chance
    pieces = list(crypto.decrypt_file(io.BytesIO(sealed), context=b"export\x1f7"))
    assert b"".join(pieces) == data
    assert all(len(piece) <= crypto.FILE_PIECE for piece in pieces)


def test_a_file_does_not_open_under_another_context():
    sealed = _sealed("客户".encode() * 100)
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.decrypt_file(io.BytesIO(sealed), context=b"export\x1f8"))


@pytest.mark.parametrize(
    "damage",
    [
        lambda sealed: sealed[: -(12 + 4 + 100 + 16)],  # the last piece dropped whole
        lambda sealed: sealed[: len(sealed) - crypto.FILE_PIECE - 40],  # cut inside a piece
        lambda sealed: sealed[:-1],  # the last byte cut off
        lambda sealed: sealed[:40] + bytes([sealed[40] ^ 1]) + sealed[41:],  # one bit flipped
        lambda sealed: b"PK\x03\x04" + sealed[4:],  # not a sealed file
        lambda sealed: sealed[:7],  # the header only
    ],
)
def test_an_altered_or_truncated_file_fails_closed(damage):
    sealed = _sealed(os.urandom(2 * crypto.FILE_PIECE + 100))
    with pytest.raises(crypto.DecryptionError):
        b"".join(crypto.decrypt_file(io.BytesIO(damage(sealed)), context=b"export\x1f7"))
