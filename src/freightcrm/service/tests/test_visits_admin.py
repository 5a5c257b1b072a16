"""The visit page as staff see it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from freightcrm.service.visits.models import VisitRule
from freightcrm.service.visits.services import visit_schedule

pytestmark = pytest.mark.django_db


def test_visit_page_names_the_account_manager_not_the_login(client, make_customer, role_user):
    VisitRule.objects.all().delete()
    manager = role_user("account_manager", "am_login")
    manager.first_name, manager.last_name = "静", "陈"
    manager.save()
    customer = make_customer(owner=manager)
    visit = visit_schedule(actor=manager, customer=customer, due_on=timezone.localdate())
    client.force_login(manager)
    response = client.get(reverse("admin:service_visit_change", args=[visit.pk]))
    assert response.status_code == 200
    assert "陈静" in response.text
    assert "am_login" not in response.text.split("<main", 1)[-1].split("</main>", 1)[0]
