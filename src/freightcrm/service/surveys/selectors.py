"""Reads of survey results: per customer (card section), aggregated (results page, API), the timeline.

NPS is the share of promoters (9–10) minus the share of detractors (0–6), in points from −100 to
100. Averages of the 1–5 scales are per dimension; the response rate is answered invitations over
invitations sent (expired ones included).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.service.surveys.choices import LOW_NPS, PROMOTER_FROM, SCALED_DIMENSIONS, Dimension
from freightcrm.service.surveys.models import SurveyAnswer, SurveyInvitation, SurveyTemplate
from freightcrm.service.timeline import (
    Cursor,
    TimelineEntry,
    TimelineSource,
    older_than,
    register_timeline_source,
)
from freightcrm.service.visits.services import add_months


def invitations_visible_to(user: Any) -> QuerySet[SurveyInvitation]:
    if not access.may_view_model(user, SurveyInvitation):
        return SurveyInvitation.objects.none()
    return access.visible(user, SurveyInvitation.objects.select_related("customer", "contact", "template"))


def active_templates() -> QuerySet[SurveyTemplate]:
    return SurveyTemplate.objects.filter(is_active=True)


def nps(promoters: int, detractors: int, answered: int) -> float | None:
    return round(100 * (promoters - detractors) / answered, 1) if answered else None


def _nps_aggregates() -> dict[str, Any]:
    return {
        "nps_answers": Count("pk", filter=Q(nps_score__isnull=False)),
        "promoters": Count("pk", filter=Q(nps_score__gte=PROMOTER_FROM)),
        "detractors": Count("pk", filter=Q(nps_score__lte=LOW_NPS)),
    }


def survey_results(
    user: Any, *, customer: Customer | None = None, since: dt.date | None = None, months: int = 12
) -> dict[str, Any]:
    """Averages per dimension, NPS, response rate overall and by month, over what `user` may see.

    Two queries whatever the number of invitations: the months (whose sums are the totals: every
    invitation has a sending month) and the averages per dimension.
    """
    today = timezone.localdate()
    if since is None:  # the first day of the month `months - 1` months ago: 12 whole months
        since = add_months(today.replace(day=1), -(months - 1))
    start = dt.datetime.combine(since, dt.time.min, timezone.get_current_timezone())
    invitations = invitations_visible_to(user).filter(sent_at__gte=start)
    if customer is not None:
        invitations = invitations.filter(customer=customer)
    averages = dict(
        SurveyAnswer.objects.filter(invitation__in=invitations.filter(answered_at__isnull=False).values("pk"))
        .filter(score__isnull=False, dimension__in=SCALED_DIMENSIONS)
        .values("dimension")
        .annotate(average=Avg("score"))
        .values_list("dimension", "average")
    )
    labels = dict(Dimension.choices)
    dimensions = [
        {
            "dimension": dimension,
            "label": str(labels[dimension]),
            "average": round(float(averages[dimension]), 2) if averages.get(dimension) is not None else None,
        }
        for dimension in SCALED_DIMENSIONS
    ]
    by_month = []
    query: Any = (
        invitations.annotate(month=TruncMonth("sent_at"))
        .values("month")
        .annotate(
            sent=Count("pk"),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
            overall=Avg("overall_score"),
            **_nps_aggregates(),
        )
        .order_by("month")
    )
    rows: list[dict[str, Any]] = list(query)
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("sent", "answered", "nps_answers", "promoters", "detractors")
    }
    for row in rows:
        by_month.append(
            {
                "month": row["month"],
                "sent": row["sent"],
                "answered": row["answered"],
                "response_rate": round(100 * row["answered"] / row["sent"], 1) if row["sent"] else None,
                "overall": round(float(row["overall"]), 2) if row["overall"] is not None else None,
                "nps": nps(row["promoters"], row["detractors"], row["nps_answers"]),
            }
        )
    peak = max((abs(m["nps"]) for m in by_month if m["nps"] is not None), default=0)
    for month in by_month:
        month["height"] = round(100 * abs(month["nps"]) / peak) if peak and month["nps"] is not None else 0
    return {
        "since": since,
        "sent": totals["sent"],
        "answered": totals["answered"],
        "response_rate": round(100 * totals["answered"] / totals["sent"], 1) if totals["sent"] else None,
        "nps": nps(totals["promoters"], totals["detractors"], totals["nps_answers"]),
        "promoters": totals["promoters"],
        "detractors": totals["detractors"],
        "nps_answers": totals["nps_answers"],
        "dimensions": dimensions,
        "months": by_month,
    }


def low_scores(user: Any, *, limit: int = 20) -> list[SurveyInvitation]:
    return list(
        invitations_visible_to(user)
        .filter(low_score=True)
        .select_related("customer__owner")
        .order_by("-answered_at", "-pk")[:limit]
    )


def customer_latest_scores(user: Any, customer: Customer) -> dict[str, Any]:
    """The latest answered survey's score per dimension, and the customer's NPS over all answers."""
    invitations = invitations_visible_to(user).filter(customer=customer)
    latest = invitations.filter(answered_at__isnull=False).order_by("-answered_at", "-pk").first()
    scores: list[dict[str, Any]] = []
    comment = ""
    if latest is not None:
        answers = {a.dimension: a for a in SurveyAnswer.objects.filter(invitation=latest)}
        labels = dict(Dimension.choices)
        for dimension in (*SCALED_DIMENSIONS, Dimension.NPS):
            answer = answers.get(dimension)
            scores.append(
                {
                    "label": str(labels[dimension]),
                    "score": answer.score if answer else None,
                    "max": 10 if dimension == Dimension.NPS else 5,
                    "low": bool(
                        answer
                        and answer.score is not None
                        and (answer.score <= (LOW_NPS if dimension == Dimension.NPS else 2))
                    ),
                }
            )
        comment = answers[Dimension.COMMENT].text if Dimension.COMMENT in answers else ""
    totals = invitations.aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        last_sent=Max("sent_at"),
        **_nps_aggregates(),
    )
    return {
        "latest": latest,
        "scores": scores,
        "comment": comment,
        "sent": totals["sent"],
        "answered": totals["answered"],
        "last_sent": totals["last_sent"],
        "nps": nps(totals["promoters"], totals["detractors"], totals["nps_answers"]),
        "may_send": access.access_for(user).has("service.add_surveyinvitation"),
        "customer_id": customer.pk,
    }


register_card_section(
    CardSection(
        "surveys",
        _("Satisfaction"),
        "service/surveys/card.html",
        customer_latest_scores,
        72,
        lambda user: access.may_view_model(user, SurveyInvitation),
    )
)


def _timeline_invitations(user: Any, customer: Customer) -> QuerySet[SurveyInvitation]:
    return (
        invitations_visible_to(user).filter(customer=customer).annotate(at=Coalesce("answered_at", "sent_at"))
    )


def survey_entries(user: Any, customer: Customer, cursor: Cursor | None, limit: int) -> list[TimelineEntry]:
    rows = (
        _timeline_invitations(user, customer)
        .filter(older_than(cursor, "survey", "at"))
        .select_related(None)  # the customer is known: not its wide row again for each entry
        .select_related("sent_by", "contact", "template")
        .order_by(F("at").desc(), "-pk")[:limit]
    )
    now = timezone.now()
    entries = []
    for row in rows:
        contact = row.contact.name if row.contact else ""
        if row.answered_at:
            title = gettext("Survey answered by %(contact)s") % {"contact": contact or "—"}
            parts = []
            if row.overall_score is not None:
                parts.append(gettext("overall %(score)s/5") % {"score": row.overall_score})
            if row.nps_score is not None:
                parts.append(f"NPS {row.nps_score}")
            detail, status = ", ".join(parts), str(_("Low score") if row.low_score else _("Answered"))
        else:
            title = gettext("Survey sent to %(contact)s") % {"contact": contact or "—"}
            detail = row.template.name
            status = str(_("Expired") if row.expires_at <= now else _("Awaiting answer"))
        entries.append(
            TimelineEntry(
                kind="survey",
                id=row.pk,
                at=row.at,  # type: ignore[attr-defined]
                title=title,
                detail=detail,
                url=reverse("admin:service_surveyinvitation_change", args=[row.pk]),
                status=status,
                actor=person_name(row.sent_by) if row.sent_by else "",
            )
        )
    return entries


register_timeline_source(
    TimelineSource(
        "survey",
        _("Surveys"),
        survey_entries,
        lambda user, customer: invitations_visible_to(user).filter(customer=customer).count(),
        lambda user: access.may_view_model(user, SurveyInvitation),
        40,
        icon="sentiment_satisfied",
    )
)
