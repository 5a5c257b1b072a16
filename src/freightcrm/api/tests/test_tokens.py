"""Bearer tokens: issue, use, last-used bookkeeping, revoke, expiry, inactive users, bad headers."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from freightcrm.api.models import ApiToken
from freightcrm.api.services import LAST_USED_RESOLUTION, api_token_issue, hash_secret
from freightcrm.api.tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_issue_token_prints_the_token_once_and_stores_only_its_hash(role_user):
    # given
    user = role_user("manager")
    out, err = StringIO(), StringIO()
    # when
    call_command("issue_token", "manager", "--name", "ERP 夜间同步", stdout=out, stderr=err)
    # then
    value = out.getvalue().strip()
    scheme, prefix, secret = value.split("_", 2)
    assert scheme == "fct" and len(prefix) == 12 and len(secret) >= 40
    token = ApiToken.objects.get(prefix=prefix)
    assert token.user == user and token.name == "ERP 夜间同步"
    assert token.secret_hash == hash_secret(secret) and secret not in token.secret_hash
    assert "cannot be shown again" in err.getvalue()
    stored = ApiToken.objects.values_list(*[f.attname for f in ApiToken._meta.concrete_fields])
    assert all(secret not in str(column) for row in stored for column in row)
    assert token.history.count() == 1  # type: ignore[attr-defined]


def test_issue_token_refuses_unknown_and_inactive_users(role_user):
    with pytest.raises(CommandError, match="No user"):
        call_command("issue_token", "nobody", stdout=StringIO(), stderr=StringIO())
    user = role_user("manager")
    user.is_active = False
    user.save()
    with pytest.raises(CommandError, match="manager"):
        call_command("issue_token", "manager", stdout=StringIO(), stderr=StringIO())


def test_token_works_and_records_last_use_at_most_once_a_minute(role_user):
    # given
    issued = api_token_issue(user=role_user("manager"))
    api = ApiClient(issued.value)
    assert issued.token.last_used_at is None
    # when
    assert api.get("/customers").status_code == 200
    first_use = ApiToken.objects.get(pk=issued.token.pk).last_used_at
    assert api.get("/customers").status_code == 200
    # then: the second request within the minute did not write
    assert first_use is not None
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at == first_use
    # and a request a minute later does
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used_at=first_use - LAST_USED_RESOLUTION)
    assert api.get("/customers").status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at > first_use - LAST_USED_RESOLUTION


def assert_refused(response, code: str = "invalid_token") -> None:
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Bearer realm="freightcrm"')
    if code == "invalid_token":
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    body = response.json()
    assert body["error"]["code"] == code and body["error"]["message"]


def test_revoked_token_is_refused(role_user):
    issued = api_token_issue(user=role_user("manager"))
    api = ApiClient(issued.value)
    assert api.get("/customers").status_code == 200
    out = StringIO()
    call_command("revoke_token", issued.token.prefix, stdout=out)
    assert "Revoked" in out.getvalue()
    assert_refused(api.get("/customers"))
    call_command("revoke_token", issued.value, stdout=StringIO())  # twice, by full token: harmless
    with pytest.raises(CommandError, match="000000000000"):
        call_command("revoke_token", "000000000000", stdout=StringIO())


def test_inactive_users_tokens_stop_working(role_user):
    user = role_user("manager")
    api = ApiClient(api_token_issue(user=user).value)
    user.is_active = False
    user.save()
    assert_refused(api.get("/customers"))


def test_expired_token_is_refused(role_user):
    issued = api_token_issue(user=role_user("manager"), expires_at=timezone.now() + dt.timedelta(days=1))
    api = ApiClient(issued.value)
    assert api.get("/customers").status_code == 200
    ApiToken.objects.filter(pk=issued.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_refused(api.get("/customers"))


def test_wrong_secret_and_unknown_prefix_are_refused_alike(role_user):
    issued = api_token_issue(user=role_user("manager"))
    wrong_secret = issued.value[:-4] + ("AAAA" if not issued.value.endswith("AAAA") else "BBBB")
    unknown_prefix = f"fct_{'0' * 12}_{issued.value.split('_', 2)[2]}"
    first = ApiClient(wrong_secret).get("/customers")
    second = ApiClient(unknown_prefix).get("/customers")
    assert_refused(first)
    assert_refused(second)
    assert first.json() == second.json()


@pytest.mark.parametrize(
    "header",
    [
        "Token abc",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer fct_",
        "Bearer fct_zzzzzzzzzzzz_secret",
        "Bearer not-a-token",
        "Bearer fct_0123456789ab",
        "Bearer " + "x" * 10_000,
        "Bearer 韵达😀",
    ],
)
def test_malformed_headers_are_refused(role_user, header):
    assert_refused(ApiClient(authorization=header).get("/customers"))


def test_missing_header_asks_for_a_token():
    response = ApiClient().get("/customers")
    assert_refused(response, code="not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="freightcrm"'
    assert_refused(ApiClient().get("/customers/E-310115-000001"), code="not_authenticated")


def test_token_admin_is_for_administrators_and_never_shows_secrets(client, role_user):
    # given
    issued = api_token_issue(user=role_user("manager"), name="TMS")
    secret = issued.value.split("_", 2)[2]
    # when
    client.force_login(role_user("admin"))
    page = client.get("/admin/api/apitoken/")
    detail = client.get(f"/admin/api/apitoken/{issued.token.pk}/change/")
    # then
    assert page.status_code == 200 and detail.status_code == 200
    for response in (page, detail):
        html = response.content.decode()
        assert issued.token.prefix in html
        assert secret not in html and issued.token.secret_hash not in html
    client.force_login(role_user("manager"))
    assert client.get("/admin/api/apitoken/").status_code == 403


def test_admin_revokes_selected_tokens(client, role_user):
    issued = api_token_issue(user=role_user("manager"))
    client.force_login(role_user("admin"))
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [issued.token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    assert_refused(ApiClient(issued.value).get("/customers"))
