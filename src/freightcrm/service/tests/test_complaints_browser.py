"""An operations clerk files a complaint against a customer's shipment and resolves it, in Chromium."""

from __future__ import annotations

import importlib
import os

import pytest
from django.contrib.auth.models import Group, User

from freightcrm.conftest import sign_in
from freightcrm.service.complaints.models import Complaint, ComplaintCategory
from freightcrm.service.tests.complaints_support import shipment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded_targets(transactional_db):
    """The categories and targets the migration seeds (a transactional test before this one flushed them)."""
    from django.apps import apps

    if not ComplaintCategory.objects.exists():
        importlib.import_module("freightcrm.service.migrations.0002_complaints").seed(apps, None)


def test_operations_files_a_complaint_against_a_shipment_and_resolves_it(
    live_server, browser_page, make_customer, seeded_targets
):
    # given an operations clerk and a customer with a shipment
    clerk = User.objects.create_user(
        "yunying", password="Test-pass-2026", is_staff=True, first_name="浩", last_name="孙"
    )
    clerk.groups.add(Group.objects.get(name="operations"))
    customer = make_customer(name="杭州钱江冷链测试有限公司")
    cargo = shipment(customer, waybill_no="FC2026112300099")
    page = browser_page
    sign_in(page, live_server.url, "yunying")
    # when the clerk files a complaint from the customer card, picking the shipment
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/card/")
    page.click("#section-complaints >> text=登记投诉")
    page.wait_for_selector("#complaint-file")
    page.select_option("#id_channel", "phone")
    page.select_option("#id_category", label="破损 / 货物损坏")
    page.select_option("#id_severity", "high")
    page.select_option("#id_shipment", str(cargo.pk))
    page.fill("#id_description", "到货时外箱挤压变形，内件两台设备损坏，客户要求赔偿。")
    page.click("#complaint-file button[type=submit]")
    page.wait_for_selector("[data-complaint]")
    # and moves it through acknowledge and investigate to resolved
    page.click("[data-action=acknowledge] button")
    page.wait_for_selector("[data-action=investigate]")
    page.click("[data-action=investigate] button")
    page.wait_for_selector("[data-action=resolve]")
    page.fill("[data-action=resolve] textarea[name=resolution]", "现场勘验确认运输破损，按声明价值赔付。")
    page.fill("[data-action=resolve] input[name=compensation_amount]", "1800")
    page.click("[data-action=resolve] button[type=submit]")
    page.wait_for_selector("[data-action=close]")
    # then the complaint page shows it resolved against that shipment, with its log
    assert page.inner_text("#complaint-state") == "已解决"
    assert "FC2026112300099" in page.inner_text("#complaint-shipment")
    assert "按声明价值赔付" in page.inner_text("#complaint-resolution")
    log = page.inner_text("#complaint-events")
    for step in ("登记", "响应", "开始调查", "解决"):
        assert step in log
    complaint = Complaint.objects.get()
    assert (
        complaint.shipment == cargo
        and complaint.state == "resolved"
        and str(complaint.compensation_amount) == "1800.00"
    )
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/complaint_resolved.png", full_page=True)
    # and the customer's timeline shows the shipment and the resolved complaint, newest first
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/timeline/")
    page.wait_for_selector(".fc-tl")
    complaint_entry = page.locator("li[data-kind=complaint]")
    shipment_entry = page.locator("li[data-kind=shipment]")
    assert complaint.number in complaint_entry.inner_text()
    assert "已解决" in complaint_entry.inner_text()
    assert "FC2026112300099" in shipment_entry.inner_text()
    kinds = page.eval_on_selector_all(".fc-tl > li", "items => items.map(item => item.dataset.kind)")
    assert kinds.index("complaint") < kinds.index("shipment")
    page.screenshot(path="test-artifacts/complaint_on_timeline.png", full_page=True)
