"""The real run: bulk filing for review, idempotent re-imports, resume after a crash, key fields."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from freightcrm.conftest import valid_resident_id, valid_uscc
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed
from freightcrm.customers.search import customer_search
from freightcrm.customers.services import customer_part_save
from freightcrm.intake import filing
from freightcrm.intake.choices import Source, SubmissionKind
from freightcrm.intake.importing import job_run, job_set_mapping, job_start
from freightcrm.intake.models import Submission
from freightcrm.intake.review import decode_changes, submissions_approve
from freightcrm.intake.tasks import job_enqueue
from freightcrm.intake.tests.conftest import HEADERS, customer_rows
from freightcrm.shipments.models import CustomerShipmentMonth, Shipment

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.usefixtures("pipeline")


def test_new_customers_are_filed_for_review_with_history_contacts_and_search(admin_user, sheet):
    # given a file of individuals and enterprises with sensitive fields (bank fields: finance rights)
    clerk = admin_user
    headers = [*HEADERS, "身份证号", "银行账号", "开户行"]
    rows = [[*row, "", "6222 0212 3456 7890", "工商银行"] for row in customer_rows(3)]
    rows.append(["张三丰", "", "个人", "active", "13700000001", "上海市浦东新区张江路5号", "", "", "",
                 valid_resident_id(), "", ""])  # fmt: skip
    # when
    job = job_run(job_start(actor=clerk, upload=sheet(rows, headers=headers)))
    # then
    assert (job.state, job.created_rows, job.error_rows, job.next_row) == ("done", 4, 0, 4), (
        job.errors_preview
    )
    customer = Customer.objects.get(name="杭州测试2物流有限公司")
    assert customer.review_state == ReviewState.PENDING
    assert customer.code.startswith("E-330106-")
    assert (customer.province, customer.city) == ("浙江省", "杭州市")
    assert customer.founded_on == dt.date(2015, 3, 8)
    assert customer.owner is None and customer.created_by == clerk  # may assign owners: none given
    fresh = Customer.objects.get(pk=customer.pk)
    assert fresh.bank_account == "6222 0212 3456 7890"  # encrypted at rest, decrypts with its row key
    person = Customer.objects.get(name="张三丰")
    assert person.kind == "P" and person.id_number == valid_resident_id()
    assert person.birth_date == dt.date(1990, 3, 7) and person.gender == "male"
    assert Customer.objects.filter(id_number_digest=person.id_number_digest).count() == 1
    contact = Contact.objects.get(customer=customer)
    assert (contact.name, contact.mobile, contact.is_primary) == ("王2", "13900000002", True)
    assert Address.objects.get(customer=customer).district == "西湖区"
    submission = Submission.objects.get(customer=customer)
    assert (submission.kind, submission.source, submission.import_job) == (
        SubmissionKind.NEW,
        Source.IMPORT,
        job,
    )
    record = customer.history.get()
    assert record.history_user == clerk and record.history_change_reason == "导入 客户.xlsx"
    assert record.history_type == "+"
    assert contact.history.get().history_user == clerk
    # waiting for review, they are not the archive yet: search finds them once approved
    assert customer_search(clerk, q="测试2物流").customers == []
    submissions_approve(clerk, Submission.objects.filter(import_job=job))
    assert [found.pk for found in customer_search(clerk, q="测试2物流").customers] == [customer.pk]
    assert customer_search(clerk, q="13900000003").customers[0].name == "杭州测试3物流有限公司"
    assert customer_search(clerk, q="王1").customers[0].name == "杭州测试1物流有限公司"


def test_importing_the_same_file_again_creates_nothing(role_user, sheet):
    clerk = role_user("records_clerk")
    job_run(job_start(actor=clerk, upload=sheet(customer_rows(6), name="客户.csv")))
    again = job_run(job_start(actor=clerk, upload=sheet(customer_rows(6), name="客户.csv")))
    assert (again.created_rows, again.updated_rows, again.unchanged_rows, again.error_rows) == (0, 0, 6, 0)
    assert Customer.objects.count() == 6 and Contact.objects.count() == 6 and Submission.objects.count() == 6
    rerun = job_run(again)  # the same job run twice
    assert (rerun.created_rows, rerun.unchanged_rows) == (0, 6)


def test_a_crash_in_the_third_batch_resumes_with_nothing_lost_or_doubled(role_user, sheet, monkeypatch):
    # given a writer that fails on its third batch, and a bad row before the crash and one after
    clerk = role_user("records_clerk")
    rows = customer_rows(23)
    rows[1][1] = rows[17][1] = "91310115123456789X"  # rows 3 and 19: wrong check character
    job = job_start(actor=clerk, upload=sheet(rows))
    real = filing.write_customers
    calls = {"n": 0}

    def flaky(importer, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        real(importer, rows)

    monkeypatch.setattr(filing, "write_customers", flaky)
    # when the run stops in the third batch
    with pytest.raises(RuntimeError):
        job_run(job, batch_size=5)
    job.refresh_from_db()
    # then the first two batches are committed with their resume point and counters
    assert (job.next_row, job.created_rows, job.error_rows, job.state) == (10, 9, 1, "importing")
    assert Customer.objects.count() == 9
    # and running it again continues after them
    job = job_run(job, batch_size=5)
    assert (job.next_row, job.created_rows, job.unchanged_rows, job.error_rows, job.state) == (
        23,
        21,
        0,
        2,
        "done",
    )
    assert Customer.objects.count() == 21 == Submission.objects.count() == Contact.objects.count()
    assert len(set(Customer.objects.values_list("code", flat=True))) == 21
    # and the error workbook lists the bad row of the batches before the crash as well
    report = load_workbook(job.error_report.open("rb"), read_only=True).active
    assert [line[0] for line in report.iter_rows(min_row=2, values_only=True)] == [3, 19]


def test_the_task_checks_runs_and_marks_a_failed_run(
    role_user, sheet, monkeypatch, django_capture_on_commit_callbacks
):
    clerk = role_user("records_clerk")
    job = job_start(actor=clerk, upload=sheet(customer_rows(4)))
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(actor=clerk, job=job, dry_run=True)
    job.refresh_from_db()
    assert (job.state, job.created_rows, job.processed_rows) == ("validated", 4, 4)
    assert not Customer.objects.exists()
    monkeypatch.setattr(filing, "write_customers", lambda importer, rows: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        job_enqueue(actor=clerk, job=job, dry_run=False)
    job.refresh_from_db()
    assert job.state == "failed" and "division" in job.message


def test_upsert_by_an_account_manager_sends_key_fields_to_review(role_user, sheet, make_customer):
    # given an account manager's own customer
    manager = role_user("account_manager")
    customer = make_customer(
        actor=manager, name="杭州测试1物流有限公司", uscc=valid_uscc(10_001), mobile="13900000001"
    )
    rows = [
        [
            "杭州测试1物流股份有限公司",
            valid_uscc(10_001),
            "企业",
            "active",
            "13900000001",
            "",
            "",
            "2015/3/8",
            "新备注",
        ]
    ]
    # when the sheet renames it and changes a remark
    job = job_run(job_start(actor=manager, upload=sheet(rows)))
    # then the remark is applied, the new name waits for a records clerk
    customer.refresh_from_db()
    assert (job.updated_rows, job.error_rows) == (1, 0)
    assert customer.name == "杭州测试1物流有限公司" and customer.remarks == "新备注"
    assert customer.founded_on == dt.date(2015, 3, 8)
    change = Submission.objects.get(customer=customer, kind=SubmissionKind.CHANGE)
    assert decode_changes(change) == {"name": "杭州测试1物流股份有限公司"}
    assert change.import_job == job


def test_a_records_clerk_changes_key_fields_directly(role_user, sheet, make_customer):
    clerk = role_user("records_clerk")
    customer = make_customer(name="杭州测试1物流有限公司", uscc=valid_uscc(10_001), mobile="13900000001")
    rows = [
        ["杭州测试1物流股份有限公司", valid_uscc(10_001), "企业", "active", "13900000001", "", "", "", ""]
    ]
    job = job_run(job_start(actor=clerk, upload=sheet(rows), mode="update"))
    customer.refresh_from_db()
    assert job.updated_rows == 1 and customer.name == "杭州测试1物流股份有限公司"
    assert not Submission.objects.filter(kind=SubmissionKind.CHANGE).exists()


def test_an_update_moves_the_address_and_adds_or_changes_contacts(role_user, sheet, make_customer):
    # given an account manager's customer registered in Shanghai, with one contact
    manager = role_user("account_manager")
    customer = make_customer(
        actor=manager, name="杭州测试1物流有限公司", uscc=valid_uscc(10_001), mobile="13900000001"
    )
    customer_part_save(
        actor=manager, part=Contact(customer=customer, name="李娜", mobile="13700000009", is_primary=True)
    )
    headers = [*HEADERS, "联系人手机", "联系人职务"]
    moved = ["杭州测试1物流有限公司", valid_uscc(10_001), "企业", "active", "13900000001",
             "浙江省杭州市西湖区文三路1号", "王1", "", "", "", "调度"]  # fmt: skip
    # when a sheet gives it a Hangzhou address and a new contact
    job = job_run(job_start(actor=manager, upload=sheet([moved], headers=headers)))
    # then the primary address is moved (region read again, history kept) and the contact added
    assert (job.updated_rows, job.error_rows) == (1, 0), job.errors_preview
    address = Address.objects.get(customer=customer)
    assert (address.text, address.district, address.is_primary) == (
        "浙江省杭州市西湖区文三路1号",
        "西湖区",
        True,
    )
    assert address.history.count() == 2
    customer.refresh_from_db()
    assert (customer.city, customer.district) == ("杭州市", "西湖区")
    added = Contact.objects.get(customer=customer, name="王1")
    assert (added.title, added.mobile, added.is_primary) == ("调度", "13900000001", False)
    # when another sheet gives the known contact a new mobile
    renumbered = ["杭州测试1物流有限公司", valid_uscc(10_001), "企业", "active", "13900000001", "", "李娜",
                  "", "", "13700000010", ""]  # fmt: skip
    job = job_run(job_start(actor=manager, upload=sheet([renumbered], headers=headers)))
    # then only the mobile changes
    assert (job.updated_rows, job.error_rows) == (1, 0), job.errors_preview
    kept = Contact.objects.get(customer=customer, name="李娜")
    assert (kept.mobile, kept.is_primary) == ("13700000010", True)
    # and the first sheet again changes nothing
    again = job_run(job_start(actor=manager, upload=sheet([moved], headers=headers)))
    assert (again.updated_rows, again.unchanged_rows, again.error_rows) == (0, 1, 0)
    assert Contact.objects.filter(customer=customer).count() == 2


def test_a_bad_contact_on_a_matched_row_is_reported(role_user, sheet, make_customer):
    clerk = role_user("records_clerk")
    make_customer(name="杭州测试1物流有限公司", uscc=valid_uscc(10_001), mobile="13900000001")
    headers = [*HEADERS, "联系人手机"]
    row = ["杭州测试1物流有限公司", valid_uscc(10_001), "企业", "active", "13900000001", "", "王1", "", "",
           "12345"]  # fmt: skip
    job = job_run(job_start(actor=clerk, upload=sheet([row], headers=headers)))
    assert (job.updated_rows, job.error_rows) == (0, 1)
    assert job.errors_preview[0]["column"] == "联系人手机"
    assert not Contact.objects.filter(name="王1").exists()


def test_update_mode_reports_rows_without_a_match(role_user, sheet):
    job = job_run(job_start(actor=role_user("records_clerk"), upload=sheet(customer_rows(2)), mode="update"))
    assert (job.error_rows, job.created_rows) == (2, 0)
    assert not Customer.objects.exists()


def test_contacts_and_needs_reference_their_customer(role_user, make_customer, tmp_path):
    clerk = role_user("records_clerk")
    customer = make_customer(name="宁波港运物流有限公司")
    contacts = SimpleUploadedFile(
        "联系人.csv",
        f"客户编码,联系人,手机,职务\n{customer.code},李四,13600000001,物流经理\n不存在,王五,13600000002,\n".encode(),
    )
    job = job_run(job_start(actor=clerk, upload=contacts, target="contacts"))
    assert (job.created_rows, job.error_rows) == (1, 1)
    assert customer.contacts.get().title == "物流经理"
    assert "No customer" in job.errors_preview[0]["message"]
    needs = SimpleUploadedFile(
        "需求.csv",
        "客户名称,运输方式,始发城市,目的城市,货物类型,频次,年运量\n"
        "宁波港运物流有限公司,公路,宁波,成都,冷链,每周,1200\n".encode(),
    )
    job = job_run(job_start(actor=clerk, upload=needs, target="needs"))
    assert (job.created_rows, job.error_rows) == (1, 0), job.errors_preview
    need = LogisticsNeed.objects.get(customer=customer)
    assert (need.mode, need.cargo_type, need.frequency, need.annual_volume) == (
        "road",
        "cold_chain",
        "weekly",
        Decimal(1200),
    )
    again = job_run(job_start(actor=clerk, upload=needs, target="needs"))
    assert again.unchanged_rows == 1 and LogisticsNeed.objects.count() == 1


def test_historic_shipments_update_the_monthly_figures(admin_user, make_customer):
    clerk = admin_user
    customer = make_customer(name="宁波港运物流有限公司")
    text = (
        "客户编码,运单号,始发城市,目的城市,运输方式,重量,运费,下单时间,签收时间\n"
        f"{customer.code},HIST0001,宁波,成都,公路,1200,3500.00,2025-03-02 10:00,2025-03-05 16:00\n"
        f"{customer.code},HIST0002,宁波,重庆,公路,800,2100,2025/3/20,\n"
    )
    upload = SimpleUploadedFile("运单.csv", text.encode("gbk"))
    job = job_run(job_start(actor=clerk, upload=upload, target="shipments"))
    assert (job.created_rows, job.error_rows) == (2, 0), job.errors_preview
    delivered = Shipment.objects.get(waybill_no="HIST0001")
    assert delivered.status == "delivered" and delivered.events.count() == 2
    month = CustomerShipmentMonth.objects.get(customer=customer, month=dt.date(2025, 3, 1))
    assert (month.shipments, month.amount_cny) == (2, Decimal("5600.00"))
    upload.seek(0)
    again = job_run(job_start(actor=clerk, upload=upload, target="shipments"))
    assert (again.created_rows, again.unchanged_rows) == (0, 2) and Shipment.objects.count() == 2


def test_a_mapping_chosen_after_upload_is_used(role_user, sheet):
    clerk = role_user("records_clerk")
    job = job_start(actor=clerk, upload=sheet(customer_rows(1)))
    job = job_set_mapping(actor=clerk, job=job, mapping={**job.mapping, "备注": "short_name", "联系人": ""})
    rows = customer_rows(1)
    rows[0][8] = "测试一"
    job = job_run(job_start(actor=clerk, upload=sheet(rows)))
    assert Customer.objects.get().remarks == "测试一"


def test_fields_the_importer_may_not_set_refuse_the_row(role_user, sheet):
    rows = [[*row, "6222 0212 3456 7890"] for row in customer_rows(1)]
    job = job_run(
        job_start(actor=role_user("records_clerk"), upload=sheet(rows, headers=[*HEADERS, "银行账号"]))
    )
    assert job.error_rows == 1 and "bank account" in job.errors_preview[0]["message"]
    assert not Customer.objects.exists()


def test_shipments_need_the_right_to_create_them(role_user, make_customer):
    customer = make_customer(name="宁波港运物流有限公司")
    text = (
        "客户编码,始发城市,目的城市,运输方式,重量,运费,下单时间\n"
        + f"{customer.code},宁波,成都,公路,1,2,2025-3-2\n"
    )
    upload = SimpleUploadedFile("运单.csv", text.encode())
    job = job_run(job_start(actor=role_user("records_clerk"), upload=upload, target="shipments"))
    assert job.error_rows == 1 and "may not create" in job.errors_preview[0]["message"]


def test_the_mapping_of_a_job_that_has_written_rows_cannot_change(role_user, sheet):
    from django.core.exceptions import ValidationError

    clerk = role_user("records_clerk")
    job = job_run(job_start(actor=clerk, upload=sheet(customer_rows(1))))
    with pytest.raises(ValidationError, match="already run"):
        job_set_mapping(actor=clerk, job=job, mapping=job.mapping)


@pytest.mark.parametrize(
    ("uploaded_in", "worker_in", "expected"),
    [("en", "zh-hans", "check character"), ("zh-hans", "en", "校验")],
)
def test_the_background_check_speaks_the_uploaders_language(
    role_user, sheet, django_capture_on_commit_callbacks, uploaded_in, worker_in, expected
):
    clerk = role_user("records_clerk")
    rows = customer_rows(2)
    rows[1][1] = "91310115123456789X"  # wrong check character
    with translation.override(uploaded_in):
        job = job_start(actor=clerk, upload=sheet(rows))
    with translation.override(worker_in), django_capture_on_commit_callbacks(execute=True):
        job_enqueue(actor=clerk, job=job, dry_run=True)
    job.refresh_from_db()
    assert job.language == uploaded_in and expected in job.errors_preview[0]["message"]
    report = load_workbook(job.error_report.open("rb"), read_only=True).active
    titles = next(report.iter_rows(max_row=1, values_only=True))
    assert titles[0] == ("row" if uploaded_in == "en" else "行")
