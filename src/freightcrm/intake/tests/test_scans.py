"""OCR intake's writes: upload → read (the model stubbed with the lines it returns for a rendered
licence or card; the real model runs in test_ocr_read.py) → confirm → filed for review."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from freightcrm.conftest import valid_uscc
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.choices import DocumentType, ReviewState
from freightcrm.customers.models import Contact, Customer, Document
from freightcrm.intake import ocr
from freightcrm.intake.choices import OcrState, Source, SubmissionKind
from freightcrm.intake.models import OcrScan, Submission
from freightcrm.intake.ocr import OcrProblem
from freightcrm.intake.review import decode_changes
from freightcrm.intake.scans import (
    customer_with_uscc,
    customers_named_like,
    scan_file_card,
    scan_file_licence,
    scan_propose_changes,
    scan_start,
    scans_visible_to,
)
from freightcrm.intake.tests.test_ocr_extract import CARD, LICENCE_TWO_COLUMNS

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def model_reads(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Stand in for the model: `model_reads(lines)` makes the next reading return `lines`."""

    def use(lines: list[ocr.OcrLine]) -> None:
        monkeypatch.setattr(ocr, "read_image", lambda source: lines)

    return use


def _read_licence(actor: Any, model_reads: Any, django_capture_on_commit_callbacks: Any) -> OcrScan:
    model_reads(LICENCE_TWO_COLUMNS)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_start(actor=actor, data=_jpeg(), original_name="执照.jpg")
    scan.refresh_from_db()
    return scan


def test_an_upload_is_read_in_the_background_and_its_fields_kept(
    role_user, model_reads, django_capture_on_commit_callbacks
):
    # given
    manager = role_user("account_manager")
    # when
    scan = _read_licence(manager, model_reads, django_capture_on_commit_callbacks)
    # then
    assert scan.state == OcrState.READ
    assert scan.kind == "licence"
    assert scan.extracted["fields"]["uscc"]["value"] == "91310115MA1K4CN12W"
    assert len(scan.lines) == len(LICENCE_TWO_COLUMNS)
    assert scan.seconds is not None


def test_a_confirmed_licence_is_filed_pending_review_with_the_image_as_document(
    role_user, model_reads, django_capture_on_commit_callbacks
):
    manager = role_user("account_manager")
    scan = _read_licence(manager, model_reads, django_capture_on_commit_callbacks)
    fields = {name: item["value"] for name, item in scan.extracted["fields"].items()}
    # when
    submission = scan_file_licence(actor=manager, scan=scan, fields=fields)
    # then
    customer = submission.customer
    assert submission.source == Source.OCR and submission.kind == SubmissionKind.NEW
    assert customer.review_state == ReviewState.PENDING
    assert customer.name == "上海恒通国际物流有限公司"
    assert customer.legal_representative == "王建国"
    assert customer.registered_capital == 500
    assert customer.founded_on.isoformat() == "2016-03-08"
    assert customer.province == "上海市"
    assert Document.objects.get(customer=customer).doc_type == DocumentType.LICENCE
    scan.refresh_from_db()
    assert scan.state == OcrState.FILED and scan.customer == customer and scan.submission == submission


def test_a_licence_whose_uscc_exists_is_refused_and_can_be_proposed_as_changes(
    role_user, make_customer, model_reads, django_capture_on_commit_callbacks
):
    clerk = role_user("records_clerk")
    existing = make_customer(name="上海恒通物流有限公司", uscc="91310115MA1K4CN12W")
    scan = _read_licence(clerk, model_reads, django_capture_on_commit_callbacks)
    fields = {name: item["value"] for name, item in scan.extracted["fields"].items()}
    with pytest.raises(ValidationError, match="already in the archive"):
        scan_file_licence(actor=clerk, scan=scan, fields=fields)
    assert customer_with_uscc(fields["uscc"]) == existing
    # when
    submission = scan_propose_changes(actor=clerk, scan=scan, customer=existing, fields=fields)
    # then: held for review, the customer untouched
    assert submission is not None and submission.kind == SubmissionKind.CHANGE
    assert decode_changes(submission)["name"] == "上海恒通国际物流有限公司"
    existing.refresh_from_db()
    assert existing.name == "上海恒通物流有限公司"


def test_wrong_values_are_refused_and_nothing_is_filed(
    role_user, model_reads, django_capture_on_commit_callbacks
):
    manager = role_user("account_manager")
    scan = _read_licence(manager, model_reads, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError):
        scan_file_licence(actor=manager, scan=scan, fields={"name": "上海恒通", "uscc": "91310115MA1K4CN12X"})
    assert not Customer.objects.exists() and not Submission.objects.exists()
    scan.refresh_from_db()
    assert scan.state == OcrState.READ


def test_a_card_adds_a_contact_to_the_chosen_customer(
    role_user, make_customer, model_reads, django_capture_on_commit_callbacks
):
    clerk = role_user("records_clerk")
    customer = make_customer(name="深圳顺达供应链管理有限公司", uscc=valid_uscc(7))
    model_reads(CARD)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_start(actor=clerk, data=_jpeg(), original_name="card.jpg")
    scan.refresh_from_db()
    fields = {name: item["value"] for name, item in scan.extracted["fields"].items()}
    assert customers_named_like(clerk, fields["company"]) == [customer]
    # when
    contact = scan_file_card(actor=clerk, scan=scan, fields=fields, customer=customer)
    # then
    assert contact.customer == customer
    assert (contact.name, contact.title, contact.mobile, contact.phone) == (
        "李晓明",
        "销售经理",
        "13812345678",
        "0755-86661234",
    )


def test_a_card_without_a_customer_files_a_new_one_for_review(
    role_user, model_reads, django_capture_on_commit_callbacks
):
    manager = role_user("account_manager")
    model_reads(CARD)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_start(actor=manager, data=_jpeg(), original_name="card.jpg")
    scan.refresh_from_db()
    fields = {name: item["value"] for name, item in scan.extracted["fields"].items()}
    contact = scan_file_card(actor=manager, scan=scan, fields=fields)
    customer = contact.customer
    assert customer.review_state == ReviewState.PENDING
    assert customer.name == "深圳顺达供应链管理有限公司"
    assert contact.is_primary
    assert Submission.objects.get(customer=customer).source == Source.OCR


def test_a_card_without_a_person_is_refused(role_user, model_reads, django_capture_on_commit_callbacks):
    manager = role_user("account_manager")
    model_reads(CARD)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_start(actor=manager, data=_jpeg(), original_name="card.jpg")
    scan.refresh_from_db()
    with pytest.raises(ValidationError, match="person"):
        scan_file_card(actor=manager, scan=scan, fields={"company": "某某公司"})
    assert not Contact.objects.exists()


def test_bad_uploads_are_refused_and_nothing_kept(role_user):
    manager = role_user("account_manager")
    with pytest.raises(OcrProblem):
        scan_start(actor=manager, data=b"%PDF-1.4", original_name="licence.pdf")
    assert not OcrScan.objects.exists()


def test_a_pdf_scan_is_kept_as_the_page_that_is_read(role_user):
    from freightcrm.intake.tests.test_ocr_read import as_pdf

    scan = scan_start(actor=role_user("account_manager"), data=as_pdf(_jpeg()), original_name="营业执照.pdf")
    assert scan.original_name == "营业执照.pdf" and scan.file.name.endswith(".png")
    with scan.file.open("rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_roles_that_cannot_file_customers_cannot_upload(role_user):
    with pytest.raises(PermissionDeniedError):
        scan_start(actor=role_user("auditor"), data=_jpeg(), original_name="x.jpg")


def test_others_scans_are_hidden_except_from_records_clerks(
    role_user, model_reads, django_capture_on_commit_callbacks
):
    manager = role_user("account_manager")
    other = role_user("account_manager", "am_other")
    scan = _read_licence(manager, model_reads, django_capture_on_commit_callbacks)
    assert list(scans_visible_to(other)) == []
    assert list(scans_visible_to(role_user("records_clerk"))) == [scan]
    with pytest.raises(PermissionDeniedError):
        scan_file_licence(actor=other, scan=scan, fields={"name": "x"})


def test_an_unreadable_result_is_kept_as_failed(role_user, monkeypatch, django_capture_on_commit_callbacks):
    manager = role_user("account_manager")

    def broken(source: Any) -> list[ocr.OcrLine]:
        raise OcrProblem("The file is not a readable image.")

    monkeypatch.setattr(ocr, "read_image", broken)
    with django_capture_on_commit_callbacks(execute=True):
        scan = scan_start(actor=manager, data=_jpeg(), original_name="x.jpg")
    scan.refresh_from_db()
    assert scan.state == OcrState.FAILED
    assert "not a readable image" in scan.message
