"""OCR intake pages: upload → progress (polled status) → confirm with confidence → filed. The model
is stubbed with the lines it returns for rendered images; tasks run at once (test settings)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from PIL import Image

from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Contact, Customer
from freightcrm.intake import ocr
from freightcrm.intake.choices import OcrState
from freightcrm.intake.models import OcrScan
from freightcrm.intake.tests.test_ocr_extract import CARD, LICENCE_TWO_COLUMNS

pytestmark = pytest.mark.django_db


def _upload(name: str = "licence.jpg") -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, format="JPEG")
    out.seek(0)
    out.name = name
    return out


@pytest.fixture
def signed_in(client: Any, role_user: Any) -> Any:
    def sign_in(role: str) -> Any:
        user = role_user(role)
        client.force_login(user)
        return user

    return sign_in


def _read(
    client: Any, monkeypatch: Any, lines: list[ocr.OcrLine], django_capture_on_commit_callbacks: Any
) -> OcrScan:
    monkeypatch.setattr(ocr, "read_image", lambda source: lines)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:intake_ocrscan_add"), {"kind": "auto", "image": _upload()})
    scan = OcrScan.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:intake_ocrscan_progress", args=[scan.pk])
    return scan


def test_licence_upload_progress_confirm_and_file(
    client, signed_in, monkeypatch, django_capture_on_commit_callbacks
):
    # given
    signed_in("account_manager")
    scan = _read(client, monkeypatch, LICENCE_TWO_COLUMNS, django_capture_on_commit_callbacks)
    # when: the progress page polls the status until the scan is read
    status = client.get(reverse("admin:intake_ocrscan_status", args=[scan.pk])).json()
    assert status["done"] and status["state"] == OcrState.READ
    page = client.get(reverse("admin:intake_ocrscan_confirm", args=[scan.pk]))
    # then: the fields are pre-filled with their confidence, the image beside
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="上海恒通国际物流有限公司"' in html
    assert "99%" in html
    assert reverse("admin:intake_ocrscan_image", args=[scan.pk]) in html
    assert client.get(reverse("admin:intake_ocrscan_image", args=[scan.pk])).status_code == 200
    # when: confirmed
    fields = {
        name: item["value"] for name, item in scan.refresh_from_db() or scan.extracted["fields"].items()
    }
    response = client.post(
        reverse("admin:intake_ocrscan_confirm", args=[scan.pk]),
        {**fields, "customer_kind": "E", "action": "file"},
    )
    # then
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.review_state == ReviewState.PENDING
    assert "已建档，等待审核" in client.get(response["Location"]).content.decode()


def test_corrections_with_errors_are_shown_on_the_form_and_nothing_filed(
    client, signed_in, monkeypatch, django_capture_on_commit_callbacks
):
    signed_in("account_manager")
    scan = _read(client, monkeypatch, LICENCE_TWO_COLUMNS, django_capture_on_commit_callbacks)
    response = client.post(
        reverse("admin:intake_ocrscan_confirm", args=[scan.pk]),
        {
            "name": "上海恒通国际物流有限公司",
            "uscc": "91310115MA1K4CN12X",
            "customer_kind": "E",
            "action": "file",
        },
    )
    assert response.status_code == 400
    assert "fc-invalid" in response.content.decode()
    assert not Customer.objects.exists()


def test_card_confirm_adds_a_contact_to_the_matching_customer(
    client, signed_in, make_customer, monkeypatch, django_capture_on_commit_callbacks
):
    signed_in("records_clerk")
    customer = make_customer(name="深圳顺达供应链管理有限公司", uscc="91440300MA5DC0QR27")
    scan = _read(client, monkeypatch, CARD, django_capture_on_commit_callbacks)
    page = client.get(reverse("admin:intake_ocrscan_confirm", args=[scan.pk])).content.decode()
    assert "深圳顺达供应链管理有限公司（" in page  # offered as where to add the person
    scan.refresh_from_db()
    fields = {name: item["value"] for name, item in scan.extracted["fields"].items()}
    response = client.post(
        reverse("admin:intake_ocrscan_confirm", args=[scan.pk]), {**fields, "target": str(customer.pk)}
    )
    assert response.status_code == 302
    assert Contact.objects.get().customer == customer


def test_a_bad_file_is_refused_on_the_upload_page(client, signed_in):
    signed_in("account_manager")
    pdf = io.BytesIO(b"%PDF-1.4 ...")
    pdf.name = "licence.pdf"
    response = client.post(reverse("admin:intake_ocrscan_add"), {"kind": "auto", "image": pdf})
    assert response.status_code == 400
    assert "PDF" in response.content.decode()
    assert not OcrScan.objects.exists()


def test_entry_points_and_who_may_use_them(client, signed_in):
    signed_in("account_manager")
    changelist = client.get(reverse("admin:customers_customer_changelist")).content.decode()
    assert reverse("admin:customers_customer_ocr_intake") in changelist
    assert client.get(reverse("admin:customers_customer_ocr_intake")).status_code == 302
    assert client.get(reverse("admin:intake_ocrscan_add")).status_code == 200
    client.logout()
    signed_in("auditor")
    assert client.get(reverse("admin:intake_ocrscan_add")).status_code == 404


def test_someone_elses_scan_is_not_found(
    client, signed_in, role_user, monkeypatch, django_capture_on_commit_callbacks
):
    signed_in("account_manager")
    scan = _read(client, monkeypatch, CARD, django_capture_on_commit_callbacks)
    client.force_login(role_user("account_manager", "am_other"))
    assert client.get(reverse("admin:intake_ocrscan_confirm", args=[scan.pk])).status_code == 404
    assert client.get(reverse("admin:intake_ocrscan_image", args=[scan.pk])).status_code == 404
