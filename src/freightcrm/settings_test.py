"""Settings for the test suite: the real settings, with a throw-away data folder and fast hashing."""

import os
import tempfile

# A throw-away data folder even when FREIGHTCRM_DATA_DIR names the real one (the Makefile exports it
# for every target): tests must not leave uploads, sealed under the test keys, in the demo's folder.
# Processes the tests start inherit the same folder through FREIGHTCRM_TEST_DATA_DIR.
os.environ.setdefault("FREIGHTCRM_TEST_DATA_DIR", tempfile.mkdtemp(prefix="freightcrm-test-"))
os.environ["FREIGHTCRM_DATA_DIR"] = os.environ["FREIGHTCRM_TEST_DATA_DIR"]
# Fixed test keys: tests that exercise the key file or rotation set their own.
os.environ.setdefault("FREIGHTCRM_ENCRYPTION_KEYS", "t1:" + "dGVzdC1rZXktMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=")
os.environ.setdefault("FREIGHTCRM_BLIND_INDEX_KEY", "YmxpbmQtaW5kZXgta2V5LTAwMDAwMDAwMDAwMDAwMDA=")

from freightcrm.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {  # noqa: F405
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run at once, inside the test's transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
