"""Staff logins and roles in the staff UI: listed with their roles' names, editable only by admins."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_user_list_and_form_name_roles_in_chinese(client, admin_user, role_user):
    clerk = role_user("records_clerk")
    client.force_login(admin_user)

    listing = client.get(reverse("admin:auth_user_changelist"))
    assert listing.status_code == 200
    assert "档案管理员" in listing.text

    form = client.get(reverse("admin:auth_user_change", args=[clerk.pk]))
    assert form.status_code == 200
    assert "销售内勤（档案管理员） · records_clerk" in form.text
    assert "user_permissions" not in form.text  # rights come from roles only


def test_role_list_shows_what_each_role_may_do(client, admin_user):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:auth_group_changelist"))
    assert listing.status_code == 200
    for label in ("前台", "客户经理", "档案管理员", "信用分析员", "审计"):
        assert label in listing.text


@pytest.mark.parametrize("role", ["front_desk", "account_manager", "records_clerk", "manager"])
def test_only_admins_manage_logins(client, role_user, role):
    client.force_login(role_user(role))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 403


def test_auditor_reads_logins_and_roles_but_changes_nothing(client, role_user, admin_user):
    client.force_login(role_user("auditor"))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_group_changelist")).status_code == 200
    assert client.get(reverse("admin:auth_user_add")).status_code == 403
    response = client.post(reverse("admin:auth_user_change", args=[admin_user.pk]), {"username": "x"})
    assert response.status_code == 403
