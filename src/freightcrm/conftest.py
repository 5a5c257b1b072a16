"""Fixtures shared by every app's tests: one user per role, and customers made through the services."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.db import connections
from stdnum.cn import ric, uscc

from freightcrm.core.roles import ROLES
from freightcrm.customers.models import Customer
from freightcrm.customers.services import customer_create


def valid_uscc(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    body = f"91310115{(123456000 + n) % 10**9:09d}"
    return body + uscc.calc_check_digit(body)


def valid_resident_id(birth: str = "19900307", sequence: int = 777, region: str = "310101") -> str:
    body = f"{region}{birth}{sequence:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


@pytest.fixture
def role_user(db: Any) -> Callable[..., User]:
    """`role_user("front_desk")` makes a staff user in that role's group."""
    made: dict[str, User] = {}

    def make(role: str, username: str | None = None) -> User:
        username = username or role
        if username not in made:
            user = User.objects.create_user(username=username, password="Test-pass-2026", is_staff=True)
            user.groups.add(Group.objects.get(name=role))
            made[username] = User.objects.get(pk=user.pk)  # fresh: no cached permissions
        return made[username]

    return make


@pytest.fixture
def admin_user(db: Any) -> User:
    return User.objects.create_superuser("root", "root@example.cn", "Test-pass-2026")


@pytest.fixture
def make_customer(admin_user: User) -> Callable[..., Customer]:
    counter = iter(range(1, 10_000))

    def make(**fields: Any) -> Customer:
        n = next(counter)
        defaults: dict[str, Any] = {
            "kind": "E",
            "name": f"上海恒通物流测试{n}有限公司",
            "status": "active",
            "uscc": valid_uscc(n),
            "address": "上海市浦东新区张江路88号",
        }
        defaults.update(fields)
        return customer_create(
            actor=fields.pop("actor", admin_user), **{k: v for k, v in defaults.items() if k != "actor"}
        )

    return make


ALL_ROLES = [role.slug for role in ROLES]


@pytest.fixture(scope="session")
def live_server(django_db_setup: Any, django_db_blocker: Any) -> Any:
    """pytest-django's live server, stopped before the test database is dropped.

    Depending on `django_db_setup` orders the teardown: otherwise PostgreSQL refuses to drop the
    test database while the server thread still holds a connection.
    """
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    yield server
    server.stop()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "Test-pass-2026"  # of every user the tests make


def sign_in(page: Any, base: str, username: str) -> None:
    """Sign `username` in to the staff site in a browser page (marker `browser`)."""
    page.goto(f"{base}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


@pytest.fixture
def browser_page() -> Iterator[Any]:
    """A page in Debian's Chromium, driven by Playwright (marker `browser`)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is missing: `make browser` installs it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()
        # The test's own ORM calls ran inside Playwright's event loop, where Django keeps separate
        # connections: close them, or PostgreSQL refuses to drop the test database afterwards.
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
