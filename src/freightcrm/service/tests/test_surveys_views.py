"""The public survey page: no login, Chinese by default, one answer per link, clear refusals."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyTemplate
from freightcrm.service.surveys.services import survey_send
from freightcrm.service.tests.factories import contact, ensure_migration_defaults
from freightcrm.service.tests.test_surveys_services import answers
from freightcrm.service.visits.models import Visit


def _send(make_customer, role_user, days: int = 14):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    template = SurveyTemplate.objects.get(is_default=True)
    links = survey_send(
        actor=manager,
        template=template,
        customer=customer,
        contacts=[contact(customer, "陈晨")],
        expires_in_days=days,
    )
    return template, links[0]


@pytest.mark.django_db
def test_the_page_shows_the_questions_in_chinese_without_login(make_customer, role_user):
    template, link = _send(make_customer, role_user)
    response = Client().get(link.path)
    page = response.content.decode()
    assert response.status_code == 200
    assert "陈晨" in page and template.name in page and "提交" in page
    assert 'name="viewport"' in page and "admin" not in page.lower().split("<main>")[1]
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_an_answer_then_a_second_submit_is_410_and_changes_nothing(make_customer, role_user):
    template, link = _send(make_customer, role_user)
    client = Client()
    first = client.post(link.path, answers(template, overall=5, nps=10))
    assert first.status_code == 200 and "谢谢" in first.content.decode()
    saved = SurveyAnswer.objects.count()
    second = client.post(link.path, answers(template, overall=1, nps=0))
    assert second.status_code == 410 and "已" in second.content.decode()
    assert SurveyAnswer.objects.count() == saved
    assert SurveyInvitation.objects.get(pk=link.invitation.pk).overall_score == 5
    assert client.get(link.path).status_code == 410


@pytest.mark.django_db
def test_invalid_answers_show_the_form_again_with_messages(make_customer, role_user):
    template, link = _send(make_customer, role_user)
    data = answers(template, overall=9)
    response = Client().post(link.path, data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "1 到 5" in page or "1 至 5" in page or "1" in page and "5" in page
    assert 'value="4" checked' in page  # what was answered is kept
    assert SurveyInvitation.objects.get(pk=link.invitation.pk).answered_at is None


@pytest.mark.django_db
def test_unknown_and_expired_links(make_customer, role_user):
    _template, link = _send(make_customer, role_user, days=1)
    client = Client()
    assert client.get("/s/not-a-real-token/").status_code == 404
    assert client.post("/s/" + "A" * 43 + "/", {"q1": "5"}).status_code == 404
    SurveyInvitation.objects.filter(pk=link.invitation.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=3), expires_at=timezone.now() - dt.timedelta(days=2)
    )
    response = client.get(link.path)
    assert response.status_code == 410 and "过期" in response.content.decode()


@pytest.mark.django_db
def test_english_on_request(make_customer, role_user):
    _template, link = _send(make_customer, role_user)
    assert "Submit" in Client().get(link.path + "?lang=en").content.decode()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_give_one_answer(make_customer, role_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the sequential double submit covers it")
    ensure_migration_defaults()
    template, link = _send(make_customer, role_user)
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def submit(overall: int) -> None:
        try:
            barrier.wait()
            codes.append(Client().post(link.path, answers(template, overall=overall, nps=1)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(score,)) for score in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 410]
    assert SurveyAnswer.objects.filter(invitation=link.invitation).count() == 5  # the comment was left empty
    assert Visit.objects.filter(survey_invitation=link.invitation).count() == 1
