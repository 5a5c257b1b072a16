"""The visit and survey API: lists, plan, record, survey results, with the same permissions as the UI."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from freightcrm.api.services import api_token_issue
from freightcrm.service.surveys.models import SurveyTemplate
from freightcrm.service.surveys.services import survey_answer, survey_send
from freightcrm.service.tests.factories import contact, moment
from freightcrm.service.tests.test_surveys_services import answers
from freightcrm.service.visits.choices import VisitStatus
from freightcrm.service.visits.models import Visit

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token_issue(user=user, name='t').value}"}

    def get(self, path: str, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path: str, body: dict):
        return self.client.post(
            f"/api/v1{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )


def test_list_and_per_customer_visits_with_visibility(
    make_customer, role_user, django_assert_max_num_queries
):
    mine, theirs = role_user("account_manager", "am1"), role_user("account_manager", "am2")
    own = make_customer(owner=mine)
    other = make_customer(owner=theirs)
    for days in range(5):
        Visit.objects.create(
            customer=own,
            assignee=mine,
            status=VisitStatus.DONE,
            due_on=timezone.localdate(),
            visited_at=moment(days + 1),
            content="回访",
            outcome="positive",
        )
    Visit.objects.create(customer=other, assignee=theirs, due_on=timezone.localdate())
    api = Api(mine)
    with django_assert_max_num_queries(8):
        page = api.get("/visits").json()
    assert page["count"] == 5 and {v["customer_code"] for v in page["results"]} == {own.code}
    assert api.get(f"/customers/{own.code}/visits", status="done").json()["count"] == 5
    missing = api.get(f"/customers/{other.code}/visits")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "customer_not_found"
    assert Api(role_user("manager")).get("/visits").json()["count"] == 6
    assert api.get("/visits", status="bogus").status_code == 400


def test_plan_and_record_a_visit(make_customer, role_user):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    person = contact(customer, "孙丽")
    api = Api(am)
    created = api.post(
        "/visits", {"customer": customer.code, "due_on": str(timezone.localdate()), "mode": "on_site"}
    )
    assert created.status_code == 201, created.content
    visit_id = created.json()["id"]
    again = api.post("/visits", {"customer": customer.code, "due_on": str(timezone.localdate())})
    assert again.status_code == 400 and "due_on" in again.json()["error"]["fields"]
    future = (timezone.now() + dt.timedelta(days=2)).isoformat()
    refused = api.post(
        f"/visits/{visit_id}/record",
        {"visited_at": future, "mode": "phone", "content": "x", "outcome": "positive"},
    )
    assert refused.status_code == 400 and "visited_at" in refused.json()["error"]["fields"]
    assert Visit.objects.get(pk=visit_id).status == VisitStatus.PLANNED
    body = {
        "visited_at": moment(1).isoformat(),
        "mode": "on_site",
        "content": "上门拜访，客户满意",
        "outcome": "positive",
        "contacts": [person.pk],
    }
    recorded = api.post(f"/visits/{visit_id}/record", body)
    assert recorded.status_code == 200 and recorded.json()["status"] == "done"
    assert recorded.json()["contacts"] == ["孙丽"]


@pytest.mark.parametrize(("role", "status"), [("front_desk", 403), ("auditor", 403), ("manager", 403)])
def test_roles_without_write_rights_are_refused(make_customer, role_user, role, status):
    customer = make_customer(owner=role_user("account_manager"))
    response = Api(role_user(role)).post(
        "/visits", {"customer": customer.code, "due_on": str(timezone.localdate())}
    )
    assert response.status_code == status and response.json()["error"]["code"] == "permission_denied"
    assert not Visit.objects.exists()


def test_record_someone_elses_visit_is_404(make_customer, role_user):
    theirs = role_user("account_manager", "am2")
    visit = Visit.objects.create(
        customer=make_customer(owner=theirs), assignee=theirs, due_on=timezone.localdate()
    )
    body = {"visited_at": moment(1).isoformat(), "mode": "phone", "content": "x", "outcome": "neutral"}
    response = Api(role_user("account_manager", "am1")).post(f"/visits/{visit.pk}/record", body)
    assert response.status_code == 404 and response.json()["error"]["code"] == "visit_not_found"


def test_survey_results(make_customer, role_user, django_assert_max_num_queries):
    am = role_user("account_manager")
    customer = make_customer(owner=am)
    template = SurveyTemplate.objects.get(is_default=True)
    people = [contact(customer, f"联系人{i}") for i in range(4)]
    links = survey_send(actor=am, template=template, customer=customer, contacts=people)
    for link, nps in zip(links[:3], (10, 9, 3), strict=True):
        survey_answer(token=link.token, data=answers(template, nps=nps, overall=4))
    api = Api(am)
    with django_assert_max_num_queries(8):
        results = api.get("/surveys/results", customer=customer.code).json()
    assert results["sent"] == 4 and results["answered"] == 3 and results["response_rate"] == 75.0
    assert results["nps"] == round(100 * (2 - 1) / 3, 1)
    overall = next(d for d in results["dimensions"] if d["dimension"] == "overall")
    assert overall["average"] == 4.0
    assert Api(role_user("operations")).get("/surveys/results").status_code == 403
    assert Api(role_user("account_manager", "am2")).get("/surveys/results").json()["sent"] == 0


def test_openapi_lists_the_visit_operations():
    schema = Client().get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert {"visits_list", "visits_create", "visits_record", "customer_visits_list", "surveys_results"} <= ids
