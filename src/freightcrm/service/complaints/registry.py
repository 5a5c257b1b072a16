"""What the complaint area adds to shared screens: timeline entries, due items, a card block, demo data.

Imported once from `ServiceConfig.ready()`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.dates import local_midnight
from freightcrm.core.display import person_name
from freightcrm.customers.demo_steps import DemoStep, register_demo_step, run_later
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, register_card_section
from freightcrm.service.care.services import register_daily_job
from freightcrm.service.complaints.choices import OPEN_STATES, SEVERITY_RANK, State
from freightcrm.service.complaints.models import Complaint
from freightcrm.service.complaints.selectors import complaints_visible_to, customer_complaints
from freightcrm.service.complaints.services import PERM_ADD, complaints_escalate
from freightcrm.service.due import DueCandidate, DueSource, register_due_source
from freightcrm.service.timeline import (
    Cursor,
    TimelineEntry,
    TimelineSource,
    older_than,
    register_timeline_source,
)

KIND = "complaint"
DUE_KIND = "complaint_overdue"
MANAGER_GROUP = "manager"


def _may_view(user: Any) -> bool:
    return access.may_view_model(user, Complaint)


def _url(complaint: Complaint) -> str:
    return reverse("admin:service_complaint_change", args=[complaint.pk])


def timeline_entries(
    user: Any, customer: Customer, cursor: Cursor | None, limit: int
) -> Sequence[TimelineEntry]:
    rows = (
        complaints_visible_to(user)
        .filter(customer=customer)
        .filter(older_than(cursor, KIND, "received_at"))
        .select_related(None)  # the customer is known: not its wide row again for each entry
        .select_related("filed_by", "category", "category__parent", "shipment")
        .order_by("-received_at", "-pk")[:limit]
    )
    return [
        TimelineEntry(
            kind=KIND,
            id=c.pk,
            at=c.received_at,
            title=gettext("Complaint %(number)s · %(category)s")
            % {"number": c.number, "category": c.category},
            detail=Truncator(c.description).chars(120),
            url=_url(c),
            status=str(c.get_state_display()),
            actor=person_name(c.filed_by),
            extra={
                "severity": c.severity,
                "number": c.number,
                "shipment": c.shipment.waybill_no if c.shipment else "",
            },
        )
        for c in rows
    ]


def timeline_count(user: Any, customer: Customer) -> int:
    return complaints_visible_to(user).filter(customer=customer).count()


def due_candidates(today: dt.date) -> Iterator[DueCandidate]:
    """Open complaints whose awaited step is due by the end of `today`: for the handler, and for every
    manager once escalated."""
    horizon = local_midnight(today + dt.timedelta(days=1))
    rows = (
        Complaint.objects.filter(
            Q(state=State.RECEIVED, response_due_at__lt=horizon)
            | Q(state__in=OPEN_STATES, resolution_due_at__lt=horizon)
        )
        .select_related("customer")
        .order_by("response_due_at", "pk")
    )
    managers = list(
        User.objects.filter(is_active=True, groups__name=MANAGER_GROUP)
        .values_list("pk", flat=True)
        .distinct()
    )
    for c in rows.iterator(chunk_size=2000):
        waiting_response = c.state == State.RECEIVED and c.response_due_at < horizon
        due_at = c.response_due_at if waiting_response else c.resolution_due_at
        what = gettext("response") if waiting_response else gettext("resolution")
        title = gettext("Complaint %(number)s (%(customer)s): %(what)s due %(due)s") % {
            "number": c.number,
            "customer": c.customer.name,
            "what": what,
            "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
        }
        assignees = set()
        if c.handler_id:
            assignees.add(c.handler_id)
        if c.escalation_level:
            assignees.update(managers)
        for user_id in sorted(assignees):
            yield DueCandidate(
                kind=DUE_KIND,
                key=f"complaint:{c.pk}",
                assignee_id=user_id,
                due_on=timezone.localdate(due_at),
                title=title,
                customer_id=c.customer_id,
                url=_url(c),
                priority=SEVERITY_RANK.get(c.severity, 0) + 10 * c.escalation_level,
            )


register_timeline_source(
    TimelineSource(
        KIND,
        _("Complaints"),
        timeline_entries,
        timeline_count,
        visible_to=_may_view,
        order=20,
        icon="feedback",
    )
)
register_due_source(DueSource(DUE_KIND, _("Overdue complaints"), due_candidates, order=10))
register_card_section(
    CardSection(
        "complaints",
        _("Complaints"),
        "service/complaints/card.html",
        lambda user, customer: {
            **customer_complaints(user, customer),
            "may_file": access.access_for(user).has(PERM_ADD),
        },
        45,
        _may_view,
    )
)
register_demo_step(
    DemoStep(
        "complaints", "投诉", run_later("freightcrm.service.complaints.demo", "demo_complaints"), order=20
    )
)


def _escalate_daily(today: dt.date) -> int:
    """The daily run's sweep; `escalate_complaints` can run more often from cron for tight targets."""
    return complaints_escalate(now=timezone.now())


register_daily_job("complaints_escalate", _escalate_daily)
