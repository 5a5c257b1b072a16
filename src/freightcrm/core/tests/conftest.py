"""Fixtures shared by the core tests: fresh random keys per test, and a superuser to act as."""

from __future__ import annotations

import os
from base64 import b64encode

import pytest

from freightcrm.core import crypto


def new_key() -> str:
    """Base64 of 32 random bytes: one AES-256 or HMAC key as the settings expect it."""
    return b64encode(os.urandom(32)).decode()


@pytest.fixture
def keys(settings):
    """Random keys (primary `k1`) for one test; the cached key ring is dropped before and after.

    The `settings` fixture restores the configured keys after the test; resetting the ring on both
    sides means neither this test nor the next one sees keys it did not configure.
    """
    crypto.reset_key_ring()
    settings.FREIGHTCRM_ENCRYPTION_KEYS = f"k1:{new_key()}"
    settings.FREIGHTCRM_BLIND_INDEX_KEY = new_key()
    yield settings
    crypto.reset_key_ring()


def configure_keys(settings, encryption_keys: str, blind_index_key: str | None = None) -> None:
    """Switch the key configuration in the middle of a test and make the ring pick it up."""
    settings.FREIGHTCRM_ENCRYPTION_KEYS = encryption_keys
    if blind_index_key is not None:
        settings.FREIGHTCRM_BLIND_INDEX_KEY = blind_index_key
    crypto.reset_key_ring()


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser(
        username="zhang.wei", email="zhang.wei@example.cn", password="Guanliyuan-2024"
    )
