"""Helpers shared by the care and timeline tests (not a conftest: other areas own theirs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from freightcrm.customers.models import Contact, Customer
from freightcrm.shipments.models import Shipment


def aware(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def shipment(customer: Customer, number: int, at: dt.datetime, **fields: Any) -> Shipment:
    values: dict[str, Any] = {
        "customer": customer,
        "waybill_no": f"SF{number:010d}",
        "origin_city": "上海",
        "destination_city": "北京",
        "mode": "road",
        "cargo_type": "general",
        "weight_kg": Decimal("1200"),
        "amount": Decimal("3500"),
        "booked_at": at,
        "status": "in_transit",
    }
    values.update(fields)
    return Shipment.objects.create(**values)


def contact(customer: Customer, name: str, birthday: dt.date | None = None) -> Contact:
    return Contact.objects.create(customer=customer, name=name, birthday=birthday)


def set_updated_at(customer: Customer, when: dt.datetime) -> None:
    Customer.objects.filter(pk=customer.pk).update(updated_at=when)
