"""Field extraction from OCR line lists (no model: fast). The lists copy what the model returned for
rendered licences and cards, including its quirks: label and value merged into one line or split
into two columns, values wrapped over lines, a stray digit before a date, O read for 0."""

from __future__ import annotations

import pytest

from freightcrm.intake.ocr import (
    OcrLine,
    chinese_number,
    extract,
    extract_card,
    extract_licence,
    guess_kind,
    parse_capital,
    parse_date,
    parse_uscc,
    reading_order,
)


def line(
    text: str, x: float, y: float, width: float | None = None, height: float = 36, confidence: float = 0.99
) -> OcrLine:
    width = width if width is not None else 30 * len(text)
    return OcrLine(
        text=text,
        confidence=confidence,
        box=((x, y), (x + width, y), (x + width, y + height), (x, y + height)),
    )


LICENCE_TWO_COLUMNS = [
    line("营业执照", 562, 77, height=60),
    line("统一社会信用代码91310115MA1K4CN12W", 82, 200),
    line("名称", 74, 292, 160),
    line("上海恒通国际物流有限公司", 246, 298),
    line("注册资本伍佰万元整", 759, 296),
    line("类型", 75, 366, 160),
    line("有限责任公司（自然人投资或", 248, 371),
    line("成立日期", 762, 371),
    line("12016年03月08日", 876, 368, confidence=0.983),
    line("控股)", 246, 409),
    line("营业期限", 760, 441),
    line("2016年03月08日至", 907, 442),
    line("法定代表人王建国", 81, 484),
    line("不约定期限", 909, 482),
    line("经营范围", 77, 552),
    line("国内货物运输代理，普通货物", 253, 557),
    line("住所上海市浦东新区张江路13", 755, 551, 430),
    line("仓储服务，道路货物运输，装", 250, 597),
    line("88号3幢201室", 910, 597),
    line("卸搬运。", 247, 638),
    line("登记机关2023年05月10日", 902, 888),
]


def test_licence_in_two_columns_with_wrapped_values() -> None:
    # when
    extracted = extract_licence(reading_order(LICENCE_TWO_COLUMNS))
    # then
    values = {name: found.value for name, found in extracted.fields.items()}
    assert values == {
        "uscc": "91310115MA1K4CN12W",
        "name": "上海恒通国际物流有限公司",
        "registered_capital": "500",
        "company_type": "有限责任公司（自然人投资或控股)",
        "founded_on": "2016-03-08",
        "legal_representative": "王建国",
        "business_scope": "国内货物运输代理，普通货物仓储服务，道路货物运输，装卸搬运。",
        "address": "上海市浦东新区张江路1388号3幢201室",
    }
    assert extracted.fields["uscc"].confidence == pytest.approx(0.99)
    assert extracted.fields["founded_on"].confidence < extracted.fields["name"].confidence  # stray digit
    assert extracted.fields["address"].source == "住所上海市浦东新区张江路13 / 88号3幢201室"


def test_licence_with_labels_and_values_on_one_line_and_spaced_labels() -> None:
    lines = [
        line("营 业 执 照", 300, 20, height=60),
        line("名　　称：广州市白云区迅达货运代理有限公司", 40, 120),
        line("统一社会信用代码：9144O300MA5DC0QR27", 40, 170),
        line("负 责 人：陈 静", 40, 220),
        line("经营场所：广东省广州市白云区机场路128号", 40, 270),
        line("注册资本：人民币500.00万元", 40, 320),
        line("成立日期：2019年7月1日", 40, 370),
    ]
    extracted = extract_licence(reading_order(lines))
    assert extracted.value("name") == "广州市白云区迅达货运代理有限公司"
    assert extracted.value("uscc") == "91440300MA5DC0QR27"  # O read for 0, repaired: the check passes
    assert extracted.fields["uscc"].confidence == pytest.approx(0.99 * 0.85, abs=1e-3)
    assert extracted.value("legal_representative") == "陈静"
    assert extracted.value("address") == "广东省广州市白云区机场路128号"
    assert extracted.value("registered_capital") == "500"
    assert extracted.value("founded_on") == "2019-07-01"


def test_licence_label_above_value_and_uscc_without_label() -> None:
    lines = [
        line("92320102MA1MXX8A3H", 40, 40),  # code printed alone (its label unreadable)
        line("名称", 40, 100, 60),
        line("南京鼎盛冷链仓储有限公司", 40, 140),
        line("法定代表人", 40, 200, 150),
        line("刘洋", 40, 240),
    ]
    extracted = extract_licence(reading_order(lines))
    assert extracted.value("name") == "南京鼎盛冷链仓储有限公司"
    assert extracted.value("legal_representative") == "刘洋"
    assert extracted.value("uscc") == "92320102MA1MXX8A3H"
    assert extracted.fields["uscc"].confidence < 0.99


def test_a_uscc_that_fails_its_check_is_kept_with_low_confidence() -> None:
    extracted = extract_licence([line("统一社会信用代码 91310115MA1K4CN12X", 0, 0)])
    assert extracted.value("uscc") == "91310115MA1K4CN12X"
    assert extracted.fields["uscc"].low


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("91310115MA1K4CN12W", ("91310115MA1K4CN12W", 1.0)),
        ("9131O115MA1K4CN12W", ("91310115MA1K4CN12W", 0.85)),
        ("91310115MA1K4CN1ZW", ("91310115MA1K4CN1ZW", 0.4)),  # Z for 2 is not a look-alike we repair
        ("913１0115 MA1K 4CN12W", ("91310115MA1K4CN12W", 1.0)),
        ("代码", None),
    ],
)
def test_parse_uscc(text: str, expected: tuple[str, float] | None) -> None:
    assert parse_uscc(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("伍佰万元整", "500"),
        ("500万元人民币", "500"),
        ("人民币500.00万元", "500"),
        ("壹仟贰佰万元整", "1200"),
        ("拾万元", "10"),
        ("壹亿元", "10000"),
        ("5000000元", "500"),
        ("1,250.5万元", "1250.5"),
        ("叁拾伍万伍仟元", "35.5"),
    ],
)
def test_parse_capital_in_cny_10k(text: str, expected: str) -> None:
    assert parse_capital(text) == (expected, 1.0)


def test_capital_in_another_currency_is_uncertain() -> None:
    assert parse_capital("100万美元") == ("100", 0.5)


def test_chinese_numbers() -> None:
    assert chinese_number("一千二百三十") == 1230
    assert chinese_number("两万零五") == 20005
    assert chinese_number("元") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2016年03月08日", ("2016-03-08", 1.0)),
        ("2016 年 3 月 8 日", ("2016-03-08", 1.0)),
        ("2016-3-8", ("2016-03-08", 1.0)),
        ("12016年03月08日", ("2016-03-08", 0.9)),
        ("2016年13月08日", None),
    ],
)
def test_parse_date(text: str, expected: tuple[str, float] | None) -> None:
    assert parse_date(text) == expected


CARD = [
    line("深圳顺达供应链管理有限公司", 62, 59, height=40),
    line("李晓明", 60, 166, height=64),
    line("销售经理", 281, 186),
    line("手机：13812345678", 62, 299),
    line("电话：0755-86661234", 61, 349),
    line("邮箱：lixm@shunda-scm.com", 61, 402, confidence=0.994),
    line("地址：深圳市南山区科技园南区高新南七道18号", 62, 455),
    line("www.shunda-scm.com", 62, 507),
]


def test_card_fields() -> None:
    extracted = extract_card(reading_order(CARD))
    values = {name: found.value for name, found in extracted.fields.items()}
    assert values == {
        "company": "深圳顺达供应链管理有限公司",
        "person": "李晓明",
        "title": "销售经理",
        "mobile": "13812345678",
        "phone": "0755-86661234",
        "email": "lixm@shunda-scm.com",
        "address": "深圳市南山区科技园南区高新南七道18号",
        "website": "www.shunda-scm.com",
    }
    assert extracted.fields["email"].confidence == pytest.approx(0.994)


def test_card_without_labels_name_and_title_on_one_line_two_mobiles() -> None:
    lines = [
        line("王芳 调度主管", 40, 40, height=50),
        line("杭州运通物流有限公司", 40, 120),
        line("138 0013 8000 / 139-0571-1234", 40, 170),
        line("Tel (0571) 8765 4321  Fax 0571-87654322", 40, 220),
        line("wangfang@yuntong.cn", 40, 270),
        line("浙江省杭州市余杭区仓前街道文一西路998号", 40, 320),
    ]
    extracted = extract_card(reading_order(lines))
    assert extracted.value("person") == "王芳"
    assert extracted.value("title") == "调度主管"
    assert extracted.value("company") == "杭州运通物流有限公司"
    assert extracted.value("mobile") == "13800138000"
    assert extracted.extra["mobiles"] == ["13905711234"]
    assert extracted.value("phone") == "0571-87654321"
    assert extracted.value("email") == "wangfang@yuntong.cn"
    assert extracted.value("address") == "浙江省杭州市余杭区仓前街道文一西路998号"


def test_kind_is_guessed_from_the_text() -> None:
    assert guess_kind(LICENCE_TWO_COLUMNS) == "licence"
    assert guess_kind(CARD) == "card"
    assert extract(CARD).kind == "card"
    assert extract([]).fields == {}


def test_spaced_labels_read_as_single_characters_are_joined() -> None:
    # the model read 名　　称, 类　　型 and 住　　所 as one box per character
    lines = [
        line("名", 70, 270, 37),
        line("称", 150, 272, 35),
        line("上海恒通国际物流有限公司", 229, 271),
        line("类", 71, 336, 35),
        line("型", 118, 334, 69),
        line("有限责任公司（自然人投资或", 227, 335),
        line("控股)", 224, 373),
        line("住", 693, 506, 41),
        line("所", 770, 510, 39),
        line("：上海市浦东新区张江路13", 801, 508, 336),
        line("88号3幢201室", 833, 547),
    ]
    extracted = extract_licence(reading_order(lines))
    assert extracted.value("name") == "上海恒通国际物流有限公司"
    assert extracted.value("company_type") == "有限责任公司（自然人投资或控股)"
    assert extracted.value("address") == "上海市浦东新区张江路1388号3幢201室"


def test_a_value_beside_the_next_label_does_not_continue_the_value_above() -> None:
    # a tilted photo: the name's value sits higher than its label, the type's value follows closely
    lines = [
        line("上海恒通国际物流有限公司", 229, 288, 326, 44),
        line("名称", 77, 298, 119, 42),
        line("有限责任公司（自然人投资或", 231, 351, 354, 46),
        line("类型", 75, 358, 123, 49),
    ]
    extracted = extract_licence(reading_order(lines))
    assert extracted.value("name") == "上海恒通国际物流有限公司"
    assert extracted.value("company_type") == "有限责任公司（自然人投资或"


def test_an_address_label_with_its_second_character_lost_still_finds_the_address() -> None:
    lines = [
        line("住", 693, 507, 43),
        line("：上海市浦东新区张江路13", 801, 508, 336),
        line("88号3幢201室", 832, 546),
    ]
    assert extract_licence(reading_order(lines)).value("address") == "上海市浦东新区张江路1388号3幢201室"
