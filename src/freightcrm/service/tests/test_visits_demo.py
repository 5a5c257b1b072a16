"""Demo visits, surveys, calls and notes: deterministic per seed, only for the customers the rules pick."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth.models import Group, User

from freightcrm.customers import demo
from freightcrm.customers.models import Customer
from freightcrm.service.interactions.models import Interaction
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation
from freightcrm.service.visits.choices import VisitStatus
from freightcrm.service.visits.models import Visit

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 30)
STEPS = ("visits", "surveys", "interactions")


def run_steps(first_customer_id: int, seed: int = 7) -> dict[str, int]:
    context = demo.DemoStepContext(
        seed=seed,
        today=TODAY,
        years=2,
        first_customer_id=first_customer_id,
        progress=lambda n: None,
        set_total=lambda n: None,
    )
    return {step.key: step.run(context) for step in demo.DEMO_STEPS if step.key in STEPS}


def snapshot() -> tuple[list[tuple], list[tuple], list[tuple], list[tuple]]:
    visits = sorted(
        Visit.objects.values_list(
            "customer__code", "status", "due_on", "visited_at", "mode", "outcome", "content"
        )
    )
    surveys = sorted(
        SurveyInvitation.objects.values_list(
            "customer__code", "sent_at", "answered_at", "overall_score", "nps_score"
        )
    )
    answers = sorted(
        SurveyAnswer.objects.values_list("invitation__customer__code", "dimension", "score", "text")
    )
    calls = sorted(Interaction.objects.values_list("customer__code", "kind", "direction", "at", "summary"))
    return visits, surveys, answers, calls


def clear() -> None:
    Visit.objects.all().delete()
    SurveyInvitation.objects.all().delete()
    Interaction.objects.all().delete()
    Customer.tags.through.objects.filter(tag__name__in=["战略客户", "VIP"]).delete()


@pytest.fixture
def archive():
    owners = []
    for name in ("am1", "am2"):
        user = User.objects.create_user(name, is_staff=True)
        user.groups.add(Group.objects.get(name="account_manager"))
        owners.append(user.pk)
    counts = demo.generate(customers=400, seed=7, today=TODAY, owners=owners)
    return counts.first_customer_id


def test_same_seed_gives_the_same_visits_surveys_and_calls(archive):
    written = run_steps(archive)
    first = snapshot()
    assert all(written[key] > 0 for key in STEPS)
    clear()
    assert run_steps(archive) == written
    assert snapshot() == first


def test_only_the_customers_the_rules_pick_get_visits_with_one_planned_each(archive):
    run_steps(archive)
    visited = set(Visit.objects.values_list("customer_id", flat=True))
    tiered = set(
        Customer.objects.filter(
            tags__name__in=["战略客户", "VIP"], status="active", owner__isnull=False
        ).values_list("pk", flat=True)
    )
    assert visited == tiered and visited
    planned = Counter(Visit.objects.filter(status=VisitStatus.PLANNED).values_list("customer_id", flat=True))
    assert set(planned.values()) == {1} and set(planned) == visited
    assert not Visit.objects.filter(status=VisitStatus.DONE, visited_at__date__gt=TODAY).exists()
    # strategic customers are visited about monthly: roughly 20–24 done visits over two years
    strategic = Customer.objects.filter(tags__name="战略客户", status="active", owner__isnull=False).first()
    if strategic and (strategic.cooperation_since or dt.date(2000, 1, 1)) < TODAY - dt.timedelta(days=730):
        assert 15 <= Visit.objects.filter(customer=strategic, status=VisitStatus.DONE).count() <= 25


def test_survey_scores_are_believable(archive):
    run_steps(archive)
    answered = SurveyInvitation.objects.filter(answered_at__isnull=False)
    rate = answered.count() / SurveyInvitation.objects.count()
    assert 0.5 < rate < 0.8
    overall = list(answered.values_list("overall_score", flat=True))
    assert 3.4 < sum(overall) / len(overall) < 4.6
    nps = list(answered.values_list("nps_score", flat=True))
    promoters = sum(score >= 9 for score in nps) / len(nps)
    detractors = sum(score <= 6 for score in nps) / len(nps)
    assert -0.2 < promoters - detractors < 0.6
    assert answered.filter(low_score=True).exists()
