"""Survey invitations: hash-only tokens, one answer per token, expiry, guessing, low-score follow-up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from freightcrm.core.errors import PermissionDeniedError
from freightcrm.service.surveys.choices import Dimension
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyTemplate
from freightcrm.service.surveys.services import (
    SurveyUnavailable,
    field_name,
    survey_answer,
    survey_send,
    token_hash,
)
from freightcrm.service.tests.factories import contact
from freightcrm.service.visits.choices import VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit

pytestmark = pytest.mark.django_db


def default_template() -> SurveyTemplate:
    return SurveyTemplate.objects.get(is_default=True)


def answers(template: SurveyTemplate, **scores: int | str) -> dict[str, str]:
    """Form data: every scale 4 and NPS 9 unless given by dimension (`overall=2`, `nps=3`)."""
    data = {}
    for question in template.questions.all():
        default: int | str = {"nps": 9, "comment": ""}.get(question.dimension, 4)
        data[field_name(question)] = str(scores.get(question.dimension, default))
    return data


@pytest.fixture
def sent(make_customer, role_user):
    manager = role_user("account_manager")
    customer = make_customer(owner=manager)
    people = [contact(customer, "王芳", email="wang@example.cn"), contact(customer, "赵磊")]
    links = survey_send(actor=manager, template=default_template(), customer=customer, contacts=people)
    return manager, customer, links


def test_the_default_chinese_template_covers_every_dimension():
    template = default_template()
    assert set(template.questions.values_list("dimension", flat=True)) == set(Dimension.values)
    assert "满意" in template.name


def test_one_invitation_per_contact_and_only_the_hash_is_stored(sent):
    _manager, customer, links = sent
    assert len(links) == 2 and len({link.token for link in links}) == 2
    for link in links:
        assert len(link.token) >= 43  # 32 random bytes
        assert link.invitation.token_hash == token_hash(link.token) != link.token
    # the token itself is nowhere in the table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {SurveyInvitation._meta.db_table}")  # noqa: S608
        dump = repr(cursor.fetchall())
    assert all(link.token not in dump for link in links)
    assert SurveyInvitation.objects.filter(customer=customer, answered_at__isnull=True).count() == 2


def test_an_answer_is_taken_once_and_reuse_changes_nothing(sent):
    _manager, _customer, links = sent
    token = links[0].token
    template = default_template()
    survey_answer(token=token, data=answers(template, overall=5, nps=10, comment="很好"))
    stored = SurveyInvitation.objects.get(pk=links[0].invitation.pk)
    assert (stored.overall_score, stored.nps_score, stored.low_score) == (5, 10, False)
    count = SurveyAnswer.objects.count()
    # when the same link is submitted again (a double click, a reused link)
    with pytest.raises(SurveyUnavailable) as refused:
        survey_answer(token=token, data=answers(template, overall=1, nps=0))
    # then it is 410 and nothing changed
    assert refused.value.status == 410 and refused.value.code == "survey_answered"
    assert SurveyAnswer.objects.count() == count
    stored.refresh_from_db()
    assert (stored.overall_score, stored.nps_score) == (5, 10)


def test_expired_and_guessed_links_are_refused(sent):
    _manager, _customer, links = sent
    template = default_template()
    later = timezone.now() + dt.timedelta(days=15)
    with pytest.raises(SurveyUnavailable) as expired:
        survey_answer(token=links[0].token, data=answers(template), now=later)
    assert (expired.value.status, expired.value.code) == (410, "survey_expired")
    for guess in ("", "abc", links[0].token[:-1] + "x", links[0].invitation.token_hash, "x" * 500, "令牌"):
        with pytest.raises(SurveyUnavailable) as unknown:
            survey_answer(token=guess, data=answers(template))
        assert unknown.value.status == 404
    assert not SurveyAnswer.objects.exists()


def test_invalid_answers_are_refused_per_question_and_save_nothing(sent):
    _manager, _customer, links = sent
    template = default_template()
    data = answers(template, overall=7, nps="abc")
    overall_q = template.questions.get(dimension="overall")
    data.pop(field_name(template.questions.get(dimension="value")))
    with pytest.raises(ValidationError) as refused:
        survey_answer(token=links[0].token, data=data)
    errors = refused.value.message_dict
    assert field_name(overall_q) in errors and len(errors) == 3
    assert SurveyInvitation.objects.get(pk=links[0].invitation.pk).answered_at is None


def test_a_low_score_opens_a_follow_up_visit_for_the_account_manager(sent):
    manager, customer, links = sent
    survey_answer(token=links[0].token, data=answers(default_template(), overall=2, nps=8))
    visit = Visit.objects.get(customer=customer, status=VisitStatus.PLANNED)
    assert visit.source == VisitSource.SURVEY and visit.assignee == manager
    assert visit.survey_invitation_id == links[0].invitation.pk
    assert visit.due_on <= timezone.localdate() + dt.timedelta(days=3)


def test_a_detractor_brings_the_planned_visit_forward(sent):
    manager, customer, links = sent
    planned = Visit.objects.create(
        customer=customer, assignee=manager, due_on=timezone.localdate() + dt.timedelta(days=40)
    )
    survey_answer(token=links[1].token, data=answers(default_template(), overall=4, nps=6))
    planned.refresh_from_db()
    assert planned.source == VisitSource.SURVEY and planned.due_on == timezone.localdate() + dt.timedelta(
        days=3
    )
    assert Visit.objects.filter(customer=customer).count() == 1


def test_good_scores_open_nothing(sent):
    _manager, customer, links = sent
    survey_answer(token=links[0].token, data=answers(default_template(), overall=3, nps=7))
    assert not Visit.objects.filter(customer=customer).exists()


def test_sending_is_checked(make_customer, role_user):
    manager, stranger, desk = (
        role_user("account_manager"),
        role_user("account_manager", "am2"),
        role_user("front_desk"),
    )
    customer, other = make_customer(owner=manager), make_customer(owner=manager)
    person = contact(customer)
    template = default_template()
    with pytest.raises(ValidationError) as refused:
        survey_send(
            actor=manager, template=template, customer=customer, contacts=[contact(other)], expires_in_days=0
        )
    assert set(refused.value.message_dict) == {"contacts", "expires_in_days"}
    for user in (stranger, desk):
        with pytest.raises(PermissionDeniedError):
            survey_send(actor=user, template=template, customer=customer, contacts=[person])
    assert not SurveyInvitation.objects.exists()


def test_email_goes_out_only_when_configured(
    sent, settings, mailoutbox, make_customer, role_user, django_capture_on_commit_callbacks
):
    assert mailoutbox == []  # the fixture sent without EMAIL_HOST set
    settings.EMAIL_HOST = "smtp.example.cn"
    manager, customer, _links = sent
    person = customer.contacts.get(name="王芳")
    with django_capture_on_commit_callbacks(execute=True):
        links = survey_send(actor=manager, template=default_template(), customer=customer, contacts=[person])
    assert len(mailoutbox) == 1 and links[0].token in mailoutbox[0].body
