"""Helpers shared by the complaint tests: shipments, categories, a complaint at a fixed time."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from freightcrm.customers.models import Customer
from freightcrm.service.complaints.models import Complaint, ComplaintCategory
from freightcrm.service.complaints.services import complaint_file
from freightcrm.shipments.models import Shipment

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday morning
_waybills = itertools.count(1)


def at(hours: float = 0, days: float = 0) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours, days=days)


def shipment(customer: Customer, booked_at: dt.datetime | None = None, **fields: Any) -> Shipment:
    return Shipment.objects.create(
        customer=customer,
        waybill_no=fields.pop("waybill_no", f"TW{next(_waybills):010d}"),
        origin_city="上海市",
        destination_city="成都市",
        mode="road",
        cargo_type="general",
        weight_kg=Decimal("120.5"),
        amount=Decimal("860.00"),
        booked_at=booked_at or at(days=-3),
        **fields,
    )


def category(code: str) -> ComplaintCategory:
    return ComplaintCategory.objects.get(code=code)


def file(
    actor: Any,
    customer: Customer,
    *,
    severity: str = "normal",
    code: str = "delay-delivery",
    received_at: dt.datetime | None = None,
    **fields: Any,
) -> Complaint:
    received_at = received_at or T0
    return complaint_file(
        actor=actor,
        customer=customer,
        channel=fields.pop("channel", "phone"),
        category=category(code),
        description=fields.pop("description", "货物延误三天未送达，客户要求说明原因。"),
        severity=severity,
        received_at=received_at,
        now=fields.pop("now", received_at),
        **fields,
    )
