"""An account manager sends a self-service link; the customer corrects an e-mail on a phone and
consents; the correction waits in the review queue, where a records clerk approves it."""

from __future__ import annotations

import os

import pytest

from freightcrm.conftest import sign_in
from freightcrm.intake.choices import ConsentPurpose
from freightcrm.intake.models import Consent, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_self_service_on_a_phone_then_review(live_server, browser_page, role_user, make_customer):
    # given an account manager's customer
    manager = role_user("account_manager")
    role_user("records_clerk")
    customer = make_customer(owner=manager, name="杭州自助测试物流有限公司", email="old@example.cn")
    page = browser_page
    sign_in(page, live_server.url, "account_manager")
    # when the manager makes a link from the customer card
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/card/")
    page.click(f"#section-intake a[href$='/self-service/{customer.pk}/']")
    page.click("#issue-link")
    link = page.input_value("#self-service-link")
    assert "/f/" in link
    # and the customer opens it on a phone, first with a bad e-mail, then a good one, and consents
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(link)
    assert "杭州自助测试物流有限公司" in phone.input_value("#f-name")
    phone.fill("#f-email", "not-an-email")
    phone.click("button[type=submit]")
    assert phone.locator(".alert").count() == 1
    assert not Submission.objects.exists()
    phone.fill("#f-email", "new@example.cn")
    phone.check("input[name=consent_service_notices]")
    os.makedirs("test-artifacts", exist_ok=True)
    phone.screenshot(path="test-artifacts/self_service_phone.png", full_page=True)
    phone.click("button[type=submit]")
    assert phone.locator("#self-service-thanks").count() == 1
    # then consent is recorded and the correction waits for a records clerk
    assert Consent.objects.get(customer=customer).purpose == ConsentPurpose.SERVICE_NOTICES
    submission = Submission.objects.get(customer=customer)
    clerk_page = page.context.browser.new_page(viewport={"width": 1400, "height": 1000})
    sign_in(clerk_page, live_server.url, "records_clerk")
    clerk_page.goto(f"{live_server.url}/admin/intake/submission/")
    clerk_page.click(f"a[href$='/intake/submission/{submission.pk}/change/']")
    assert "new@example.cn" in clerk_page.inner_text("#submission-changes")
    clerk_page.screenshot(path="test-artifacts/review_change.png", full_page=True)
    clerk_page.click("#approve")
    clerk_page.wait_for_url("**/intake/submission/")
    customer.refresh_from_db()
    assert customer.email == "new@example.cn"
