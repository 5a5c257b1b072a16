"""customers.services: creation, update, stale edits, history, parts, and refusals."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from freightcrm.conftest import valid_resident_id, valid_uscc
from freightcrm.core.errors import PermissionDeniedError, StaleEdit
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed
from freightcrm.customers.selectors import customer_by_id_number, customer_history
from freightcrm.customers.services import (
    customer_create,
    customer_part_delete,
    customer_part_save,
    customer_update,
)

pytestmark = pytest.mark.django_db


def test_create_enterprise_assigns_stable_code_and_region(admin_user):
    # when
    customer = customer_create(
        actor=admin_user,
        kind="E",
        name="上海韵达电子商务有限公司",
        status="active",
        uscc=valid_uscc(1),
        address="上海市青浦区华新镇华志路1685号",
        phone="021-6888 8888",
    )
    # then
    assert customer.code == "E-310118-000001"
    assert (customer.province, customer.city, customer.district) == ("上海市", "上海市", "青浦区")
    assert customer.phone == "021-68888888"
    assert customer.addresses.get().is_primary
    again = customer_create(
        actor=admin_user,
        kind="E",
        name="上海韵达快运有限公司",
        status="active",
        uscc=valid_uscc(2),
        address="上海市青浦区盈港东路6679号",
    )
    assert again.code == "E-310118-000002"


def test_code_does_not_change_on_rename(admin_user, make_customer):
    customer = make_customer()
    code = customer.code
    customer_update(actor=admin_user, customer=customer, version=customer.version, name="新名称物流有限公司")
    customer.refresh_from_db()
    assert customer.code == code and customer.name == "新名称物流有限公司"


def test_individual_gets_birth_date_and_gender_from_resident_id(admin_user):
    customer = customer_create(
        actor=admin_user,
        kind="P",
        name="张伟",
        mobile="13800138000",
        id_number=valid_resident_id("19900307", 777),
        status="active",
    )
    assert str(customer.birth_date) == "1990-03-07"
    assert customer.gender == "male"
    assert customer_by_id_number(admin_user, valid_resident_id("19900307", 777).lower()).get() == customer


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"kind": "E", "name": "某公司", "status": "active"}, "uscc", "required"),
        (
            {"kind": "E", "name": "某公司", "status": "active", "uscc": "9131011512345600X"},
            "uscc",
            "uscc_length",
        ),
        ({"kind": "P", "name": "张三", "status": "active"}, "mobile", "required"),
        ({"kind": "P", "name": "张三", "mobile": "12345", "status": "active"}, "mobile", "mobile"),
        (
            {"kind": "P", "name": "张三", "mobile": "13800138000", "id_number": "110101199003077771"},
            "id_number",
            "ric_checksum",
        ),
        (
            {
                "kind": "P",
                "name": "张三",
                "mobile": "13800138000",
                "id_number": valid_resident_id(),
                "birth_date": "1991-01-01",
            },
            "birth_date",
            "id_mismatch",
        ),
        (
            {"kind": "E", "name": "某公司", "status": "prospect", "id_number": valid_resident_id()},
            "id_number",
            "not_for_organisations",
        ),
        (
            {"kind": "E", "name": "某公司", "status": "prospect", "credit_limit": -1},
            "credit_limit",
            "negative",
        ),
        (
            {"kind": "E", "name": "某公司", "status": "prospect", "founded_on": "2999-01-01"},
            "founded_on",
            "future_date",
        ),
        ({"kind": "E", "name": "某公司", "status": "prospect", "email": "not-an-email"}, "email", "invalid"),
        (
            {"kind": "E", "name": "某公司", "status": "prospect", "payment_terms": "credit"},
            "payment_days",
            "required",
        ),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_saved(admin_user, fields, field, code):
    # when
    with pytest.raises(ValidationError) as caught:
        customer_create(actor=admin_user, address="上海市浦东新区张江路88号", **fields)
    # then
    assert code in [error.code for error in caught.value.error_dict[field]]
    assert all(str(message) for message in caught.value.message_dict[field])
    assert not Customer.objects.exists()
    assert not Address.objects.exists()


def test_duplicate_uscc_is_refused(make_customer):
    make_customer(uscc=valid_uscc(5))
    with pytest.raises(ValidationError) as caught:
        make_customer(uscc=valid_uscc(5))
    assert "uscc" in caught.value.message_dict or "__all__" in caught.value.message_dict


def test_stale_version_is_refused_and_changes_nothing(admin_user, role_user, make_customer):
    # given two people opened the same customer at version 1
    customer = make_customer()
    clerk = role_user("records_clerk")
    first = Customer.objects.get(pk=customer.pk)
    second = Customer.objects.get(pk=customer.pk)
    # when the first saves, then the second saves from the old version
    customer_update(actor=admin_user, customer=first, version=1, remarks="第一位的修改")
    with pytest.raises(StaleEdit) as caught:
        customer_update(actor=clerk, customer=second, version=1, remarks="第二位的修改")
    # then the first change stands and the message names who changed it
    customer.refresh_from_db()
    assert customer.remarks == "第一位的修改" and customer.version == 2
    assert "root" in str(caught.value)


def test_history_records_who_what_before_and_after(admin_user, role_user, make_customer):
    clerk = role_user("records_clerk")
    customer = make_customer(actor=clerk)
    customer_update(
        actor=clerk,
        customer=customer,
        version=customer.version,
        name="恒通供应链管理有限公司",
        id_number=None,
    )
    entries = customer_history(clerk, customer)
    change = entries[0]
    assert change["who"] == "records_clerk"
    assert any(
        label and old.startswith("上海恒通") and new == "恒通供应链管理有限公司"
        for label, old, new in change["changes"]
    )
    assert entries[-1]["type"] == "created"


def test_history_never_shows_encrypted_values(admin_user):
    customer = customer_create(
        actor=admin_user,
        kind="P",
        name="李娜",
        mobile="13912345678",
        id_number=valid_resident_id("19850101", 124),
        status="active",
    )
    text = repr(customer_history(admin_user, customer))
    assert valid_resident_id("19850101", 124) not in text
    assert "fc1:" not in text


def test_history_hides_finance_from_roles_without_finance(admin_user, role_user, make_customer):
    customer = make_customer(credit_limit=300000)
    front = role_user("front_desk")
    assert "300,000.00" in repr(customer_history(admin_user, customer))
    assert "300,000" not in repr(customer_history(front, customer))


def test_contact_history_and_primary_demotion(admin_user, make_customer):
    customer = make_customer()
    first = customer_part_save(
        actor=admin_user, part=Contact(customer=customer, name="王芳", mobile="13900000001", is_primary=True)
    )
    second = customer_part_save(
        actor=admin_user, part=Contact(customer=customer, name="赵强", mobile="13900000002", is_primary=True)
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert first.history.count() == 2
    assert first.history.first().history_user == admin_user


def test_editing_a_contact_raises_its_version_with_history(admin_user, make_customer):
    contact = customer_part_save(
        actor=admin_user, part=Contact(customer=make_customer(), name="王芳", mobile="13900000001")
    )
    contact.mobile = "13900000002"
    customer_part_save(actor=admin_user, part=contact, reason="换号")
    contact.refresh_from_db()
    assert (contact.mobile, contact.version) == ("13900000002", 2)
    latest = contact.history.first()
    assert (latest.mobile, latest.version, latest.history_change_reason) == ("13900000002", 2, "换号")


def test_contact_needs_a_way_to_reach_them(admin_user, make_customer):
    customer = make_customer()
    with pytest.raises(ValidationError) as caught:
        customer_part_save(actor=admin_user, part=Contact(customer=customer, name="无电话"))
    assert "mobile" in caught.value.message_dict


def test_primary_address_sets_customer_region(admin_user, make_customer):
    customer = make_customer()
    customer_part_save(
        actor=admin_user,
        part=Address(
            customer=customer, kind="office", is_primary=True, text="广东省深圳市南山区科技园南区10号"
        ),
    )
    customer.refresh_from_db()
    assert (customer.city, customer.district, customer.adcode) == ("深圳市", "南山区", "440305")


def test_need_with_negative_volume_is_refused(admin_user, make_customer):
    customer = make_customer()
    with pytest.raises(ValidationError):
        customer_part_save(
            actor=admin_user,
            part=LogisticsNeed(
                customer=customer,
                mode="road",
                origin_city="上海",
                destination_city="成都",
                cargo_type="general",
                frequency="weekly",
                annual_volume=-5,
            ),
        )
    assert not LogisticsNeed.objects.exists()


def test_account_manager_cannot_change_finance_or_reassign(role_user, make_customer):
    manager = role_user("account_manager")
    other = role_user("account_manager", "account_manager2")
    customer = make_customer(actor=manager)
    assert customer.owner == manager
    with pytest.raises(PermissionDeniedError):
        customer_update(actor=manager, customer=customer, version=customer.version, credit_limit=1)
    with pytest.raises(PermissionDeniedError):
        customer_update(actor=manager, customer=customer, version=customer.version, owner=other)
    customer.refresh_from_db()
    assert customer.credit_limit is None and customer.owner == manager


def test_credit_analyst_changes_only_finance(role_user, make_customer):
    analyst = role_user("credit_analyst")
    customer = make_customer()
    customer_update(
        actor=analyst, customer=customer, version=customer.version, credit_limit=80000, credit_grade="A"
    )
    customer.refresh_from_db()
    with pytest.raises(PermissionDeniedError):
        customer_update(actor=analyst, customer=customer, version=customer.version, name="改名")


def test_front_desk_cannot_write(role_user, make_customer):
    front = role_user("front_desk")
    customer = make_customer()
    with pytest.raises(PermissionDeniedError):
        customer_update(actor=front, customer=customer, version=customer.version, remarks="x")
    with pytest.raises(PermissionDeniedError):
        customer_create(actor=front, kind="P", name="张三", mobile="13800138000")
    contact = customer_part_save(
        actor=customer.created_by, part=Contact(customer=customer, name="A", mobile="13900000003")
    )
    with pytest.raises(PermissionDeniedError):
        customer_part_delete(actor=front, part=contact)


def test_account_manager_cannot_touch_another_managers_customer(role_user, make_customer):
    mine = role_user("account_manager")
    theirs = role_user("account_manager", "account_manager2")
    customer = make_customer(actor=theirs)
    with pytest.raises(PermissionDeniedError):
        customer_update(actor=mine, customer=customer, version=customer.version, remarks="x")
    with pytest.raises(PermissionDeniedError):
        customer_part_save(actor=mine, part=Contact(customer=customer, name="A", mobile="13900000004"))


def test_delete_needs_permission_and_refuses_customers_with_shipments(admin_user, role_user, make_customer):
    import datetime as dt
    from decimal import Decimal

    from freightcrm.customers.services import customer_delete
    from freightcrm.shipments.models import Shipment

    # given a customer with a shipment and one filed by mistake
    shipped = make_customer()
    Shipment.objects.create(
        customer=shipped,
        waybill_no="WB1",
        origin_city="上海",
        destination_city="北京",
        mode="road",
        cargo_type="general",
        weight_kg=Decimal(1),
        amount=Decimal(1),
        booked_at=dt.datetime(2026, 1, 5, 2, tzinfo=dt.UTC),
    )
    mistake = make_customer()
    # then a clerk may not delete, and nobody may delete a customer with shipments
    with pytest.raises(PermissionDeniedError):
        customer_delete(actor=role_user("records_clerk"), customer=mistake)
    with pytest.raises(ValidationError) as caught:
        customer_delete(actor=admin_user, customer=shipped)
    assert caught.value.code == "protected"
    mistake_id = mistake.pk
    customer_delete(actor=admin_user, customer=mistake, reason="重复建档")
    assert not Customer.objects.filter(pk=mistake_id).exists()
    deletion = Customer.history.filter(id=mistake_id, history_type="-").get()
    assert deletion.history_user == admin_user and deletion.history_change_reason == "重复建档"
