"""Demo surveys: the customers the visit rules select get a survey every six months (strategic) or
yearly (others), about two in three answered, with believable scores.

Each customer has a latent satisfaction (mostly 3.5–4.8 of 5) that drifts a little between surveys;
expectations run a little above experience, perceived value a little below; NPS follows
satisfaction, so the demo NPS lands around +20 to +35, like a decent logistics provider. Demo links
are hashes of nothing anyone holds: they cannot be answered, only read. Recent low scores turn the
customer's planned visit into a follow-up, as a real answer would.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import transaction
from django.db.models import OuterRef, Subquery

from freightcrm.core.dates import local_midnight
from freightcrm.customers.demo_steps import DemoStepContext
from freightcrm.service.surveys.choices import Dimension
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyQuestion, SurveyTemplate
from freightcrm.service.surveys.services import is_low
from freightcrm.service.visits.choices import VisitSource, VisitStatus
from freightcrm.service.visits.demo import (
    at_work,
    customer_batches,
    insert_instances,
    picked_customers,
    stream,
)
from freightcrm.service.visits.models import Visit
from freightcrm.service.visits.services import add_months

BATCH = 200  # customers per transaction
RESPONSE_RATE = 0.66
FOLLOW_UP_WINDOW = dt.timedelta(days=60)
COMMENTS_GOOD = ("服务一直很稳定，希望继续保持。", "客服响应及时，点赞。", "司机很专业，卸货规范。", "")
COMMENTS_BAD = (
    "旺季时效波动大，希望提前沟通运力。",
    "对账单经常有差异，希望改进。",
    "价格偏高，希望给予优惠。",
    "货物外包装有破损，请加强装卸管理。",
)


def _clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def run(ctx: DemoStepContext) -> int:
    template = SurveyTemplate.objects.filter(is_default=True).first()
    if template is None:
        return 0
    questions = list(SurveyQuestion.objects.filter(template=template).order_by("position", "pk"))
    written = 0
    start_day = ctx.today - dt.timedelta(days=365 * ctx.years)
    end = local_midnight(ctx.today)
    for chunk, contacts in customer_batches(ctx, list(picked_customers(ctx)), BATCH, lambda p: p.customer_id):
        invitations: list[SurveyInvitation] = []
        scores: list[dict[str, int | str]] = []
        for item in chunk:
            people = contacts.get(item.customer_id)
            if not people:
                continue
            rng = stream(ctx.seed, "surveys", item.index)
            mood = min(4.9, max(1.6, rng.gauss(4.05, 0.55)))
            every = 6 if item.interval <= 1 else 12
            day = start_day + dt.timedelta(days=rng.randint(0, every * 30))
            while day < ctx.today - dt.timedelta(days=1):
                mood = min(4.95, max(1.3, mood + rng.gauss(0, 0.25)))
                contact_id = people[0][0] if rng.random() < 0.85 else rng.choice(people)[0]
                sent_at = at_work(rng, day)
                answered = rng.random() < RESPONSE_RATE
                answered_at = sent_at + dt.timedelta(hours=rng.randint(1, 24 * 6)) if answered else None
                if answered_at and answered_at > end:
                    answered_at = None
                digest = hashlib.sha256(f"demo:{ctx.seed}:{item.index}:{day}".encode()).hexdigest()
                values: dict[str, int | str] = {}
                if answered_at:
                    overall = _clamp(mood + rng.gauss(0, 0.45), 1, 5)
                    values = {
                        Dimension.EXPECTED: _clamp(mood + 0.35 + rng.gauss(0, 0.5), 1, 5),
                        Dimension.EXPERIENCED: _clamp(mood + rng.gauss(0, 0.5), 1, 5),
                        Dimension.VALUE: _clamp(mood - 0.25 + rng.gauss(0, 0.55), 1, 5),
                        Dimension.OVERALL: overall,
                        Dimension.NPS: _clamp((mood - 1) / 4 * 10 + 0.6 + rng.gauss(0, 1.2), 0, 10),
                    }
                    comment = rng.choice(COMMENTS_GOOD if overall >= 4 else COMMENTS_BAD)
                    if comment and rng.random() < 0.5:
                        values[Dimension.COMMENT] = comment
                overall_score = values.get(Dimension.OVERALL)
                nps_score = values.get(Dimension.NPS)
                invitations.append(
                    SurveyInvitation(
                        template=template,
                        customer_id=item.customer_id,
                        contact_id=contact_id,
                        token_hash=digest,
                        sent_by_id=item.owner_id,
                        sent_at=sent_at,
                        expires_at=sent_at + dt.timedelta(days=14),
                        answered_at=answered_at,
                        overall_score=overall_score if isinstance(overall_score, int) else None,
                        nps_score=nps_score if isinstance(nps_score, int) else None,
                        low_score=bool(answered_at)
                        and is_low(
                            overall_score if isinstance(overall_score, int) else None,
                            nps_score if isinstance(nps_score, int) else None,
                        ),
                    )
                )
                scores.append(values)
                day = add_months(day, every) + dt.timedelta(days=rng.randint(-7, 7))
        written += _write(invitations, scores, questions, ctx.today)
    return written


def _write(
    invitations: list[SurveyInvitation],
    scores: list[dict[str, int | str]],
    questions: list[SurveyQuestion],
    today: dt.date,
) -> int:
    with transaction.atomic():
        insert_instances(SurveyInvitation, invitations, with_ids=True)
        answers = [
            SurveyAnswer(
                invitation_id=invitation.pk,
                question_id=question.pk,
                dimension=question.dimension,
                score=value if isinstance(value, int) else None,
                text=value if isinstance(value, str) else "",
            )
            for invitation, values in zip(invitations, scores, strict=True)
            for question in questions
            if (value := values.get(question.dimension)) is not None
        ]
        insert_instances(SurveyAnswer, answers)
        recent = local_midnight(today) - FOLLOW_UP_WINDOW
        follow_ups = {  # each customer's latest recent low score
            invitation.customer_id: invitation.pk
            for invitation in invitations
            if invitation.low_score and invitation.answered_at and invitation.answered_at >= recent
        }
        if follow_ups:
            latest = SurveyInvitation.objects.filter(
                pk__in=follow_ups.values(), customer_id=OuterRef("customer_id")
            )
            Visit.objects.filter(customer_id__in=follow_ups, status=VisitStatus.PLANNED).update(
                source=VisitSource.SURVEY,
                survey_invitation=Subquery(latest.values("pk")[:1]),
                purpose="满意度低分回访",
            )
    return len(invitations) + len(answers)
