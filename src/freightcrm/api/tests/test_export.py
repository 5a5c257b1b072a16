"""`GET /customers/export.csv`: the staff export's rules through the API — its permission, the
list's filters, masking, sensitive columns, formula escaping, the export log, bad input as 400."""

from __future__ import annotations

import csv
import io
import json

import pytest

from freightcrm.conftest import valid_resident_id, valid_uscc
from freightcrm.customers.services import customer_create
from freightcrm.intake.exporting import header
from freightcrm.intake.models import ExportLog

pytestmark = pytest.mark.django_db

ID_NUMBER = valid_resident_id("19880512", 345)


@pytest.fixture
def archive(admin_user):
    customer_create(
        actor=admin_user, kind="P", name="陈晓明", mobile="13812345678", id_number=ID_NUMBER, status="active",
        address="上海市浦东新区张江路88号",
    )  # fmt: skip
    customer_create(actor=admin_user, kind="E", name="=HYPERLINK物流有限公司", status="prospect")
    customer_create(
        actor=admin_user, kind="E", name="杭州顺风物流有限公司", status="active", uscc=valid_uscc(7)
    )


def rows_of(response, encoding: str = "utf-8-sig") -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv"
    text = b"".join(response.streaming_content).decode(encoding)
    return list(csv.DictReader(io.StringIO(text)))


def test_the_export_follows_the_list_filters_and_masks_for_the_role(archive, role_user, api_as):
    clerk = role_user("records_clerk")
    rows = rows_of(api_as(clerk).get("/customers/export.csv", status="active"))
    assert sorted(row[header("name")] for row in rows) == ["杭州顺风物流有限公司", "陈晓明"]
    person = next(row for row in rows if row[header("name")] == "陈晓明")
    assert person[header("id_number")] != ID_NUMBER and person[header("id_number")].endswith(ID_NUMBER[-4:])
    log = ExportLog.objects.get()
    assert (log.user, log.channel, log.file_format, log.rows, log.sensitive) == (
        clerk,
        "api",
        "csv",
        2,
        False,
    )
    assert log.filters["status"] == "active"


def test_sensitive_columns_in_full_and_gb18030_with_chosen_fields(archive, role_user, api_as):
    rows = rows_of(
        api_as(role_user("records_clerk")).get(
            "/customers/export.csv",
            q="陈晓明",
            sensitive="true",
            encoding="gb18030",
            fields="code,name,id_number",
        ),
        encoding="gb18030",
    )
    assert list(rows[0]) == [header("code"), header("name"), header("id_number")]
    assert rows[0][header("id_number")] == ID_NUMBER


def test_formulas_are_escaped(archive, role_user, api_as):
    rows = rows_of(api_as(role_user("records_clerk")).get("/customers/export.csv", q="HYPERLINK"))
    assert [row[header("name")] for row in rows] == ["'=HYPERLINK物流有限公司"]


@pytest.mark.parametrize(
    ("role", "params", "status", "code"),
    [
        ("front_desk", {}, 403, "permission_denied"),  # no export permission
        ("manager", {"sensitive": "true"}, 403, "permission_denied"),  # no sensitive export
        ("records_clerk", {"encoding": "latin-1"}, 400, "invalid_parameters"),
        ("records_clerk", {"fields": "code,password"}, 400, "invalid_parameters"),
        ("records_clerk", {"kind": "火星人"}, 400, "invalid_parameters"),
        ("records_clerk", {"q": "a\x00b"}, 400, "invalid_parameters"),
    ],
)
def test_refusals_say_why_and_record_nothing(archive, role_user, api_as, role, params, status, code):
    response = api_as(role_user(role)).get("/customers/export.csv", language="en", **params)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert not ExportLog.objects.exists()


def test_without_a_token_nothing_is_exported(archive, api_as):
    from freightcrm.api.tests.conftest import ApiClient

    assert ApiClient().get("/customers/export.csv").status_code == 401
    assert not ExportLog.objects.exists()


def test_the_openapi_document_declares_the_csv_once(client):
    def no_repeated_keys(pairs):
        keys = [key for key, _value in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    document = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_repeated_keys)
    responses = document["paths"]["/api/v1/customers/export.csv"]["get"]["responses"]
    assert sorted(responses) == ["200", "400", "401", "403"]
    assert "text/csv" in responses["200"]["content"]
