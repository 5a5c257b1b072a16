"""Documents, the transactions summary, key rotation, list pages per role, and the language."""

from __future__ import annotations

import datetime as dt
from base64 import b64encode
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from freightcrm.conftest import ALL_ROLES, valid_resident_id
from freightcrm.core import crypto
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.models import Customer, Document
from freightcrm.customers.services import customer_create, customer_part_save
from freightcrm.shipments.models import Shipment
from freightcrm.shipments.selectors import transactions_summary

pytestmark = pytest.mark.django_db


def pdf(name: str = "合同.pdf", size: int = 2048) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n" + b"0" * size, content_type="application/pdf")


def test_document_upload_and_download_follow_access(client, admin_user, role_user, make_customer):
    # given a contract and an annual financial report filed for a customer
    customer = make_customer()
    contract = customer_part_save(
        actor=admin_user,
        part=Document(
            customer=customer,
            doc_type="contract",
            title="2026 年运输合同",
            dated=dt.date(2026, 1, 5),
            file=pdf(),
        ),
    )
    report = customer_part_save(
        actor=admin_user,
        part=Document(
            customer=customer,
            doc_type="financial_report",
            title="2025 年度财务报告",
            dated=dt.date(2026, 3, 1),
            file=pdf("年报.pdf"),
        ),
    )
    assert contract.size > 2048 and contract.original_name == "合同.pdf"
    url = reverse("admin:customers_document_file", args=[report.pk])
    # then the credit analyst may download the report, operations may not even see documents
    client.force_login(role_user("credit_analyst"))
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    client.force_login(role_user("operations"))
    assert client.get(url).status_code == 404
    card = client.get(reverse("admin:customers_customer_card", args=[customer.pk])).content.decode()
    assert "2026 年运输合同" not in card


@pytest.mark.parametrize(
    ("upload", "message_part"),
    [(pdf("病毒.exe"), ".exe"), (SimpleUploadedFile("空.pdf", b""), "empty")],
)
def test_bad_documents_are_refused(admin_user, make_customer, upload, message_part, settings):
    settings.LANGUAGE_CODE = "en"
    from django.core.exceptions import ValidationError
    from django.utils import translation

    customer = make_customer()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        customer_part_save(
            actor=admin_user,
            part=Document(
                customer=customer, doc_type="other", title="x", dated=dt.date(2026, 1, 1), file=upload
            ),
        )
    assert message_part in str(caught.value)
    assert not Document.objects.exists()


def test_document_too_large_is_refused(admin_user, make_customer, settings):
    from django.core.exceptions import ValidationError

    settings.FREIGHTCRM_MAX_DOCUMENT_BYTES = 1024
    customer = make_customer()
    with pytest.raises(ValidationError):
        customer_part_save(
            actor=admin_user,
            part=Document(
                customer=customer, doc_type="other", title="x", dated=dt.date(2026, 1, 1), file=pdf()
            ),
        )


def test_account_manager_cannot_file_documents_for_others(role_user, make_customer):
    theirs = role_user("account_manager", "account_manager2")
    customer = make_customer(actor=theirs)
    with pytest.raises(PermissionDeniedError):
        customer_part_save(
            actor=role_user("account_manager"),
            part=Document(
                customer=customer, doc_type="letter", title="x", dated=dt.date(2026, 1, 1), file=pdf()
            ),
        )


def test_transactions_summary(admin_user, make_customer):
    # given shipments this year and last year
    customer = make_customer()
    today = dt.date(2026, 11, 23)

    def ship(n: int, days_ago: int, amount: str, on_time: bool | None) -> Shipment:
        booked = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days_ago), dt.time(10)))
        return Shipment.objects.create(
            customer=customer,
            waybill_no=f"WB{n:08d}",
            origin_city="上海",
            destination_city="成都",
            mode="road",
            cargo_type="general",
            weight_kg=Decimal("1000"),
            amount=Decimal(amount),
            booked_at=booked,
            on_time=on_time,
            status="delivered",
        )

    ship(1, 10, "1000.00", True)
    ship(2, 40, "3000.00", False)
    ship(3, 400, "2000.00", True)
    # when
    summary = transactions_summary(admin_user, customer, today=today)
    # then
    assert summary["count"] == 3 and summary["count_12m"] == 2 and summary["count_prev"] == 1
    assert summary["amount_12m"] == Decimal("4000.00")
    assert summary["trend_amount"] == 100.0
    assert summary["on_time_rate"] == 50.0
    assert summary["lanes"][0]["origin_city"] == "上海" and summary["lanes"][0]["count"] == 2
    assert summary["weight_tonnes_12m"] == Decimal(2)


def test_rotate_keys_reencrypts_under_new_primary(admin_user, settings):
    # given a customer encrypted under the test key
    customer = customer_create(
        actor=admin_user,
        kind="P",
        name="周杰",
        mobile="13800000011",
        id_number=valid_resident_id("19790101", 11),
        bank_account="6217000010001234567",
    )
    old_keys = settings.FREIGHTCRM_ENCRYPTION_KEYS
    new_key = b64encode(b"n" * 32).decode()
    settings.FREIGHTCRM_ENCRYPTION_KEYS = f"t2:{new_key},{old_keys}"
    crypto.reset_key_ring()
    try:
        # when
        call_command("rotate_keys", "--no-progress")
        # then every value is under t2 and still reads back
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id_number, bank_account FROM customers_customer WHERE id = %s", [customer.pk]
            )
            id_cipher, bank_cipher = cursor.fetchone()
        assert id_cipher.startswith("fc1:t2:") and bank_cipher.startswith("fc1:t2:")
        settings.FREIGHTCRM_ENCRYPTION_KEYS = f"t2:{new_key}"
        crypto.reset_key_ring()
        assert Customer.objects.get(pk=customer.pk).id_number == valid_resident_id("19790101", 11)
    finally:
        settings.FREIGHTCRM_ENCRYPTION_KEYS = old_keys
        crypto.reset_key_ring()


@pytest.mark.parametrize("role", ALL_ROLES)
def test_every_role_gets_the_list_without_n_plus_one(
    client, role_user, make_customer, role, django_assert_max_num_queries
):
    for _ in range(8):
        make_customer()
    client.force_login(role_user(role))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("admin:customers_customer_changelist"))
    assert response.status_code == 200


def test_add_form_per_role(client, role_user):
    for role in ALL_ROLES:
        client.force_login(role_user(role))
        status = client.get(reverse("admin:customers_customer_add")).status_code
        assert status == (200 if role in {"account_manager", "records_clerk", "admin"} else 403), role


def test_account_manager_files_a_customer_through_the_form(client, role_user):
    manager = role_user("account_manager")
    client.force_login(manager)
    data = {
        "kind": "P",
        "name": "刘洋",
        "status": "active",
        "mobile": "１３９１２３４５６７８",
        "primary_address": "四川省成都市武侯区天府大道100号",
        "credit_currency": "CNY",
        **{
            f"{prefix}-{key}": 0
            for prefix in ("contacts", "addresses", "needs", "documents", "shares")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    response = client.post(reverse("admin:customers_customer_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    customer = Customer.objects.get(name="刘洋")
    assert customer.owner == manager and customer.code.startswith("P-510107-")
    assert customer.mobile == "13912345678"


def test_invalid_form_shows_field_errors_not_500(client, admin_user):
    client.force_login(admin_user)
    data = {
        "kind": "E",
        "name": "某某有限公司",
        "status": "active",
        "uscc": "91310115MA1K3YJ12Z",
        "credit_limit": "-5",
        "credit_currency": "CNY",
        "email": "bad",
        **{
            f"{prefix}-{key}": 0
            for prefix in ("contacts", "addresses", "needs", "documents", "shares")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    response = client.post(reverse("admin:customers_customer_add"), data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"uscc", "credit_limit", "email"} <= set(errors)
    assert not Customer.objects.exists()


def test_chinese_by_default_english_when_chosen(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:customers_customer_changelist")
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()
    assert 'lang="zh-hans"' in chinese
    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert 'lang="en"' in english


def test_card_query_count_does_not_grow_with_contacts(client, admin_user, make_customer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from freightcrm.customers.models import Contact

    def card_queries(contacts: int) -> tuple[int, str]:
        customer = make_customer()
        for n in range(contacts):
            customer_part_save(
                actor=admin_user,
                part=Contact(customer=customer, name=f"联系人{n}", mobile=f"1390000{n:04d}"),
            )
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("admin:customers_customer_card", args=[customer.pk]))
        assert response.status_code == 200
        return len(queries), response.content.decode()

    # given the card of a customer with one contact, and of one with fifteen (each section of the
    # card, from every app, adds its own few queries; none may add one per contact)
    client.force_login(admin_user)
    card_queries(1)  # warm the per-process caches (content types, permissions)
    one, _ = card_queries(1)
    fifteen, page = card_queries(15)

    # then the count is the same, and bounded
    assert fifteen == one
    assert one <= 60
    assert page.count("联系人1") >= 6
