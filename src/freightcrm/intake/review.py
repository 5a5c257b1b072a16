"""Review before filing (审核): how records enter the review queue, and how a records clerk decides.

Two ways in, used by import, OCR intake, the customer's self-service form and key-field edits:
- `file_for_review`: a new customer, validated like any other, filed with `review_state=pending`
  and a NEW submission; it is not the archive until a records clerk approves it.
- `propose_changes`: changes to an existing customer, validated now against the current record,
  kept (encrypted) in a CHANGE submission and applied only on approval; the customer is untouched.

Decisions (`submission_approve`, `submission_reject`, `submissions_approve`) need
`intake.review_submission`. Each item is decided once: a second decision is refused, not repeated.
An approved change goes through `customer_update` like any edit (validation, history, search
index); if the customer's same fields were changed after the proposal, it is refused as a conflict
rather than overwriting that newer edit.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.core.fields import EncryptedTextField, field_of
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import ENCRYPTED_DIGESTS
from freightcrm.customers.services import (
    KEY_FIELDS,
    REVIEW_PERMISSION,
    customer_create,
    customer_set_review_state,
    customer_update,
)
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.models import ImportJob, Submission

__all__ = [
    "KEY_FIELDS",
    "ReviewRefused",
    "decode_changes",
    "file_for_review",
    "propose_changes",
    "submission_approve",
    "submission_reject",
    "submissions_approve",
]
MAX_REASON = 500
REFUSED = _("Only a records clerk may approve or reject records waiting for review.")
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


class ReviewRefused(ApplicationError):
    """The item cannot be decided: already decided, or its change conflicts with a newer edit."""

    code = "review_refused"
    status = 409


def _lock_pending(actor: Any, submission: Submission) -> Submission:
    access.require_permission(actor, REVIEW_PERMISSION, submission, refused=REFUSED)
    locked = Submission.objects.select_for_update().get(pk=submission.pk)
    if locked.state != ReviewState.PENDING:
        when = (
            date_format(timezone.localtime(locked.decided_at), "DATETIME_FORMAT")
            if locked.decided_at
            else "?"
        )
        raise ReviewRefused(
            _("This item was already decided (%(state)s) by %(who)s at %(when)s; nothing was changed."),
            code="already_decided",
            params={
                "state": locked.get_state_display(),
                "who": person_name(locked.decided_by) if locked.decided_by else "?",
                "when": when,
            },
        )
    return locked


def _decided(submission: Submission, actor: Any, state: str, reason: str = "") -> Submission:
    submission.state = state
    submission.decided_by = actor
    submission.decided_at = timezone.now()
    submission.reason = reason
    submission.save(update_fields=["state", "decided_by", "decided_at", "reason", "updated_at"])
    return submission


def conflicting_fields(submission: Submission, customer: Customer) -> list[str]:
    """The proposed fields that someone changed on `customer` after the proposal was made.

    Compares the customer's history as of `base_version` with its current values (encrypted fields
    by their blind index, the only thing history keeps of them).
    """
    if submission.base_version is None or customer.version == submission.base_version:
        return []
    then = (
        customer.history.filter(version__lte=submission.base_version)
        .order_by("-version", "-history_id")
        .first()
    )
    digests = {plain: digest for digest, plain in ENCRYPTED_DIGESTS.items()}
    conflicts = []
    for name in submission.changed_fields:
        attname = digests.get(name) or field_of(Customer, name).attname
        if then is None or getattr(then, attname) != getattr(customer, attname):
            conflicts.append(name)
    return conflicts


@transaction.atomic
def submission_approve(*, actor: Any, submission: Submission) -> Submission:
    """Approve one item: a NEW customer enters the archive; a CHANGE is applied as `actor`."""
    submission = _lock_pending(actor, submission)
    customer = Customer.objects.select_for_update().get(pk=submission.customer_id)
    reason = gettext("Approved in review")
    if submission.kind == SubmissionKind.NEW:
        customer_set_review_state(actor=actor, customer=customer, state=ReviewState.APPROVED, reason=reason)
    else:
        if customer.review_state != ReviewState.APPROVED:
            raise ReviewRefused(
                _("%(name)s is not in the archive yet; decide about filing it first."),
                params={"name": customer.name},
            )
        conflicts = conflicting_fields(submission, customer)
        if conflicts:
            labels = gettext(", ").join(str(field_of(Customer, name).verbose_name) for name in conflicts)
            raise ReviewRefused(
                _(
                    "%(fields)s of %(name)s changed after this was proposed; approving would overwrite "
                    "that newer edit. Reject this item with the reason, and propose the change again "
                    "if it is still needed."
                ),
                code="review_conflict",
                params={"fields": labels, "name": customer.name},
            )
        customer_update(
            actor=actor,
            customer=customer,
            version=customer.version,
            reason=reason,
            approving=True,
            **decode_changes(submission),
        )
    return _decided(submission, actor, ReviewState.APPROVED)


@transaction.atomic
def submission_reject(*, actor: Any, submission: Submission, reason: str) -> Submission:
    """Reject one item with a reason the submitter sees. A rejected NEW customer stays out of the
    archive (kept, for audit); a rejected CHANGE leaves the customer as it is."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why it is rejected, so that the submitter can correct it.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Keep the reason under %(max)s characters.") % {"max": MAX_REASON}}
        )
    submission = _lock_pending(actor, submission)
    if submission.kind == SubmissionKind.NEW:
        customer_set_review_state(
            actor=actor, customer=submission.customer, state=ReviewState.REJECTED, reason=reason
        )
    return _decided(submission, actor, ReviewState.REJECTED, reason)


@dataclass
class BulkOutcome:
    approved: int = 0
    refused: list[tuple[Submission, str]] = field(default_factory=list)


def submissions_approve(actor: Any, submissions: Iterable[Submission]) -> BulkOutcome:
    """Approve many items (those selected, or a whole import job's), each on its own: one that is
    refused (already decided, a conflict) is reported and does not hold back the others."""
    if not access.access_for(actor).has(REVIEW_PERMISSION):
        raise PermissionDeniedError(REFUSED)
    outcome = BulkOutcome()
    for submission in submissions:
        if submission.state != ReviewState.PENDING:
            continue
        try:
            submission_approve(actor=actor, submission=submission)
        except (ApplicationError, ValidationError) as error:
            message = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            outcome.refused.append((submission, message))
        else:
            outcome.approved += 1
    return outcome
