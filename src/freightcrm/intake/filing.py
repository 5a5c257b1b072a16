"""Writing what an import decided: new customers in bulk (with history, primary address and
contact, and review submissions per batch; search terms come with approval), historic shipments one
by one (their save keeps the monthly figures), so that `rows` stays free of database writes but the
updates it delegates to the customer services.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from freightcrm.core import access
from freightcrm.core.bulk import (
    DatabaseClock,
    TableShape,
    allocate_blocks,
    created_history_sql,
    insert_rows,
    reserve_ids,
)
from freightcrm.core.models import allocate_numbers
from freightcrm.core.regions import parse_addresses
from freightcrm.customers.choices import AddressKind, CustomerKind, ReviewState
from freightcrm.customers.models import Address, Contact, Customer
from freightcrm.customers.services import (
    apply_address,
    copy_region,
    customer_code_prefix,
    format_customer_code,
)
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.models import Submission
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import Shipment, ShipmentEvent
from freightcrm.shipments.services import WAYBILL_PREFIX, WAYBILL_SEQUENCE, derive_on_time

if TYPE_CHECKING:
    from freightcrm.intake.rows import Importer, Row


def primary_address_kind(customer: Customer) -> str:
    """An imported address is a person's home or a company's registered address."""
    return AddressKind.HOME if customer.kind == CustomerKind.INDIVIDUAL else AddressKind.REGISTERED


def write_customers(importer: Importer, rows: list[Row]) -> None:
    """File the batch's new customers in bulk, each waiting for review with a NEW submission."""
    if not rows:
        return
    actor = importer.actor
    now = timezone.now()
    clock = DatabaseClock()
    customers: list[Customer] = [row.record for row in rows]
    addressed = [row for row in rows if row.address]
    unparsed = [row for row in addressed if row.region is None]
    for row, found in zip(unparsed, parse_addresses([row.address for row in unparsed]), strict=True):
        row.region = found
    addresses: list[Address] = []
    for row in addressed:
        found = row.region
        customer = row.record
        address = importer.new_address(
            kind=primary_address_kind(customer),
            text=row.address,
            is_primary=True,
            created_at=now,
            updated_at=now,
        )
        apply_address(address, found)
        copy_region(customer, address)
        address.customer = customer
        addresses.append(address)
    prefixes = [customer_code_prefix(customer.kind, customer.adcode) for customer in customers]
    first_number = allocate_blocks(Counter(prefixes))
    first_id = reserve_ids(Customer, len(customers))
    for offset, (customer, prefix) in enumerate(zip(customers, prefixes, strict=True)):
        number = first_number[prefix]
        first_number[prefix] = number + 1
        customer.pk = first_id + offset
        customer.code = format_customer_code(prefix, number)
        customer.created_at = customer.updated_at = now
        customer.review_state = ReviewState.PENDING
        customer.created_by = actor
    shape = TableShape(Customer, clock, write_pk=True)
    insert_rows(Customer, shape.fields, (shape.row(customer) for customer in customers))
    stamp = clock.datetime_text(now)
    last_id = first_id + len(customers) - 1
    with connection.cursor() as cursor:
        cursor.execute(created_history_sql(Customer), [stamp, importer.reason, actor.pk, first_id, last_id])
    contacts = []
    for row in rows:
        if row.contact is not None:
            row.contact.customer = row.record
            row.contact.created_at = row.contact.updated_at = now
            contacts.append(row.contact)
    for model, parts in ((Address, addresses), (Contact, contacts)):
        if not parts:
            continue
        first = reserve_ids(model, len(parts))
        for offset, part in enumerate(parts):
            part.pk = first + offset
            part.customer_id = part.customer.pk  # type: ignore[attr-defined]
        part_shape = TableShape(model, clock, write_pk=True)
        insert_rows(model, part_shape.fields, (part_shape.row(part) for part in parts))
        with connection.cursor() as cursor:
            cursor.execute(
                created_history_sql(model), [stamp, importer.reason, actor.pk, first, first + len(parts) - 1]
            )
    submissions = [
        importer.new_submission(
            kind=SubmissionKind.NEW,
            source=Source.IMPORT,
            customer_id=customer.pk,
            submitted_by_id=actor.pk,
            note=importer.reason,
            import_job_id=importer.job.pk,
            base_version=customer.version,
            created_at=now,
            updated_at=now,
        )
        for customer in customers
    ]
    submission_shape = TableShape(Submission, clock)
    insert_rows(Submission, submission_shape.fields, (submission_shape.row(item) for item in submissions))
    # No search terms: the new customers wait for review, which indexes them when it approves.


def write_shipment(actor: Any, shipment: Shipment) -> None:
    """File a historic shipment with its booked (and delivered) events; the save keeps the monthly
    figures (`shipments.stats`) current."""
    access.require_change(actor, shipment, ["customer", "status"], creating=True)
    if not shipment.waybill_no:
        number = allocate_numbers(WAYBILL_SEQUENCE)[0]
        shipment.waybill_no = f"{WAYBILL_PREFIX}{timezone.localtime(shipment.booked_at):%Y%m%d}{number:010d}"
    shipment.on_time = derive_on_time(delivered_at=shipment.delivered_at, promised_at=shipment.promised_at)
    shipment.full_clean()
    shipment.save()
    user = actor if getattr(actor, "is_authenticated", False) else None
    ShipmentEvent.objects.create(
        shipment=shipment,
        status=ShipmentStatus.BOOKED,
        at=shipment.booked_at,
        city=shipment.origin_city,
        actor=user,
    )
    if shipment.delivered_at:
        ShipmentEvent.objects.create(
            shipment=shipment,
            status=ShipmentStatus.DELIVERED,
            at=shipment.delivered_at,
            city=shipment.destination_city,
            actor=user,
        )
