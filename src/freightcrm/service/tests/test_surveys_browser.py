"""An account manager sends a survey; the contact answers it on a phone; a low score comes back as a visit."""

from __future__ import annotations

import os

import pytest

from freightcrm.conftest import sign_in
from freightcrm.service.tests.factories import contact, ensure_migration_defaults
from freightcrm.service.visits.choices import VisitSource
from freightcrm.service.visits.models import Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_answer_on_a_phone_and_follow_up(live_server, browser_page, role_user, make_customer):
    # given an account manager with a customer and a contact
    ensure_migration_defaults()
    manager = role_user("account_manager")
    customer = make_customer(owner=manager, name="杭州测试满意度有限公司")
    contact(customer, "钱敏", email="qian@example.cn")
    page = browser_page
    sign_in(page, live_server.url, "account_manager")
    # when the manager sends a survey from the customer card
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/card/")
    send = page.locator("#section-surveys a", has_text="发送满意度调查").get_attribute("href")
    page.goto(f"{live_server.url}{send}")
    page.check("input[name=contacts]")
    page.click(".fc-form button[type=submit]")
    link = page.inner_text(".fc-link-box").strip()
    assert "/s/" in link
    # and the contact opens the link on a phone (no login) and submits once with a low score
    phone = page.context.browser.new_page(viewport={"width": 390, "height": 844})
    phone.goto(link)
    assert "钱敏您好" in phone.inner_text("body")
    phone.click("button[type=submit]")  # nothing chosen: the form comes back with messages
    assert "请选择分数" in phone.inner_text("body")
    for name_value in phone.eval_on_selector_all(
        "fieldset", "sets => sets.map(s => s.querySelector('input[type=radio]')?.name)"
    ):
        if name_value:
            phone.check(f"input[name={name_value}][value='2']")
    phone.fill("textarea", "旺季时效不稳定")
    phone.click("button[type=submit]")
    assert "谢谢" in phone.inner_text("body")
    os.makedirs("test-artifacts", exist_ok=True)
    phone.goto(link)
    assert "已经提交" in phone.inner_text("body")
    phone.screenshot(path="test-artifacts/survey_answered_again.png", full_page=True)
    # then the low score is a follow-up visit for the manager, and the card shows the scores
    assert Visit.objects.filter(customer=customer, source=VisitSource.SURVEY, assignee=manager).count() == 1
    page.goto(f"{live_server.url}/admin/customers/customer/{customer.pk}/card/")
    assert "2/5" in page.inner_text("#section-surveys")
    assert "下次回访" in page.inner_text("#section-visits")
