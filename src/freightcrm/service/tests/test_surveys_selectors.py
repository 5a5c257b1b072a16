"""Survey results: NPS and response rate arithmetic, per-customer latest scores, the timeline entries."""

from __future__ import annotations

import pytest
from django.test import Client

from freightcrm.service.surveys.models import SurveyInvitation, SurveyTemplate
from freightcrm.service.surveys.selectors import customer_latest_scores, nps, survey_results
from freightcrm.service.surveys.services import survey_answer, survey_send
from freightcrm.service.tests.factories import contact
from freightcrm.service.tests.test_surveys_services import answers
from freightcrm.service.timeline import customer_timeline

pytestmark = pytest.mark.django_db


def test_nps_is_promoters_minus_detractors_in_points():
    assert nps(5, 2, 10) == 30.0
    assert nps(0, 3, 3) == -100.0
    assert nps(0, 0, 0) is None


@pytest.fixture
def answered(make_customer, role_user):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    template = SurveyTemplate.objects.get(is_default=True)
    links = survey_send(
        actor=am,
        template=template,
        customer=customer,
        contacts=[contact(customer, f"客户{i}") for i in range(5)],
    )
    for link, (overall, score) in zip(links, [(5, 10), (4, 9), (3, 7), (2, 4)], strict=False):
        survey_answer(token=link.token, data=answers(template, overall=overall, nps=score, comment="意见"))
    return am, customer


def test_results_average_each_dimension_and_count_the_response_rate(answered, role_user):
    am, _customer = answered
    results = survey_results(am)
    assert (results["sent"], results["answered"], results["response_rate"]) == (5, 4, 80.0)
    assert results["nps"] == 25.0  # 2 promoters, 1 detractor of 4
    overall = next(d for d in results["dimensions"] if d["dimension"] == "overall")
    assert overall["average"] == 3.5
    assert results["months"][0]["answered"] == 4
    assert survey_results(role_user("account_manager", "other"))["sent"] == 0


def test_the_card_shows_the_latest_answer(answered):
    am, customer = answered
    card = customer_latest_scores(am, customer)
    scores = {str(s["label"]): s["score"] for s in card["scores"]}
    assert card["answered"] == 4 and card["comment"] == "意见"
    assert scores["总体满意度"] == 2 or scores.get("Overall satisfaction") == 2


def test_surveys_on_the_timeline(answered):
    am, customer = answered
    page = customer_timeline(am, customer, kinds=["survey"], page_size=3)
    assert len(page.entries) == 3 and page.next_cursor is not None
    rest = customer_timeline(am, customer, kinds=["survey"], cursor=page.next_cursor, page_size=3)
    assert len(rest.entries) == 2 and rest.next_cursor is None
    assert len({e.id for e in page.entries + rest.entries}) == 5


def test_results_page_query_count(answered, role_user, django_assert_max_num_queries):
    client = Client()
    client.force_login(role_user("manager"))
    with django_assert_max_num_queries(12):
        response = client.get("/admin/service/surveyinvitation/results/")
    assert response.status_code == 200 and "25.0" in response.content.decode()
    invitation = SurveyInvitation.objects.filter(answered_at__isnull=False).first()
    page = client.get(f"/admin/service/surveyinvitation/{invitation.pk}/change/")
    assert page.status_code == 200 and "意见" in page.content.decode()
