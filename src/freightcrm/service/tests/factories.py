"""Helpers of the service tests: account managers with customers, contacts, rules and tags."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from django.apps import apps
from django.utils import timezone

from freightcrm.customers.models import Contact, Customer, Tag
from freightcrm.service.visits.models import VisitRule


def tag(name: str) -> Tag:
    return Tag.objects.get_or_create(name=name)[0]


def contact(customer: Customer, name: str = "张伟", **fields: Any) -> Contact:
    return Contact.objects.create(customer=customer, name=name, **fields)


def rule(name: str, *, months: int, tag_name: str | None = None, **conditions: Any) -> VisitRule:
    return VisitRule.objects.create(
        name=name, interval_months=months, tag=tag(tag_name) if tag_name else None, **conditions
    )


def moment(days_ago: float = 0, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def ensure_migration_defaults() -> None:
    """The default survey template and visit rules again: a transactional test's flush removed them."""
    migration = importlib.import_module("freightcrm.service.migrations.0002_visits_surveys")
    migration.create_defaults(apps, None)
