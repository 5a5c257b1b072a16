"""A person at the front desk, in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User

from freightcrm.conftest import valid_resident_id
from freightcrm.customers.services import customer_create

ID_NUMBER = valid_resident_id("19760815", 231, "330106")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_front_desk_finds_customer_and_sees_id_masked(live_server, browser_page):
    # given a front desk clerk and a private customer with a resident ID number
    admin = User.objects.create_superuser("root", "root@example.cn", "Test-pass-2026")
    clerk = User.objects.create_user(
        "qiantai", password="Test-pass-2026", is_staff=True, first_name="芳", last_name="王"
    )
    clerk.groups.add(Group.objects.get(name="front_desk"))
    customer = customer_create(
        actor=admin,
        kind="P",
        name="钱塘测试客户",
        mobile="13812345678",
        id_number=ID_NUMBER,
        status="active",
        address="浙江省杭州市西湖区文三路90号",
    )
    page = browser_page
    # when the clerk signs in, searches by two characters of the name and opens the customer card
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "qiantai")
    page.fill("#id_password", "Test-pass-2026")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/admin/customers/customer/?q=钱塘")
    page.click(f"text={customer.code}")
    page.wait_for_selector(".fc-card")
    # then the card shows the customer with the ID number masked, in Chinese
    body = page.inner_text("body")
    assert "钱塘测试客户" in body
    masked = ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]
    assert page.inner_text("[data-field=id_number] dd") == masked
    assert ID_NUMBER not in page.content()
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/front_desk_card.png", full_page=True)
