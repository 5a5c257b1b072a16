"""The care area's own due sources: holiday care lists, anniversaries, birthdays, archive reviews.

Every source yields candidates for the customer's account manager (`Customer.owner`), for active
customers only, and reads the archive set-wise (one query each, streamed), so a refresh over a
million customers stays a handful of scans.

* **Holiday care** (节日关怀): New Year, Spring Festival and Mid-Autumn, for *important* active
  customers (tagged with one of `FREIGHTCRM_CARE_IMPORTANT_TAGS`, default 重点客户, or with an annual
  logistics spend of at least `FREIGHTCRM_CARE_IMPORTANT_SPEND` ten-thousand CNY, default 50). The
  item appears two weeks before the holiday and is due three days before it (greetings and gifts
  arrive in time); it disappears after the holiday. Lunar dates come from `lunardate`.
* **Cooperation anniversaries** (合作周年) and **contact birthdays** (联系人生日): a week ahead, due on
  the day.
* **Yearly archive review** (年度档案更新): an active customer whose archive has not been updated for
  12 months; a week ahead.
* **Quarterly check-in** (季度回访): no recorded contact for 3 months — the later of the archive's last
  update and the last shipment (visits and calls can refine this once they exist); a week ahead.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterator
from functools import lru_cache, reduce
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lunardate import LunarDate

from freightcrm.core.dates import local_midnight
from freightcrm.customers.choices import Status
from freightcrm.customers.models import Contact, Customer
from freightcrm.service.due import DueCandidate, DueSource, register_due_source
from freightcrm.shipments.models import Shipment

HOLIDAY_LEAD_DAYS = 14  # the care list appears this long before the holiday
HOLIDAY_DUE_BEFORE_DAYS = 3  # and is due this long before it
LOOKAHEAD_DAYS = 7  # anniversaries, birthdays and reviews appear a week ahead
REVIEW_AFTER_DAYS = 365
CHECKIN_AFTER_DAYS = 91
CHUNK = 2_000

HOLIDAYS = {
    "new_year": gettext_lazy("New Year"),
    "spring_festival": gettext_lazy("Spring Festival"),
    "mid_autumn": gettext_lazy("Mid-Autumn Festival"),
}


def holiday_date(holiday: str, year: int) -> dt.date:
    """The Gregorian date of `holiday` in `year` (lunar holidays through `lunardate`, 1900–2099)."""
    if holiday == "new_year":
        return dt.date(year, 1, 1)
    if holiday == "spring_festival":
        return LunarDate(year, 1, 1).to_solar_date()
    if holiday == "mid_autumn":
        return LunarDate(year, 8, 15).to_solar_date()
    raise ValueError(holiday)


def upcoming_holidays(today: dt.date) -> list[tuple[str, dt.date]]:
    """The holidays from today up to `HOLIDAY_LEAD_DAYS` ahead."""
    found = []
    for holiday in HOLIDAYS:
        for year in (today.year, today.year + 1):
            day = holiday_date(holiday, year)
            if 0 <= (day - today).days <= HOLIDAY_LEAD_DAYS:
                found.append((holiday, day))
    return found


@lru_cache(maxsize=4)
def _url_pattern(name: str) -> tuple[str, str]:
    head, _sep, tail = reverse(name, args=[987654321]).partition("987654321")
    return head, tail


def _url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` without resolving the URL conf once per row."""
    head, tail = _url_pattern(name)
    return f"{head}{pk}{tail}"


def _card_url(customer_id: int) -> str:
    return _url("admin:customers_customer_card", customer_id)


def active_customers() -> QuerySet[Customer]:
    return Customer.objects.filter(status=Status.ACTIVE, owner__isnull=False)


def important_customers() -> QuerySet[Customer]:
    """Active customers that get holiday care: an important tag, or a large annual spend."""
    tagged = Customer.tags.through.objects.filter(
        tag__name__in=settings.FREIGHTCRM_CARE_IMPORTANT_TAGS
    ).values("customer_id")
    return active_customers().filter(
        Q(pk__in=tagged) | Q(annual_logistics_spend__gte=settings.FREIGHTCRM_CARE_IMPORTANT_SPEND)
    )


def _days(today: dt.date, count: int) -> list[dt.date]:
    return [today + dt.timedelta(days=offset) for offset in range(count + 1)]


def _same_day_of_year(field: str, days: list[dt.date]) -> Q:
    """Rows whose `field` falls on one of `days`, any year (29 February counts as 28 in other years)."""
    pairs = {(day.month, day.day) for day in days}
    pairs |= {(2, 29) for day in days if (day.month, day.day) == (2, 28) and not _leap(day.year)}
    return reduce(operator.or_, (Q(**{f"{field}__month": m, f"{field}__day": d}) for m, d in pairs))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _on_or_after(today: dt.date, month: int, day: int) -> dt.date:
    """The next date from `today` with this month and day (29 February → 28 in common years)."""
    for year in (today.year, today.year + 1):
        if (month, day) == (2, 29) and not _leap(year):
            candidate = dt.date(year, 2, 28)
        else:
            candidate = dt.date(year, month, day)
        if candidate >= today:
            return candidate
    raise AssertionError("unreachable: a date recurs within a year")


def _streamed(rows: QuerySet[Any]) -> Iterator[Any]:
    """`rows` read in chunks, with titles written in the site's default language (not the worker's)."""
    with translation.override(settings.LANGUAGE_CODE):
        yield from rows.iterator(chunk_size=CHUNK)


def holiday_candidates(today: dt.date) -> Iterator[DueCandidate]:
    holidays = upcoming_holidays(today)
    if not holidays:
        return
    rows = important_customers().values_list("pk", "name", "owner_id").order_by("pk")
    for holiday, day in holidays:
        due_on = max(today, day - dt.timedelta(days=HOLIDAY_DUE_BEFORE_DAYS))
        for pk, name, owner_id in _streamed(rows):
            yield DueCandidate(
                kind="holiday_care",
                key=f"{holiday}:{day.year}:{pk}",
                assignee_id=owner_id,
                due_on=due_on,
                title=_("%(holiday)s care (%(date)s): %(customer)s")
                % {"holiday": HOLIDAYS[holiday], "date": day.strftime("%m-%d"), "customer": name},
                customer_id=pk,
                url=_card_url(pk),
                priority=1,
            )


def anniversary_candidates(today: dt.date) -> Iterator[DueCandidate]:
    days = _days(today, LOOKAHEAD_DAYS)
    rows = (
        active_customers()
        .filter(_same_day_of_year("cooperation_since", days), cooperation_since__lt=today)
        .values_list("pk", "name", "owner_id", "cooperation_since")
        .order_by("pk")
    )
    for pk, name, owner_id, since in _streamed(rows):
        assert since is not None  # filtered on its month and day
        day = _on_or_after(today, since.month, since.day)
        years = day.year - since.year
        if years < 1:
            continue
        yield DueCandidate(
            kind="anniversary",
            key=f"{pk}:{day.year}",
            assignee_id=owner_id,
            due_on=day,
            title=_("%(years)d years of cooperation on %(date)s: %(customer)s")
            % {"years": years, "date": day.strftime("%m-%d"), "customer": name},
            customer_id=pk,
            url=_card_url(pk),
        )


def birthday_candidates(today: dt.date) -> Iterator[DueCandidate]:
    days = _days(today, LOOKAHEAD_DAYS)
    rows = (
        Contact.objects.filter(
            _same_day_of_year("birthday", days),
            customer__status=Status.ACTIVE,
            customer__owner__isnull=False,
        )
        .values_list("pk", "name", "birthday", "customer_id", "customer__name", "customer__owner_id")
        .order_by("pk")
    )
    for pk, name, birthday, customer_id, customer_name, owner_id in _streamed(rows):
        assert birthday is not None  # filtered on its month and day
        day = _on_or_after(today, birthday.month, birthday.day)
        yield DueCandidate(
            kind="birthday",
            key=f"{pk}:{day.year}",
            assignee_id=owner_id,
            due_on=day,
            title=_("Birthday of %(contact)s on %(date)s (%(customer)s)")
            % {"contact": name, "date": day.strftime("%m-%d"), "customer": customer_name},
            customer_id=customer_id,
            url=_card_url(customer_id),
        )


def archive_review_candidates(today: dt.date) -> Iterator[DueCandidate]:
    cutoff = local_midnight(today + dt.timedelta(days=LOOKAHEAD_DAYS + 1 - REVIEW_AFTER_DAYS))
    rows = (
        active_customers()
        .filter(updated_at__lt=cutoff)
        .values_list("pk", "name", "owner_id", "updated_at")
        .order_by("pk")
    )
    for pk, name, owner_id, updated_at in _streamed(rows):
        due_on = timezone.localdate(updated_at) + dt.timedelta(days=REVIEW_AFTER_DAYS)
        yield DueCandidate(
            kind="archive_review",
            key=f"{pk}:{due_on.isoformat()}",
            assignee_id=owner_id,
            due_on=due_on,
            title=_("Yearly archive review: %(customer)s (last updated %(date)s)")
            % {"customer": name, "date": timezone.localdate(updated_at).isoformat()},
            customer_id=pk,
            url=_url("admin:customers_customer_change", pk),
        )


def checkin_candidates(today: dt.date) -> Iterator[DueCandidate]:
    cutoff = local_midnight(today + dt.timedelta(days=LOOKAHEAD_DAYS + 1 - CHECKIN_AFTER_DAYS))
    last_shipment = (
        Shipment.objects.filter(customer=OuterRef("pk")).order_by("-booked_at").values("booked_at")[:1]
    )
    rows = (
        active_customers()
        .filter(updated_at__lt=cutoff)
        .annotate(last_shipment=Subquery(last_shipment))
        .filter(Q(last_shipment__isnull=True) | Q(last_shipment__lt=cutoff))
        .values_list("pk", "name", "owner_id", "updated_at", "last_shipment")
        .order_by("pk")
    )
    for pk, name, owner_id, updated_at, shipped_at in _streamed(rows):
        last = max(filter(None, (updated_at, shipped_at)))
        due_on = timezone.localdate(last) + dt.timedelta(days=CHECKIN_AFTER_DAYS)
        yield DueCandidate(
            kind="checkin",
            key=f"{pk}:{due_on.isoformat()}",
            assignee_id=owner_id,
            due_on=due_on,
            title=_("Quarterly check-in: %(customer)s (no contact since %(date)s)")
            % {"customer": name, "date": timezone.localdate(last).isoformat()},
            customer_id=pk,
            url=_card_url(pk),
        )


SOURCES = (
    DueSource("holiday_care", gettext_lazy("Holiday care"), holiday_candidates, 10),
    DueSource("anniversary", gettext_lazy("Cooperation anniversary"), anniversary_candidates, 20),
    DueSource("birthday", gettext_lazy("Contact birthday"), birthday_candidates, 30),
    DueSource("archive_review", gettext_lazy("Yearly archive review"), archive_review_candidates, 40),
    DueSource("checkin", gettext_lazy("Quarterly check-in"), checkin_candidates, 50),
)


def register() -> None:
    for source in SOURCES:
        register_due_source(source)
