"""Which column of a sheet fills which field, and how a cell's text becomes the field's value.

Headers are matched in Chinese and English (客户名称, 公司名称, Name, Company …), ignoring spaces,
case, full-width characters and required-markers; a saved `ColumnMapping` made for exactly the
same headers wins over the guess. Cell parsers accept what staff type: choices by code or by their
Chinese or English label, dates in the usual Chinese and ISO forms and as Excel serial numbers,
amounts with thousands separators and currency signs.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from freightcrm.core.validators import to_half_width
from freightcrm.customers.models import Contact, Customer, LogisticsNeed
from freightcrm.intake.choices import ImportTarget
from freightcrm.intake.models import ColumnMapping
from freightcrm.intake.reading import clean_header
from freightcrm.shipments.models import Shipment


@dataclass(frozen=True)
class Spec:
    """One field a column may fill: `model_field` names the model field that parses and validates
    it (None for fields only the importer understands, such as the address or the contact)."""

    name: str
    label: Any
    aliases: str  # space-separated header spellings, compared after `header_key`
    model: type[models.Model] | None = None
    model_field: str | None = None


def _customer(name: str, aliases: str) -> Spec:
    field = Customer._meta.get_field(name)
    return Spec(name, field.verbose_name, aliases, Customer, name)  # type: ignore[union-attr]


# Fields that name the customer a contact, need or shipment belongs to.
REFERENCE_SPECS = (
    Spec("customer_code", _("customer code"), "客户编码 客户编号 客户代码 customercode code 编码"),
    Spec("customer_uscc", _("customer's unified social credit code"), "统一社会信用代码 信用代码 uscc 税号"),
    Spec(
        "customer_name",
        _("customer name"),
        "客户名称 公司名称 单位名称 企业名称 客户 company customer customername",
    ),
)

CUSTOMER_SPECS = (
    Spec(
        "code",
        _("customer code (to match existing customers)"),
        "客户编码 客户编号 客户代码 code customercode",
    ),
    _customer(
        "name", "客户名称 公司名称 单位名称 企业名称 名称 姓名 客户姓名 name company companyname customername"
    ),
    _customer("kind", "客户类型 客户类别 类型 kind type customertype"),
    _customer("uscc", "统一社会信用代码 社会信用代码 信用代码 税号 uscc creditcode"),
    _customer("status", "客户状态 状态 status"),
    _customer("short_name", "简称 客户简称 shortname"),
    _customer("legal_representative", "法定代表人 法人 法人代表 legalrepresentative"),
    _customer("registered_capital", "注册资本 注册资本万元 注册资金 registeredcapital"),
    _customer("founded_on", "成立日期 成立时间 注册日期 founded foundedon"),
    _customer("industry", "行业 所属行业 industry"),
    _customer("size", "企业规模 规模 size"),
    _customer("ownership", "企业性质 所有制 ownership"),
    _customer("website", "网站 网址 官网 website"),
    _customer("gender", "性别 gender"),
    _customer("birth_date", "出生日期 生日 birthdate"),
    _customer("id_number", "身份证号 身份证号码 身份证 idnumber"),
    _customer("occupation", "职业 occupation"),
    _customer("mobile", "手机 手机号 手机号码 移动电话 mobile cellphone"),
    _customer("phone", "电话 座机 固定电话 联系电话 phone tel telephone"),
    _customer("email", "邮箱 电子邮箱 电子邮件 email e-mail mail"),
    Spec("address", _("address"), "地址 注册地址 公司地址 详细地址 住址 address"),
    Spec("contact_name", _("contact"), "联系人 联系人姓名 contact contactname"),
    Spec("contact_mobile", _("contact's mobile"), "联系人手机 联系人电话 contactmobile contactphone"),
    Spec("contact_title", _("contact's job title"), "联系人职务 职务 职位 title"),
    _customer("business_scope", "经营范围 businessscope"),
    _customer("main_cargo", "主要货物 主营货物 货物 maincargo"),
    _customer("annual_volume_tonnes", "年货运量 年运量 annualvolume"),
    _customer("annual_logistics_spend", "年物流费用 年物流支出 annualspend"),
    _customer("cooperation_since", "合作日期 开始合作 合作开始日期 customersince"),
    _customer("credit_grade", "信用等级 信用评级 creditgrade"),
    _customer("credit_limit", "信用额度 授信额度 creditlimit"),
    _customer("payment_terms", "付款方式 结算方式 paymentterms"),
    _customer("payment_days", "账期 账期天数 付款天数 paymentdays"),
    _customer("bank_name", "开户行 开户银行 bank bankname"),
    _customer("bank_account", "银行账号 银行帐号 账号 bankaccount"),
    Spec("owner", _("account owner (login name)"), "客户经理 负责人 owner accountmanager"),
    _customer("remarks", "备注 说明 remarks notes note"),
)


def _model_spec(model: type[models.Model], name: str, aliases: str) -> Spec:
    field = model._meta.get_field(name)
    return Spec(name, field.verbose_name, aliases, model, name)  # type: ignore[union-attr]


CONTACT_SPECS = (
    *REFERENCE_SPECS,
    _model_spec(Contact, "name", "联系人 联系人姓名 姓名 contact contactname name"),
    _model_spec(Contact, "title", "职务 职位 title"),
    _model_spec(Contact, "role", "角色 role"),
    _model_spec(Contact, "mobile", "手机 手机号 手机号码 mobile"),
    _model_spec(Contact, "phone", "电话 座机 phone tel"),
    _model_spec(Contact, "email", "邮箱 电子邮箱 email e-mail"),
    _model_spec(Contact, "wechat", "微信 微信号 wechat"),
    _model_spec(Contact, "birthday", "生日 出生日期 birthday"),
    _model_spec(Contact, "is_primary", "主联系人 首要联系人 primary isprimary"),
    _model_spec(Contact, "notes", "备注 notes remarks"),
)
NEED_SPECS = (
    *REFERENCE_SPECS,
    _model_spec(LogisticsNeed, "mode", "运输方式 方式 mode"),
    _model_spec(LogisticsNeed, "origin_city", "始发城市 起运地 始发地 出发城市 origin origincity"),
    _model_spec(LogisticsNeed, "destination_city", "目的城市 目的地 到达城市 destination destinationcity"),
    _model_spec(LogisticsNeed, "cargo_type", "货物类型 货物类别 货类 cargotype cargo"),
    _model_spec(LogisticsNeed, "temperature", "温控 温度要求 温度 temperature"),
    _model_spec(LogisticsNeed, "packaging", "包装 包装标准 packaging"),
    _model_spec(LogisticsNeed, "delivery_window", "送货时间 时效要求 时间窗 deliverywindow"),
    _model_spec(LogisticsNeed, "frequency", "频次 发货频次 频率 frequency"),
    _model_spec(LogisticsNeed, "annual_volume", "年运量 年货运量 annualvolume volume"),
    _model_spec(LogisticsNeed, "volume_unit", "单位 计量单位 unit"),
    _model_spec(LogisticsNeed, "notes", "备注 notes remarks"),
)
SHIPMENT_SPECS = (
    *REFERENCE_SPECS,
    _model_spec(Shipment, "waybill_no", "运单号 运单编号 单号 waybill waybillno"),
    _model_spec(Shipment, "origin_city", "始发城市 起运地 始发地 origin"),
    _model_spec(Shipment, "destination_city", "目的城市 目的地 destination"),
    _model_spec(Shipment, "mode", "运输方式 方式 mode"),
    _model_spec(Shipment, "cargo_type", "货物类别 货类 cargo cargoclass"),
    _model_spec(Shipment, "pieces", "件数 pieces"),
    _model_spec(Shipment, "weight_kg", "重量 重量kg 重量公斤 weight weightkg"),
    _model_spec(Shipment, "volume_m3", "体积 体积m3 方数 volume"),
    _model_spec(Shipment, "declared_value", "声明价值 保价 declaredvalue"),
    _model_spec(Shipment, "amount", "金额 运费 费用 amount"),
    _model_spec(Shipment, "currency", "币种 货币 currency"),
    _model_spec(Shipment, "booked_at", "下单时间 下单日期 托运日期 发货日期 booked bookedat"),
    _model_spec(Shipment, "promised_at", "承诺时间 承诺送达 约定到达 promised promisedat"),
    _model_spec(Shipment, "delivered_at", "签收时间 送达时间 签收日期 delivered deliveredat"),
    _model_spec(Shipment, "status", "状态 运单状态 status"),
)
SPECS: dict[str, tuple[Spec, ...]] = {
    ImportTarget.CUSTOMERS: CUSTOMER_SPECS,
    ImportTarget.CONTACTS: CONTACT_SPECS,
    ImportTarget.NEEDS: NEED_SPECS,
    ImportTarget.SHIPMENTS: SHIPMENT_SPECS,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    ImportTarget.CUSTOMERS: ("name",),
    ImportTarget.CONTACTS: ("name",),
    ImportTarget.NEEDS: ("mode", "origin_city", "destination_city", "cargo_type", "frequency"),
    ImportTarget.SHIPMENTS: ("origin_city", "destination_city", "mode", "weight_kg", "amount", "booked_at"),
}
REFERENCES = tuple(spec.name for spec in REFERENCE_SPECS)


HEADER_NOISE = re.compile(r"[\s_\-()（）:：/\\.·*]")


def header_key(text: str) -> str:
    """A header as compared with the aliases: half-width, lower case, without spaces or punctuation."""
    return HEADER_NOISE.sub("", to_half_width(clean_header(text))).lower()


def specs(target: str) -> tuple[Spec, ...]:
    try:
        return SPECS[target]
    except KeyError:
        raise ValidationError(
            {"target": _("Unknown import target “%(target)s”.") % {"target": target}}
        ) from None


def spec_of(target: str, name: str) -> Spec:
    return next(spec for spec in specs(target) if spec.name == name)


def field_choices(target: str) -> list[tuple[str, str]]:
    """(field name, label) a column may map to, for the wizard's select boxes."""
    return [(spec.name, str(spec.label)) for spec in specs(target)]


def required_fields(target: str) -> list[str]:
    """Fields every file of `target` must map (a customer reference is needed too, see `check_mapping`)."""
    specs(target)
    return list(REQUIRED[target])


@cache
def _alias_table(target: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for spec in specs(target):
        for alias in (spec.name, *spec.aliases.split()):
            table.setdefault(header_key(alias), spec.name)
    return table


def guess_mapping(headers: list[str], target: str) -> dict[str, str]:
    """header → field name ("" = ignore). A saved mapping made for exactly these headers wins."""
    saved = saved_mapping_for(headers, target)
    if saved is not None:
        return {header: saved.columns.get(header, "") for header in headers}
    table = _alias_table(target)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        name = table.get(header_key(header), "")
        if name in taken:
            name = ""  # a second column with the same meaning: the first one wins, this one is listed
        if name:
            taken.add(name)
        mapping[header] = name
    return mapping


def saved_mapping_for(headers: list[str], target: str) -> ColumnMapping | None:
    wanted = set(headers)
    for saved in ColumnMapping.objects.filter(target=target).order_by("-updated_at"):
        if set(saved.columns) == wanted:
            return saved
    return None


def check_mapping(target: str, mapping: dict[str, str]) -> None:
    """Every required field mapped once, no field mapped twice, only known fields."""
    known = {spec.name for spec in specs(target)}
    errors: list[ValidationError] = []
    counts: dict[str, list[str]] = {}
    for header, name in mapping.items():
        if not name:
            continue
        if name not in known:
            errors.append(ValidationError(_("“%(field)s” is not a field you can import.") % {"field": name}))
            continue
        counts.setdefault(name, []).append(header)
    labels = dict(field_choices(target))
    for name, headers in counts.items():
        if len(headers) > 1:
            errors.append(
                ValidationError(
                    _(
                        "The columns %(columns)s all fill “%(field)s”; "
                        "choose one and set the others to ignore."
                    )
                    % {"columns": "、".join(headers), "field": labels[name]}
                )
            )
    for name in REQUIRED[target]:
        if name not in counts:
            errors.append(
                ValidationError(
                    _("No column fills “%(field)s”, which is required. Choose the column that holds it.")
                    % {"field": labels[name]}
                )
            )
    if target != ImportTarget.CUSTOMERS and not any(name in counts for name in REFERENCES):
        errors.append(
            ValidationError(
                _(
                    "Choose the column that says which customer each row belongs to: the customer code, "
                    "the unified social credit code or the customer name."
                )
            )
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mapping_save(*, actor: Any, name: str, target: str, columns: dict[str, str]) -> ColumnMapping:
    """Save (or replace, by name) a mapping so the same sheet is mapped by itself next time."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the mapping a name, e.g. the sender of the file.")})
    known = {spec.name for spec in specs(target)}
    unknown = sorted({value for value in columns.values() if value and value not in known})
    if unknown:
        raise ValidationError({"columns": _("Unknown fields: %(fields)s.") % {"fields": "、".join(unknown)}})
    mapping, _created = ColumnMapping.objects.update_or_create(
        target=target, name=name[:100], defaults={"columns": dict(columns), "created_by": actor}
    )
    return mapping


# -- cell parsers ---------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)
DATE_PATTERNS = (
    re.compile(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:时](\d{1,2})(?:[:分](\d{1,2}))?秒?)?"
    ),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
EXCEL_SERIAL = re.compile(r"\d{1,5}(\.\d+)?")
EXCEL_SERIAL_TIME = re.compile(r"\d{1,5}\.\d+")
MONEY_NOISE = re.compile(r"[,，\s¥￥元$]")
EXTRA_CHOICES = {
    "kind": {
        "企业": "E",
        "公司": "E",
        "个人": "P",
        "自然人": "P",
        "机构": "I",
        "事业单位": "I",
        "合作伙伴": "S",
        "内部": "N",
    },
    "gender": {"男": "male", "女": "female", "m": "male", "f": "female"},
    "mode": {
        "公路": "road",
        "汽运": "road",
        "陆运": "road",
        "整车": "road",
        "零担": "road",
        "铁路": "rail",
        "海运": "sea",
        "水运": "sea",
        "空运": "air",
        "航空": "air",
        "快递": "express",
        "仓储": "warehousing",
        "多式联运": "multimodal",
    },
    "frequency": {
        "每天": "daily",
        "每日": "daily",
        "每周": "weekly",
        "每月": "monthly",
        "季节性": "seasonal",
        "不定期": "ad_hoc",
        "临时": "ad_hoc",
    },
}
TRUE_WORDS = {"是", "y", "yes", "true", "1", "√", "✓", "主"}
FALSE_WORDS = {"否", "n", "no", "false", "0", "×", ""}


def parse_date(text: str) -> dt.date:
    """2024/1/5, 2024-01-05, 2024年1月5日, 2024.1.5, 20240105, an Excel serial number (45296)."""
    value = to_half_width(text).strip()
    for pattern in DATE_PATTERNS:
        if found := pattern.match(value):
            year, month, day = (int(part) for part in found.groups()[:3])
            return dt.date(year, month, day)
    if EXCEL_SERIAL.fullmatch(value) and 1 <= float(value) < 2958466:
        return EXCEL_EPOCH + dt.timedelta(days=int(float(value)))
    raise ValueError(value)


def parse_datetime(text: str) -> dt.datetime:
    value = to_half_width(text).strip()
    match = DATE_PATTERNS[0].match(value)
    if match and match.group(4):
        year, month, day, hour, minute = (int(part) for part in match.groups()[:5])
        second = int(match.group(6) or 0)
        naive = dt.datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - made aware below
    elif EXCEL_SERIAL_TIME.fullmatch(value):
        naive = dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=float(value))
    else:
        naive = dt.datetime.combine(parse_date(value), dt.time(12))
    return timezone.make_aware(naive)


def parse_decimal(text: str) -> Decimal:
    value = MONEY_NOISE.sub("", to_half_width(text))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


@cache
def choice_lookup(model: type[models.Model], name: str) -> dict[str, str]:
    """Every spelling of every choice of a field: its code, English and Chinese labels (lower case)."""
    field = model._meta.get_field(name)
    lookup: dict[str, str] = {}
    for value, label in field.choices or ():  # type: ignore[union-attr]
        lookup[str(value).lower()] = str(value)
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.setdefault(header_key(str(label)), str(value))
    for spelling, value in EXTRA_CHOICES.get(name, {}).items():
        lookup.setdefault(spelling, value)
    return lookup


def parser_for(spec: Spec) -> tuple[Callable[[str], Any], Any]:
    """(how a cell's text becomes the field's value, hint shown when that fails)."""
    if spec.model is None or spec.model_field is None:
        return (lambda text: " ".join(to_half_width(text).split())), ""
    field = spec.model._meta.get_field(spec.model_field)
    if getattr(field, "choices", None):
        lookup = choice_lookup(spec.model, spec.model_field)
        options = "、".join(str(label) for _value, label in field.choices)  # type: ignore[union-attr]

        @lru_cache(maxsize=1024)  # a column repeats a handful of spellings
        def choice(text: str) -> str:
            key = to_half_width(text).strip()
            found = lookup.get(key.lower()) or lookup.get(header_key(key))
            if found is None:
                raise ValueError(text)
            return found

        return choice, _("Use one of: %(options)s.") % {"options": options}
    if isinstance(field, models.DateTimeField):
        return parse_datetime, _("Write the time as 2024-01-05 14:30 (or just the date).")
    if isinstance(field, models.DateField):
        return parse_date, _("Write the date as 2024-01-05, 2024/1/5 or 2024年1月5日.")
    if isinstance(field, models.DecimalField):
        return parse_decimal, _("Write a number, e.g. 1200.50 (no units or text).")
    if isinstance(field, models.BooleanField):

        def yes_no(text: str) -> bool:
            key = to_half_width(text).strip().lower()
            if key in TRUE_WORDS:
                return True
            if key in FALSE_WORDS:
                return False
            raise ValueError(text)

        return yes_no, _("Write 是 or 否.")
    if isinstance(field, models.IntegerField):

        def whole(text: str) -> int:
            number = parse_decimal(text)
            if number != number.to_integral_value():
                raise ValueError(text)
            return int(number)

        return whole, _("Write a whole number, e.g. 30.")
    return (lambda text: " ".join(to_half_width(text).split())), ""
