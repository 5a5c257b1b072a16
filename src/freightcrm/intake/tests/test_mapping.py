"""Header mapping: Chinese and English headers, saved mappings, and what a mapping must satisfy."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from freightcrm.intake.importing import job_set_mapping, job_start, unknown_columns
from freightcrm.intake.mapping import (
    field_choices,
    guess_mapping,
    mapping_save,
    parse_date,
    parse_decimal,
    required_fields,
)
from freightcrm.intake.tests.conftest import customer_rows


@pytest.mark.django_db
def test_chinese_and_english_headers_are_recognised():
    headers = [
        "公司名称", "信用代码", "Kind", "联系人", "手机号", "座机", "注册地址", "行业", "E-mail",
        "法定代表人", "注册资本", "成立日期", "身份证号", "客户编码", "开户行", "银行账号", "信用等级",
        "付款方式", "备注", "微信昵称",
    ]  # fmt: skip
    mapping = guess_mapping(headers, "customers")
    assert mapping == {
        "公司名称": "name", "信用代码": "uscc", "Kind": "kind", "联系人": "contact_name", "手机号": "mobile",
        "座机": "phone", "注册地址": "address", "行业": "industry", "E-mail": "email",
        "法定代表人": "legal_representative", "注册资本": "registered_capital", "成立日期": "founded_on",
        "身份证号": "id_number", "客户编码": "code", "开户行": "bank_name", "银行账号": "bank_account",
        "信用等级": "credit_grade", "付款方式": "payment_terms", "备注": "remarks", "微信昵称": "",
    }  # fmt: skip
    assert guess_mapping(["Company", "USCC", "Mobile", "Tel", "Address"], "customers") == {
        "Company": "name", "USCC": "uscc", "Mobile": "mobile", "Tel": "phone", "Address": "address",
    }  # fmt: skip
    assert guess_mapping(["客户名称", "单位名称"], "customers") == {"客户名称": "name", "单位名称": ""}


@pytest.mark.django_db
def test_other_targets_and_the_wizard_lists():
    assert guess_mapping(["客户编码", "联系人", "手机"], "contacts") == {
        "客户编码": "customer_code", "联系人": "name", "手机": "mobile",
    }  # fmt: skip
    assert (
        guess_mapping(["运单号", "客户名称", "重量", "运费", "下单时间"], "shipments")["重量"] == "weight_kg"
    )
    assert ("name", "name") in [(name, name) for name, _label in field_choices("customers")]
    assert required_fields("customers") == ["name"]
    assert "booked_at" in required_fields("shipments")


def test_a_saved_mapping_for_the_same_headers_wins(role_user):
    clerk = role_user("records_clerk")
    mapping_save(
        actor=clerk, name="老系统导出", target="customers", columns={"名称": "name", "备注": "short_name"}
    )
    assert guess_mapping(["备注", "名称"], "customers") == {"备注": "short_name", "名称": "name"}
    assert guess_mapping(["备注", "名称", "手机"], "customers")["备注"] == "remarks"
    with pytest.raises(ValidationError):
        mapping_save(actor=clerk, name="坏", target="customers", columns={"名称": "no_such_field"})


def test_a_mapping_needs_its_required_fields_once(role_user, sheet):
    clerk = role_user("records_clerk")
    job = job_start(actor=clerk, upload=sheet(customer_rows(2)))
    with pytest.raises(ValidationError, match="required"):
        job_set_mapping(actor=clerk, job=job, mapping={"客户名称": ""})
    with pytest.raises(ValidationError, match="choose one"):
        job_set_mapping(actor=clerk, job=job, mapping={"客户名称": "name", "备注": "name"})
    job = job_set_mapping(actor=clerk, job=job, mapping={"客户名称": "name", "手机": "mobile"}, mode="create")
    assert job.mode == "create"
    assert "地址" in unknown_columns(job)


@pytest.mark.parametrize(
    "text",
    ["2024/1/5", "2024-01-05", "2024年1月5日", "2024.1.5", "20240105", "45296", "２０２４－０１－０５"],
)
def test_dates_in_many_forms(text):
    assert parse_date(text) == dt.date(2024, 1, 5)


def test_amounts_with_separators_and_signs():
    assert parse_decimal("¥1,200.50") == Decimal("1200.50")
    assert parse_decimal("１２００ 元") == Decimal("1200")
    with pytest.raises(ValueError):
        parse_decimal("一千")
