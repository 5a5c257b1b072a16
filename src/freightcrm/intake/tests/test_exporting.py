"""Export of the customer list: rows, columns and values exactly as the role may see them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from freightcrm.conftest import valid_resident_id
from freightcrm.core.access import forget_access
from freightcrm.core.errors import PermissionDeniedError
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Customer
from freightcrm.customers.search import CustomerFilters
from freightcrm.intake.exporting import (
    csv_text,
    export_customers,
    header,
    stream_customers_csv,
    xlsx_cell,
)
from freightcrm.intake.models import ExportLog

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id()
BANK = "6222021234567890123"


def grant(user: User, codename: str) -> User:
    app, name = codename.split(".")
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=name))
    forget_access(user)
    return User.objects.get(pk=user.pk)


def export_rows(
    user: User, *, fmt: str = "csv", encoding: str = "utf-8-sig", **kwargs: Any
) -> list[dict[str, Any]]:
    """Export as `user`; the file read back as one dict per row, keyed by header."""
    out = io.BytesIO()
    kwargs.setdefault("filters", CustomerFilters())
    export_customers(actor=user, fmt=fmt, channel="ui", out=out, encoding=encoding, **kwargs)  # type: ignore[arg-type]
    if fmt == "csv":
        text = out.getvalue().decode(encoding)
        return list(csv.DictReader(io.StringIO(text)))
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()), read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


@pytest.fixture
def people(make_customer: Any, role_user: Any) -> dict[str, Any]:
    manager = role_user("account_manager")
    other = role_user("account_manager", "other_manager")
    own = make_customer(
        name="上海顺达物流有限公司",
        owner=manager,
        credit_grade="A",
        credit_limit=Decimal("500.00"),
        bank_name="招商银行",
        bank_account=BANK,
    )
    person = make_customer(
        kind="P", name="王建国", uscc=None, id_number=ID_NUMBER, mobile="13800138000", owner=other
    )
    pending = make_customer(name="待审核物流有限公司", owner=manager)
    Customer.objects.filter(pk=pending.pk).update(review_state=ReviewState.PENDING)
    return {"manager": manager, "other": other, "own": own, "person": person, "pending": pending}


NAME, ID, BANK_COLUMN, GRADE = (
    header("name"),
    header("id_number"),
    header("bank_account"),
    header("credit_grade"),
)


def test_headers_are_chinese_field_names_for_reimport(people, role_user):
    rows = export_rows(role_user("records_clerk"))
    assert {"名称", "客户编码", "统一社会信用代码", "地址"} <= set(rows[0])


def test_only_approved_customers_are_exported(people, role_user):
    names = {row[NAME] for row in export_rows(role_user("records_clerk"))}
    assert names == {"上海顺达物流有限公司", "王建国"}


def test_account_manager_exports_only_own_customers_masked(people):
    rows = export_rows(people["manager"])
    assert [row[NAME] for row in rows] == ["上海顺达物流有限公司"]
    assert rows[0][BANK_COLUMN] == "6222***********0123"


def test_front_desk_sees_no_finance_columns_and_masked_ids(people, role_user):
    # given: front desk allowed to export (no role has it by default)
    front_desk = grant(role_user("front_desk"), "intake.export_customers")
    # when
    rows = export_rows(front_desk)
    # then
    assert GRADE not in rows[0] and BANK_COLUMN not in rows[0] and header("credit_limit") not in rows[0]
    person = next(row for row in rows if row[NAME] == "王建国")
    assert person[ID] == ID_NUMBER[:4] + "*" * 10 + ID_NUMBER[-4:]


def test_operations_sees_no_finance_columns(people, role_user):
    operations = grant(role_user("operations"), "intake.export_customers")
    assert GRADE not in export_rows(operations, fmt="xlsx")[0]


def test_records_clerk_exports_in_full_only_when_asking_for_sensitive(people, role_user):
    clerk = role_user("records_clerk")
    masked = {row[NAME]: row for row in export_rows(clerk)}
    assert masked["王建国"][ID] != ID_NUMBER
    full = {row[NAME]: row for row in export_rows(clerk, sensitive=True)}
    assert full["王建国"][ID] == ID_NUMBER
    assert full["上海顺达物流有限公司"][BANK_COLUMN] == BANK
    assert ExportLog.objects.filter(sensitive=True).count() == 1


def test_sensitive_export_refused_without_its_permission(people, role_user):
    with pytest.raises(PermissionDeniedError):
        export_rows(people["manager"], sensitive=True)
    # export_sensitive alone is not enough without the reveal permission
    analyst = grant(role_user("credit_analyst"), "intake.export_sensitive")
    with pytest.raises(PermissionDeniedError):
        export_rows(analyst, sensitive=True)
    assert not ExportLog.objects.exists()


def test_export_refused_without_export_permission(people, role_user):
    with pytest.raises(PermissionDeniedError):
        export_rows(role_user("front_desk"))
    assert not ExportLog.objects.exists()


def test_formula_cells_are_escaped_in_csv_and_xlsx_but_numbers_stay_numbers(make_customer, role_user):
    # given
    clerk = role_user("records_clerk")
    make_customer(
        name="恶意公式物流有限公司",
        remarks='=HYPERLINK("http://evil.example","x")',
        main_cargo="+1+2",
        competitors="@SUM(A1)",
        regions_served="-2+3",
        credit_limit=Decimal("100.50"),
    )
    # when
    csv_row = export_rows(clerk)[0]
    xlsx_row = export_rows(clerk, fmt="xlsx")[0]
    # then
    assert csv_row[header("remarks")] == '\'=HYPERLINK("http://evil.example","x")'
    assert csv_row[header("main_cargo")] == "'+1+2"
    assert csv_row[header("competitors")] == "'@SUM(A1)"
    assert csv_row[header("regions_served")] == "'-2+3"
    assert csv_row[header("credit_limit")] == "100.50"
    assert xlsx_row[header("remarks")] == '=HYPERLINK("http://evil.example","x")'  # a text cell
    assert xlsx_row[header("credit_limit")] == 100.5


def test_a_negative_number_is_a_number_not_a_formula():
    sheet = Workbook(write_only=True).create_sheet()
    assert csv_text(Decimal("-100.50")) == "-100.50" and csv_text(-3) == "-3"
    assert xlsx_cell(sheet, Decimal("-100.50")) == Decimal("-100.50")
    assert csv_text("-100") == "'-100"  # text that looks like a formula is still text


def test_xlsx_formula_text_is_stored_as_text_not_as_formula(make_customer, role_user):
    make_customer(name="公式物流有限公司", remarks="=1+1")
    out = io.BytesIO()
    export_customers(
        actor=role_user("records_clerk"), filters=CustomerFilters(), fmt="xlsx", channel="ui", out=out
    )
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).active
    column = [cell.value for cell in sheet[1]].index(header("remarks")) + 1
    cell = sheet.cell(row=2, column=column)
    assert cell.data_type == "s" and cell.value == "=1+1"


def test_export_is_logged_with_filter_columns_and_rows(people, role_user):
    clerk = role_user("records_clerk")
    export_rows(clerk, filters=CustomerFilters(kind="E"), q="顺达")
    log = ExportLog.objects.get()
    assert log.user == clerk and log.rows == 1 and log.channel == "ui" and log.file_format == "csv"
    assert log.filters == {"kind": "E", "q": "顺达"}
    assert "name" in log.fields and not log.sensitive


def test_filters_and_search_narrow_the_rows(people, role_user):
    clerk = role_user("records_clerk")
    assert [r[NAME] for r in export_rows(clerk, filters=CustomerFilters(kind="P"))] == ["王建国"]
    assert [r[NAME] for r in export_rows(clerk, q="顺达")] == ["上海顺达物流有限公司"]
    assert export_rows(clerk, filters=CustomerFilters(owner=people["other"].pk), q="顺达") == []


def test_gb18030_csv_reads_back(people, role_user):
    rows = export_rows(role_user("records_clerk"), encoding="gb18030")
    assert "上海顺达物流有限公司" in {row[NAME] for row in rows}


def test_utf8_csv_starts_with_a_bom_for_excel(people, role_user):
    out = io.BytesIO()
    export_customers(
        actor=role_user("records_clerk"), filters=CustomerFilters(), fmt="csv", channel="ui", out=out
    )
    assert out.getvalue().startswith(b"\xef\xbb\xbf")


def test_chosen_columns_and_bad_input(people, role_user):
    clerk = role_user("records_clerk")
    rows = export_rows(clerk, fields=["code", "name"])
    assert list(rows[0]) == [header("code"), NAME]
    with pytest.raises(ValidationError):
        export_rows(clerk, fields=["password"])
    with pytest.raises(ValidationError):
        export_rows(clerk, fmt="pdf")
    with pytest.raises(ValidationError):
        export_rows(clerk, encoding="latin-1")
    with pytest.raises(PermissionDeniedError):
        export_rows(grant(role_user("front_desk"), "intake.export_customers"), fields=["credit_grade"])


def test_export_reads_in_a_bounded_number_of_queries(people, role_user, django_assert_max_num_queries):
    clerk = role_user("records_clerk")
    export_rows(clerk)  # warm the permission cache
    with django_assert_max_num_queries(8):
        export_rows(clerk)


def test_command_writes_the_file_and_refuses_clearly(people, role_user, tmp_path):
    role_user("records_clerk")
    out = tmp_path / "customers.xlsx"
    call_command("export_customers", str(out), "--user", "records_clerk", "--kind", "E", verbosity=0)
    sheet = openpyxl.load_workbook(out, read_only=True).active
    assert [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["上海顺达物流有限公司"]
    assert ExportLog.objects.get().channel == "command"
    with pytest.raises(CommandError, match="sensitive"):
        call_command("export_customers", str(tmp_path / "x.csv"), "--user", "account_manager", "--sensitive")
    with pytest.raises(CommandError):
        call_command("export_customers", str(tmp_path / "x.pdf"), "--user", "records_clerk")
    assert not (tmp_path / "x.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["customers.xlsx"]


def test_export_page_downloads_under_the_list_filters(people, client):
    # given: the account manager on the list, filtered to enterprises
    client.force_login(people["manager"])
    # when: the list's Export button is followed and the form sent
    redirect = client.get("/admin/customers/customer/export-list/?kind__exact=E")
    page = client.get(redirect.url)
    response = client.post(redirect.url, {"fmt": "csv", "encoding": "gb18030"})
    # then
    assert redirect.url.endswith("/admin/intake/exportlog/export-customers/?kind__exact=E")
    assert page.status_code == 200 and "sensitive" not in page.context["form"].fields
    text = b"".join(response.streaming_content).decode("gb18030")
    assert "上海顺达物流有限公司" in text and "王建国" not in text
    assert ExportLog.objects.get().filters == {"kind": "E"}


def test_export_page_refused_without_permission_and_sensitive_refused_in_form(people, client, role_user):
    client.force_login(role_user("front_desk"))
    assert client.get("/admin/intake/exportlog/export-customers/").status_code == 403
    client.force_login(people["manager"])
    response = client.post(
        "/admin/intake/exportlog/export-customers/",
        {"fmt": "csv", "encoding": "utf-8-sig", "sensitive": "full"},
    )
    assert b"".join(response.streaming_content).count(BANK.encode()) == 0  # the option is not offered


def test_csv_streams_in_pieces_with_one_bom_and_logs_the_rows(make_customer, role_user, monkeypatch):
    # given: pieces small enough that three customers take several
    monkeypatch.setattr("freightcrm.intake.exporting.STREAM_PIECE", 100)
    for n in range(3):
        make_customer(name=f"流式导出{n}物流有限公司")
    # when
    pieces = list(
        stream_customers_csv(actor=role_user("records_clerk"), filters=CustomerFilters(), channel="ui")
    )
    # then
    data = b"".join(pieces)
    assert len(pieces) > 1 and data.count(b"\xef\xbb\xbf") == 1
    assert len(list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))) == 3
    assert ExportLog.objects.get().rows == 3
