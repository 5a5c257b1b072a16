"""Review before filing (审核): how records enter the review queue.

Two ways in, used by import, OCR intake, the customer's self-service form and key-field edits:
- `file_for_review`: a new customer, validated like any other, filed with `review_state=pending`
  and a NEW submission; it is not the archive until a records clerk approves it.
- `propose_changes`: changes to an existing customer, validated now against the current record,
  kept (encrypted) in a CHANGE submission and applied only on approval; the customer is untouched.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from freightcrm.core.fields import EncryptedTextField, field_of
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Customer
from freightcrm.customers.services import customer_create
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.models import ImportJob, Submission

# Changing these by anyone but a records clerk goes to review (issue: name, USCC, bank account, owner).
KEY_FIELDS = ("name", "uscc", "bank_account", "owner")
NOT_PROPOSABLE = frozenset({"id", "uid", "code", "version", "created_by", "review_state"})


@transaction.atomic
def file_for_review(
    *,
    actor: Any,
    source: Source,
    address: str = "",
    note: str = "",
    import_job: ImportJob | None = None,
    **fields: Any,
) -> Submission:
    """File a new customer that waits for review. Raises `ValidationError` like `customer_create`."""
    customer = customer_create(actor=actor, address=address, review_state=ReviewState.PENDING, **fields)
    return Submission.objects.create(
        kind=SubmissionKind.NEW,
        source=source,
        customer=customer,
        submitted_by=actor,
        note=note[:500],
        import_job=import_job,
        base_version=customer.version,
    )


def encode_changes(customer: Customer, changes: dict[str, Any]) -> dict[str, str | None]:
    """Proposed values as text (what the field's own `value_to_string` writes; a foreign key by id)."""
    draft = copy.copy(customer)
    encoded: dict[str, str | None] = {}
    for name, value in changes.items():
        field = field_of(Customer, name)
        setattr(draft, name, value)
        raw = getattr(draft, field.attname)
        if raw in (None, ""):
            encoded[name] = None
        elif isinstance(field, EncryptedTextField):  # its value_to_string hides the value
            encoded[name] = str(raw)
        else:
            encoded[name] = field.value_to_string(draft)
    return encoded


def decode_changes(submission: Submission) -> dict[str, Any]:
    """The proposed values as Python values for `customer_update` (foreign keys as `<name>_id`)."""
    decoded: dict[str, Any] = {}
    for name, text in json.loads(submission.changes or "{}").items():
        field = field_of(Customer, name)
        if field.is_relation:
            decoded[field.attname] = None if text in (None, "") else int(text)
        else:
            decoded[name] = None if text is None else field.to_python(text)
    return decoded


@transaction.atomic
def propose_changes(
    *,
    actor: Any | None,
    customer: Customer,
    changes: dict[str, Any],
    source: Source,
    note: str = "",
    import_job: ImportJob | None = None,
) -> Submission | None:
    """Hold `changes` to `customer` for review. Returns None when nothing would change.

    The values are checked now (on a copy of the customer, with the archive's own validation), so
    the reviewer only ever decides about valid data. `actor` is None for the customer's own form.
    """
    for name in changes:
        if name in NOT_PROPOSABLE:
            raise ValidationError({name: _("This field cannot be changed.")})
    draft = copy.copy(customer)
    for name, value in changes.items():
        setattr(draft, name, value)
    draft.full_clean(exclude=["code"])
    normalised = {name: getattr(draft, name) for name in changes}
    before = encode_changes(customer, {name: getattr(customer, name) for name in changes})
    after = encode_changes(customer, normalised)
    changed = {name: value for name, value in after.items() if before[name] != value}
    if not changed:
        return None
    return Submission.objects.create(
        kind=SubmissionKind.CHANGE,
        source=source,
        customer=customer,
        changed_fields=sorted(changed),
        base_version=customer.version,
        submitted_by=actor,
        note=note[:500],
        import_job=import_job,
        changes=json.dumps(changed, ensure_ascii=False),
    )
