"""Messages in Chinese by default and in English when the caller asks, whatever the UI cookie says."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from freightcrm.api.middleware import language_from_header
from freightcrm.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("", "zh-hans"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        ("fr-FR", "zh-hans"),
        ("fr-FR, en;q=0.5", "en"),
        ("*", "zh-hans"),
        ("garbage;;;q=x", "zh-hans"),
    ],
)
def test_language_from_header(header, language):
    assert language_from_header(header) == language


def test_missing_token_message_in_chinese_by_default_and_english_when_asked():
    chinese = ApiClient().get("/customers")
    english = ApiClient().get("/customers", language="en-GB,en;q=0.9")
    assert chinese.json()["error"]["code"] == english.json()["error"]["code"] == "not_authenticated"
    assert "Authorization: Bearer" in english.json()["error"]["message"]
    assert "请" in chinese.json()["error"]["message"] or "令牌" in chinese.json()["error"]["message"]
    assert chinese["Content-Language"] == "zh-hans" and english["Content-Language"] == "en"


def test_parameter_errors_follow_the_language(api_as, role_user):
    api = api_as(role_user("manager"))
    chinese = api.get("/customers", page="abc", page_size=1000).json()["error"]
    english = api.get("/customers", page="abc", page_size=1000, language="en").json()["error"]
    assert english["fields"]["page"] == ["Enter a whole number."]
    assert chinese["fields"]["page"] != english["fields"]["page"]
    assert all(not message.isascii() for message in chinese["fields"]["page"])
    detail_en = api.get("/customers/E-000000-000000", language="en").json()["error"]["message"]
    detail_zh = api.get("/customers/E-000000-000000").json()["error"]["message"]
    assert detail_en.startswith("There is no customer") and not detail_zh.isascii()


def test_selector_messages_are_translated_too(api_as, role_user):
    api = api_as(role_user("manager"))
    english = api.get("/customers", page_size=1000, language="en").json()["error"]["fields"]["page_size"]
    chinese = api.get("/customers", page_size=1000).json()["error"]["fields"]["page_size"]
    assert english == ["A page holds 1 to 100 customers."]
    with translation.override("zh-hans"):  # whatever the catalogue holds for the selector's message
        assert chinese == [gettext("A page holds 1 to %(limit)d customers.") % {"limit": 100}]


def test_the_staff_cookie_does_not_decide_for_the_api(api_as, role_user):
    api = api_as(role_user("manager"))
    api.client.cookies["django_language"] = "en"
    response = api.get("/customers", page=0)
    assert response["Content-Language"] == "zh-hans"
