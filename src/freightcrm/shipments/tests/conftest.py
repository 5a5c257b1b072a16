"""Fixtures of the shipment tests: a booked shipment, made through the service."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from freightcrm.api.tests.conftest import api_as, token_for  # noqa: F401  (the API fixtures, for test_api)
from freightcrm.shipments.models import Shipment
from freightcrm.shipments.services import shipment_create


@pytest.fixture
def book(admin_user: Any, make_customer: Callable[..., Any]) -> Callable[..., Shipment]:
    """`book(customer=…, days_ago=3, promised_days=2)`: a shipment booked through the service."""

    def make(
        customer: Any = None,
        *,
        days_ago: float = 3,
        promised_days: float = 2,
        actor: Any = None,
        **fields: Any,
    ) -> Shipment:
        booked = timezone.now() - dt.timedelta(days=days_ago)
        values: dict[str, Any] = {
            "origin_city": "上海市",
            "destination_city": "成都市",
            "mode": "road",
            "weight_kg": Decimal("1200.50"),
            "amount": Decimal("3200.00"),
            "pieces": 3,
            "declared_value": Decimal("50000"),
            "booked_at": booked,
            "promised_at": booked + dt.timedelta(days=promised_days),
        }
        values.update(fields)
        return shipment_create(actor=actor or admin_user, customer=customer or make_customer(), **values)

    return make
