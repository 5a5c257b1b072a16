"""Reads of return visits: lists, the calendar per account manager, and the due list, timeline and card.

Importing this module registers the `visit` timeline source, the `visit_due` due source and the
customer card's "Return visits" section.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.service.due import DueCandidate, DueSource, register_due_source
from freightcrm.service.timeline import (
    Cursor,
    TimelineEntry,
    TimelineSource,
    older_than,
    register_timeline_source,
)
from freightcrm.service.visits.choices import VisitSource, VisitStatus
from freightcrm.service.visits.models import Visit

DUE_WITHIN_DAYS = 7


def visits_visible_to(user: Any) -> QuerySet[Visit]:
    if not access.may_view_model(user, Visit):
        return Visit.objects.none()
    return access.visible(user, Visit.objects.select_related("customer", "assignee"))


def visit_for(user: Any, pk: int | str) -> Visit:
    try:
        return visits_visible_to(user).get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise Visit.DoesNotExist from exc


def customer_visits(user: Any, customer: Customer) -> QuerySet[Visit]:
    return visits_visible_to(user).filter(customer=customer)


# --- the calendar -------------------------------------------------------------------------------


def calendar_people(user: Any) -> list[Any]:
    """Whose calendar `user` may open: everyone with visits for those who see all customers, else themself."""
    users = get_user_model().objects
    if not access.access_for(user).all_customers:
        return [user]
    with_visits = Visit.objects.filter(assignee__isnull=False).values("assignee_id").distinct()
    people = list(users.filter(Q(pk__in=with_visits) | Q(groups__name="account_manager")).distinct())
    return sorted(people, key=lambda person: (person_name(person), person.pk))


def visit_calendar(user: Any, *, assignee_id: int, year: int, month: int) -> dict[str, Any]:
    """A month grid (weeks of days, Monday first) of `assignee_id`'s due and done visits."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tz)
    visits = (
        visits_visible_to(user)
        .filter(assignee_id=assignee_id)
        .filter(
            Q(status=VisitStatus.PLANNED, due_on__range=(first, last))
            | Q(status=VisitStatus.DONE, visited_at__gte=start, visited_at__lt=end)
        )
    )
    today = timezone.localdate()
    by_day: dict[dt.date, list[dict[str, Any]]] = defaultdict(list)
    counts = {"planned": 0, "overdue": 0, "done": 0}
    for visit in visits.order_by("due_on", "visited_at", "pk"):
        if visit.status == VisitStatus.DONE:
            assert visit.visited_at is not None
            day = timezone.localtime(visit.visited_at).date()
            state = "done"
        else:
            day = visit.due_on
            state = "overdue" if day < today else "planned"
        if day.month == month:
            counts[state] += 1
        by_day[day].append(
            {
                "visit": visit,
                "state": state,
                "customer": visit.customer.short_name or visit.customer.name,
                "url": reverse("admin:service_visit_change", args=[visit.pk]),
                "follow_up": visit.source == VisitSource.SURVEY,
            }
        )
    overdue_before = (
        visits_visible_to(user)
        .filter(assignee_id=assignee_id, status=VisitStatus.PLANNED, due_on__lt=min(first, today))
        .count()
    )
    return {
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "today": day == today,
                    "items": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "counts": counts,
        "overdue_before": overdue_before,
    }


# --- the due list -------------------------------------------------------------------------------


def _due_candidates(kind: str, sources: Sequence[str], today: dt.date) -> Iterator[DueCandidate]:
    rows = (
        Visit.objects.filter(
            status=VisitStatus.PLANNED,
            assignee__isnull=False,
            source__in=sources,
            due_on__lte=today + dt.timedelta(days=DUE_WITHIN_DAYS),
        )
        .select_related("customer")
        .order_by("due_on", "pk")
    )
    for visit in rows.iterator(chunk_size=2_000):
        assert visit.assignee_id is not None
        overdue = visit.due_on < today
        title = gettext("Return visit to %(customer)s") % {"customer": visit.customer.name}
        if kind == "survey_followup":
            title = gettext("Follow up a low survey score: %(customer)s") % {"customer": visit.customer.name}
        elif overdue:
            title = gettext("Overdue return visit to %(customer)s") % {"customer": visit.customer.name}
        yield DueCandidate(
            kind=kind,
            key=f"visit:{visit.pk}",
            assignee_id=visit.assignee_id,
            due_on=visit.due_on,
            title=title,
            customer_id=visit.customer_id,
            url=reverse("admin:service_visit_change", args=[visit.pk]),
            priority=2 if kind == "survey_followup" else (1 if overdue else 0),
        )


def visit_due_candidates(today: dt.date) -> Iterator[DueCandidate]:
    """Visits due within a week or overdue, for their account manager (survey follow-ups apart)."""
    return _due_candidates("visit_due", [VisitSource.RULE, VisitSource.MANUAL], today)


def survey_followup_candidates(today: dt.date) -> Iterator[DueCandidate]:
    """Visits opened by a low survey score: always on the list, whatever their date."""
    return _due_candidates("survey_followup", [VisitSource.SURVEY], today + dt.timedelta(days=366))


register_due_source(DueSource("visit_due", _("Return visits due"), visit_due_candidates, 30))
register_due_source(
    DueSource("survey_followup", _("Low survey scores to follow up"), survey_followup_candidates, 20)
)


# --- the timeline and the card ------------------------------------------------------------------


def _timeline_visits(user: Any, customer: Customer) -> QuerySet[Visit]:
    return visits_visible_to(user).filter(customer=customer, status=VisitStatus.DONE)


def visit_entries(user: Any, customer: Customer, cursor: Cursor | None, limit: int) -> list[TimelineEntry]:
    rows = (
        _timeline_visits(user, customer)
        .filter(older_than(cursor, "visit", "visited_at"))
        .select_related(None)  # the customer is known: not its wide row again for each entry
        .select_related("recorded_by", "assignee")
        .order_by("-visited_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            kind="visit",
            id=visit.pk,
            at=visit.visited_at,  # type: ignore[arg-type]
            title=gettext("%(mode)s return visit") % {"mode": visit.get_mode_display()},
            detail=visit.content[:300],
            url=reverse("admin:service_visit_change", args=[visit.pk]),
            status=visit.get_outcome_display(),
            actor=person_name(visit.recorded_by or visit.assignee),
        )
        for visit in rows
    ]


register_timeline_source(
    TimelineSource(
        "visit",
        _("Return visits"),
        visit_entries,
        lambda user, customer: _timeline_visits(user, customer).count(),
        lambda user: access.may_view_model(user, Visit),
        30,
        icon="handshake",
    )
)


def visits_card(user: Any, customer: Customer) -> dict[str, Any]:
    visits = customer_visits(user, customer)
    return {
        "planned": visits.filter(status=VisitStatus.PLANNED).first(),
        "done": list(visits.filter(status=VisitStatus.DONE).order_by("-visited_at")[:5]),
        "today": timezone.localdate(),
        "may_add": access.access_for(user).has("service.add_visit"),
        "customer_id": customer.pk,
    }


register_card_section(
    CardSection(
        "visits",
        _("Return visits"),
        "service/visits/card.html",
        visits_card,
        70,
        lambda user: access.may_view_model(user, Visit),
    )
)
