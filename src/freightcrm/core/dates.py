"""Days as instants: the project stores aware datetimes and reasons in the local calendar."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The instant `day` begins in the current time zone (Asia/Shanghai by default)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
