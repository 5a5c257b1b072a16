"""OCR intake: the writes of a licence or card scan, from upload to filing for review.

`scan_start` checks and keeps the upload and queues the reading; `scan_read` (the background task)
reads and extracts; a person then confirms the fields and one of the filing services runs:
`scan_file_licence` files a new customer pending review (keeping the image as its licence
document), `scan_propose_changes` holds the licence's values as proposed changes to the customer
that already has that USCC, `scan_file_card` adds the person as a contact of an existing customer
or files a new customer with that contact for review. Reads are in `scan_*` selectors below.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.core.validators import normalise_uscc
from freightcrm.customers.choices import CustomerKind, DocumentType
from freightcrm.customers.models import Contact, Customer, Document
from freightcrm.customers.services import customer_part_save
from freightcrm.intake import ocr
from freightcrm.intake.choices import OcrKind, OcrState, Source
from freightcrm.intake.models import OcrScan, Submission
from freightcrm.intake.review import file_for_review, propose_changes

# Licence fields a person confirms, in the order of the form, and the customer field each fills.
LICENCE_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "address",
    "registered_capital",
    "founded_on",
    "company_type",
    "business_scope",
)
CARD_FIELDS = ("person", "title", "mobile", "phone", "email", "company", "address", "website")
PROPOSABLE = ("name", "legal_representative", "registered_capital", "founded_on", "business_scope")
SEE_ALL = "intake.review_submission"  # records clerks see every scan; others their own


def _require_intake(actor: Any) -> None:
    if not access.access_for(actor).has("customers.add_customer"):
        raise PermissionDeniedError(_("Your role may not file new customers, so it may not use OCR intake."))


@transaction.atomic
def scan_start(*, actor: Any, data: bytes, original_name: str, kind: str = OcrKind.AUTO) -> OcrScan:
    """Check the upload (type, size, readable), keep it, and queue its reading after the commit."""
    _require_intake(actor)
    if kind not in OcrKind.values:
        raise ValidationError({"kind": _("Choose licence, card or “decide from the text”.")})
    image = ocr.load_image(data)  # refuses empty, too large, broken files with a message
    if ocr.is_pdf(data):  # kept as the page that is read, for the confirm page to show
        data, suffix = ocr.page_png(image), "png"
    else:
        suffix = ocr.image_format(data)
    scan = OcrScan(kind=kind, original_name=original_name[:255], size=len(data), created_by=actor)
    scan.file.save(f"scan.{suffix}", ContentFile(data), save=False)
    scan.save()
    transaction.on_commit(lambda: _enqueue(scan.pk))
    return scan


def _enqueue(scan_id: int) -> None:
    from freightcrm.intake.ocr_tasks import read_scan

    read_scan.enqueue(scan_id)


def scan_read(scan: OcrScan) -> OcrScan:
    """Read the image and extract the fields (the background task). A failure is kept on the scan
    with its message, for the page to show; the upload stays for another try."""
    scan.state = OcrState.READING
    scan.save(update_fields=["state", "updated_at"])
    started = time.perf_counter()
    try:
        with scan.file.open("rb") as handle:
            lines = ocr.read_image(handle.read())
    except ApplicationError as error:
        scan.state, scan.message = OcrState.FAILED, str(error)
        scan.save(update_fields=["state", "message", "updated_at"])
        return scan
    extracted = ocr.extract(lines, "" if scan.kind == OcrKind.AUTO else scan.kind)
    scan.seconds = round(time.perf_counter() - started, 2)
    scan.lines = [line.as_json() for line in lines]
    scan.extracted = extracted.as_json()
    scan.kind = extracted.kind
    scan.state = OcrState.READ
    scan.message = "" if lines else str(_("No text was found. Take a sharper, well-lit photo and try again."))
    scan.save()
    return scan


def _require_open(actor: Any, scan: OcrScan) -> None:
    _require_intake(actor)
    if scan.created_by_id != actor.pk and not access.access_for(actor).has(SEE_ALL):
        raise PermissionDeniedError(_("This scan was uploaded by someone else."))
    if scan.state != OcrState.READ:
        raise ApplicationError(
            _("This scan is %(state)s; only a scan that has been read can be filed."),
            code="scan_not_ready",
            params={"state": scan.get_state_display()},
        )


def _licence_values(fields: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": (fields.get("name") or "").strip(),
        "uscc": normalise_uscc(fields.get("uscc") or "") or None,
        "legal_representative": (fields.get("legal_representative") or "").strip(),
        "registered_capital": fields.get("registered_capital") or None,
        "founded_on": fields.get("founded_on") or None,
        "business_scope": (fields.get("business_scope") or "").strip(),
    }
    if isinstance(values["registered_capital"], str):
        values["registered_capital"] = Decimal(values["registered_capital"])
    return values


@transaction.atomic
def scan_file_licence(
    *, actor: Any, scan: OcrScan, fields: dict[str, Any], kind: str = CustomerKind.ENTERPRISE
) -> Submission:
    """File the confirmed licence as a new customer pending review, with the image kept as its
    business licence document. A USCC already in the archive is refused: propose changes instead."""
    _require_open(actor, scan)
    values = _licence_values(fields)
    if values["uscc"] and Customer.objects.filter(uscc=values["uscc"]).exists():
        raise ValidationError(
            {"uscc": _("A customer with this USCC is already in the archive; propose changes to it instead.")}
        )
    company_type = (fields.get("company_type") or "").strip()
    remarks = str(_("Company type on the licence: %(type)s")) % {"type": company_type} if company_type else ""
    submission = file_for_review(
        actor=actor,
        source=Source.OCR,
        address=(fields.get("address") or "").strip(),
        note=str(_("Read from a business licence (OCR) and confirmed by %(user)s")) % {"user": actor},
        kind=kind,
        remarks=remarks,
        **values,
    )
    _keep_licence(actor, scan, submission.customer)
    return _filed(scan, submission.customer, submission)


def _keep_licence(actor: Any, scan: OcrScan, customer: Customer) -> None:
    """The image as the customer's licence document, when the actor may file documents for it."""
    with scan.file.open("rb") as handle:
        document = Document(
            customer=customer,
            doc_type=DocumentType.LICENCE,
            title=str(_("Business licence (OCR intake)")),
            dated=timezone.localdate(),
            original_name=scan.original_name,
            size=scan.size,
        )
        document.file.save((scan.file.name or "scan").rsplit("/", 1)[-1], File(handle), save=False)
    try:
        with transaction.atomic():
            customer_part_save(actor=actor, part=document, reason=str(_("OCR intake")))
    except PermissionDeniedError:
        document.file.delete(save=False)


def _filed(scan: OcrScan, customer: Customer, submission: Submission | None) -> Submission:
    scan.state = OcrState.FILED
    scan.customer = customer
    scan.submission = submission
    scan.save(update_fields=["state", "customer", "submission", "updated_at"])
    return submission  # type: ignore[return-value]


@transaction.atomic
def scan_propose_changes(
    *, actor: Any, scan: OcrScan, customer: Customer, fields: dict[str, Any]
) -> Submission | None:
    """Hold the licence's values as proposed changes to `customer` (found by its USCC) for review.
    Only values that were read are proposed; None when the archive already says the same."""
    _require_open(actor, scan)
    if not access.can_see(actor, customer):
        raise PermissionDeniedError(_("You may not change this customer."))
    values = _licence_values(fields)
    changes = {name: values[name] for name in PROPOSABLE if values[name] not in (None, "")}
    submission = propose_changes(
        actor=actor,
        customer=customer,
        changes=changes,
        source=Source.OCR,
        note=str(_("Read from a business licence (OCR) and confirmed by %(user)s")) % {"user": actor},
    )
    scan.state = OcrState.FILED
    scan.customer = customer
    scan.submission = submission
    scan.save(update_fields=["state", "customer", "submission", "updated_at"])
    return submission


@transaction.atomic
def scan_file_card(
    *, actor: Any, scan: OcrScan, fields: dict[str, Any], customer: Customer | None = None
) -> Contact:
    """Add the card's person as a contact of `customer`, or, without one, file a new customer (the
    card's company, pending review) with the person as its primary contact."""
    _require_open(actor, scan)
    person = (fields.get("person") or "").strip()
    if not person:
        raise ValidationError({"person": _("Enter the person's name as printed on the card.")})
    submission: Submission | None = None
    if customer is None:
        company = (fields.get("company") or "").strip()
        if not company:
            raise ValidationError(
                {
                    "company": _(
                        "Enter the company on the card, or choose the existing customer to add the person to."
                    )
                }
            )
        submission = file_for_review(
            actor=actor,
            source=Source.OCR,
            address=(fields.get("address") or "").strip(),
            note=str(_("Read from a business card (OCR) and confirmed by %(user)s")) % {"user": actor},
            kind=CustomerKind.ENTERPRISE,
            name=company,
            website=_website(fields.get("website") or ""),
        )
        customer = submission.customer
    elif not access.can_see(actor, customer):
        raise PermissionDeniedError(_("You may not change this customer."))
    contact = Contact(
        customer=customer,
        name=person,
        title=(fields.get("title") or "").strip(),
        mobile=(fields.get("mobile") or "").strip(),
        phone=(fields.get("phone") or "").strip(),
        email=(fields.get("email") or "").strip(),
        is_primary=submission is not None,
        notes=str(_("From a business card (OCR intake)")),
    )
    customer_part_save(actor=actor, part=contact, reason=str(_("OCR intake")))
    _filed(scan, customer, submission)
    return contact


def _website(text: str) -> str:
    text = text.strip()
    return f"http://{text}" if text and "://" not in text else text


# Reads


def scans_visible_to(user: Any) -> QuerySet[OcrScan]:
    """Records clerks see every scan (they review what is filed); others the scans they uploaded."""
    scans = OcrScan.objects.select_related("created_by", "customer")
    if access.access_for(user).has(SEE_ALL):
        return scans
    return scans.filter(created_by_id=getattr(user, "pk", None))


def customer_with_uscc(uscc: str) -> Customer | None:
    """The customer already filed under this USCC (any review state), if any."""
    code = normalise_uscc(uscc or "")
    return Customer.objects.filter(uscc=code).first() if code else None


def customers_named_like(user: Any, company: str, limit: int = 5) -> list[Customer]:
    """Customers the user may see whose name matches the card's company, best first: the same name,
    then names containing it (or contained in it), for choosing where to add the contact."""
    company = (company or "").strip()
    if len(company) < 2:
        return []
    visible = access.visible(user, Customer.objects.all())
    same = list(visible.filter(name=company)[:limit])
    if len(same) >= limit:
        return same
    core = company.removesuffix("有限责任公司").removesuffix("有限公司").removesuffix("股份")
    similar = visible.filter(name__contains=core[-8:] if len(core) > 8 else core).exclude(
        pk__in=[c.pk for c in same]
    )
    return same + list(similar.order_by("name")[: limit - len(same)])
