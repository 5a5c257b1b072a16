"""`freightcrm import_customers`: counts, dry run, error workbook, mapping file, refusals."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from freightcrm.customers.models import Customer
from freightcrm.intake.tests.conftest import HEADERS, customer_rows, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_customers", *args, "--no-progress", stdout=out)
    return out.getvalue()


def test_dry_run_then_import_then_again(role_user, tmp_path):
    role_user("records_clerk")
    rows = customer_rows(4) + [["", "", "", "", "", "", "", "", ""] + ["x"]]
    path = write_xlsx(tmp_path / "客户.xlsx", [*HEADERS, "微信"], rows)
    report = tmp_path / "errors.xlsx"
    out = run(str(path), "--dry-run", "--user", "records_clerk", "--error-report", str(report))
    assert "would create 4" in out and "errors 1" in out and "ignored columns: 微信" in out
    assert report.stat().st_size > 0 and not Customer.objects.exists()
    assert "created 4" in run(str(path), "--user", "records_clerk")
    assert "unchanged 4" in run(str(path), "--user", "records_clerk", "--mode", "upsert")


def test_a_mapping_file_and_a_gbk_csv(role_user, tmp_path):
    role_user("records_clerk")
    path = write_csv(
        tmp_path / "老系统.csv", ["单位", "状态"], [["甲乙丙物流有限公司", "潜在客户"]], encoding="gbk"
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"单位": "name", "状态": "status"}), encoding="utf-8")
    assert "created 1" in run(str(path), "--mapping", str(mapping), "--user", "records_clerk")
    assert Customer.objects.get().status == "prospect"


def test_refused_files_and_mappings_exit_with_an_error(role_user, tmp_path):
    role_user("records_clerk")
    png = tmp_path / "客户.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(CommandError, match="PNG"):
        run(str(png), "--user", "records_clerk")
    path = write_csv(tmp_path / "x.csv", ["随便"], [["1"]])
    with pytest.raises(CommandError, match="required"):
        run(str(path), "--user", "records_clerk")
    with pytest.raises(CommandError, match="No user"):
        run(str(path), "--user", "nobody")
