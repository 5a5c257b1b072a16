"""Validators for Chinese identifiers, phones, amounts and dates (core.validators)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from freightcrm.core.validators import (
    display_phone,
    normalise_phone,
    resident_id_birth_date,
    resident_id_gender,
    validate_mobile,
    validate_not_negative,
    validate_past_date,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Checked with python-stdnum: both are valid unified social credit codes.
USCC_BEIJING = "91110000600037341L"
USCC_PUDONG = "91310115MA1K3YJ12G"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z


def ric_with_check(body: str) -> str:
    """A resident ID number from its 17-digit body.

    `stdnum.cn.ric.calc_check_digit` expects the whole number and ignores its last character, so
    the body gets a placeholder before the check digit is computed.
    """
    assert len(body) == 17
    return body + ric.calc_check_digit(body + "0")


RIC_BEIJING = ric_with_check("11010519491231002")  # 朝阳区, 1949-12-31, female; check digit X
RIC_SHANGHAI = ric_with_check("31010119900101123")  # 黄浦区, 1990-01-01, male
RIC_SHENZHEN = ric_with_check("44030519851120451")  # 南山区, 1985-11-20, male


def error_of(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validator(value)
    error = caught.value
    assert error.messages and all(message.strip() for message in error.messages)
    return error


def full_width(text: str) -> str:
    """As typed with a Chinese input method: ASCII digits and letters as full-width characters."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- 统一社会信用代码 ---------------------------------------------------------------------------


def test_uscc_examples_are_valid_according_to_stdnum():
    assert uscc.is_valid(USCC_BEIJING)
    assert uscc.is_valid(USCC_PUDONG)


@pytest.mark.parametrize(
    "value",
    [
        USCC_BEIJING,
        USCC_PUDONG,
        USCC_PUDONG.lower(),
        "9111 0000 6000 3734 1L",
        "91110000-600037341L",
        " 91310115MA1K3YJ12G\n",
        full_width(USCC_PUDONG),
        full_width("9111 0000") + "\u3000" + full_width("600037341L"),
    ],
)
def test_validate_uscc_accepts_valid_codes_after_normalisation(value):
    validate_uscc(value)


@pytest.mark.parametrize("value", ["", "9111000060003734", USCC_BEIJING[:-1], USCC_BEIJING + "1"])
def test_validate_uscc_rejects_wrong_length(value):
    error = error_of(validate_uscc, value)

    assert error.code == "uscc_length"
    assert error.params == {"length": len(value)}


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_validate_uscc_rejects_letters_outside_the_alphabet(letter):
    value = USCC_PUDONG[:10] + letter + USCC_PUDONG[11:]

    assert error_of(validate_uscc, value).code == "uscc_format"


def test_validate_uscc_rejects_punctuation_and_chinese_characters():
    assert error_of(validate_uscc, "91310115MA1K3YJ12*").code == "uscc_format"
    assert error_of(validate_uscc, "上海市浦东新区市场监督管理局营业执照号").code == "uscc_length"


def test_validate_uscc_rejects_wrong_check_character():
    # 91310115MA1K3YJ12X looks plausible, but its check character is G.
    assert error_of(validate_uscc, "91310115MA1K3YJ12X").code == "uscc_checksum"
    assert error_of(validate_uscc, "91110000600037341A").code == "uscc_checksum"


def test_validate_uscc_accepts_letter_prefixed_codes_with_correct_check_character():
    # given: a village collective economic organisation (registration authority N, category 2)
    body = "N2310115MA1K3YJ12"
    value = body + uscc.calc_check_digit(body)

    # when / then: the code uses the GB 32100-2015 alphabet and has the right check character
    validate_uscc(value)


@st.composite
def uscc_codes(draw) -> str:
    """A valid USCC: 8 digits (authority, category, region), 9 alphabet characters, check character."""
    head = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
    organisation = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    body = head + organisation
    return body + uscc.calc_check_digit(body)


@PROPERTY
@given(code=uscc_codes(), data=st.data())
def test_property_valid_uscc_validates_and_every_single_substitution_fails(code, data):
    # given: a valid code
    validate_uscc(code)

    # when: one character is replaced by a different character of the alphabet
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    replacement = data.draw(
        st.sampled_from([c for c in USCC_ALPHABET if c != code[position]]), label="replacement"
    )
    changed = code[:position] + replacement + code[position + 1 :]

    # then: the check character catches it (or a letter lands where only digits may be)
    with pytest.raises(ValidationError) as caught:
        validate_uscc(changed)
    assert caught.value.code in {"uscc_checksum", "uscc_format"}


def test_every_single_substitution_of_a_known_code_fails():
    for position, original in enumerate(USCC_PUDONG):
        for replacement in USCC_ALPHABET:
            if replacement == original:
                continue
            changed = USCC_PUDONG[:position] + replacement + USCC_PUDONG[position + 1 :]
            with pytest.raises(ValidationError):
                validate_uscc(changed)


# --- 居民身份证号码 -----------------------------------------------------------------------------


def test_resident_id_examples_are_valid_according_to_stdnum():
    assert RIC_BEIJING == "11010519491231002X"
    for number in (RIC_BEIJING, RIC_SHANGHAI, RIC_SHENZHEN):
        assert ric.is_valid(number)


@pytest.mark.parametrize(
    "value",
    [
        RIC_BEIJING,
        RIC_BEIJING.lower(),
        RIC_SHANGHAI,
        RIC_SHENZHEN,
        "310101 19900101 1234",
        full_width(RIC_SHENZHEN),
        full_width("110105") + "\u3000" + "19491231002x",
    ],
)
def test_validate_resident_id_accepts_valid_numbers(value):
    validate_resident_id(value)


@pytest.mark.parametrize("value", ["", "11010519491231", RIC_SHANGHAI + "0", RIC_SHANGHAI[:-1]])
def test_validate_resident_id_rejects_wrong_length(value):
    error = error_of(validate_resident_id, value)

    assert error.code == "ric_length"
    assert error.params == {"length": len(value)}


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002A",  # only X may end the number
        "I10105194912310022",  # letter I instead of digit 1
        "1101051949I231002X",
        "11010519491231002*",
        "张三李四王五赵六钱七孙八周九吴十郑冯",
    ],
)
def test_validate_resident_id_rejects_letters(value):
    assert error_of(validate_resident_id, value).code == "ric_format"


def test_validate_resident_id_rejects_impossible_birth_date():
    error = error_of(validate_resident_id, ric_with_check("11010519990230123"))

    assert error.code == "ric_birth_date"
    assert error.params == {"digits": "19990230"}


def test_validate_resident_id_rejects_future_birth_date():
    # given: a number whose birth date is a year from now
    future = timezone.localdate() + dt.timedelta(days=366)
    number = ric_with_check(f"110105{future:%Y%m%d}123")

    # when
    error = error_of(validate_resident_id, number)

    # then
    assert error.code == "ric_birth_date"
    assert error.params == {"date": future.isoformat()}


def test_validate_resident_id_rejects_birth_date_before_1900():
    assert error_of(validate_resident_id, ric_with_check("11010518991231123")).code == "ric_birth_date"


def test_validate_resident_id_rejects_unknown_region():
    error = error_of(validate_resident_id, ric_with_check("99010119900101123"))

    assert error.code == "ric_region"
    assert error.params == {"region": "990101"}


def test_validate_resident_id_rejects_wrong_check_digit():
    wrong = RIC_SHANGHAI[:-1] + ("5" if RIC_SHANGHAI[-1] != "5" else "6")

    assert error_of(validate_resident_id, wrong).code == "ric_checksum"
    assert error_of(validate_resident_id, RIC_SHANGHAI[:-1] + "X").code == "ric_checksum"


def test_validate_resident_id_reports_non_ascii_digits_as_format_error():
    arabic_indic = RIC_SHANGHAI.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))

    assert error_of(validate_resident_id, arabic_indic).code == "ric_format"


@pytest.mark.parametrize(
    ("number", "gender", "birth"),
    [
        (RIC_BEIJING, "female", dt.date(1949, 12, 31)),
        (RIC_SHANGHAI, "male", dt.date(1990, 1, 1)),
        (RIC_SHENZHEN, "male", dt.date(1985, 11, 20)),
        (full_width(RIC_SHENZHEN), "male", dt.date(1985, 11, 20)),
        ("110105 19491231 002x", "female", dt.date(1949, 12, 31)),
    ],
)
def test_resident_id_gender_and_birth_date(number, gender, birth):
    assert resident_id_gender(number) == gender
    assert resident_id_birth_date(number) == birth


# Region codes that python-stdnum knows for births from 1990 on (北京, 上海, 深圳, 杭州, 成都, 武汉, 南京).
REGIONS = ["110101", "110105", "310101", "310104", "440305", "330106", "510107", "420106", "320102"]


@st.composite
def resident_id_bodies(draw) -> str:
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2020, 12, 31)))
    sequence = draw(st.integers(min_value=0, max_value=999))
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    try:
        ric.get_birth_place(body + "0")
    except Exception:  # noqa: BLE001 - the region did not exist in that year
        assume(False)
    return body


@PROPERTY
@given(body=resident_id_bodies(), data=st.data())
def test_property_resident_id_with_calculated_check_digit_validates_and_any_digit_change_fails(body, data):
    # given: a number with the check digit stdnum calculates
    number = ric_with_check(body)
    validate_resident_id(number)

    # when: any one character is replaced by a different digit
    position = data.draw(st.integers(min_value=0, max_value=17), label="position")
    replacement = data.draw(
        st.sampled_from([d for d in "0123456789" if d != number[position]]), label="replacement"
    )
    changed = number[:position] + replacement + number[position + 1 :]

    # then: validation fails (the check digit, or the changed date or region, gives it away)
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(changed)
    assert caught.value.code in {"ric_checksum", "ric_birth_date", "ric_region"}


# --- Any text: validators raise ValidationError or nothing --------------------------------------

TEXT_VALIDATORS = [validate_uscc, validate_resident_id, validate_mobile, validate_phone]


def _only_validation_errors(validator, value: str) -> None:
    try:
        validator(value)
    except ValidationError as error:
        assert error.messages


@pytest.mark.parametrize("validator", TEXT_VALIDATORS, ids=lambda v: v.__name__)
@PROPERTY
@given(value=st.text())
def test_property_validators_raise_only_validation_error_for_any_text(validator, value):
    _only_validation_errors(validator, value)


@pytest.mark.parametrize("validator", TEXT_VALIDATORS, ids=lambda v: v.__name__)
@PROPERTY
@given(
    value=st.text(
        alphabet=st.sampled_from("0123456789Xx+-() \u3000０１２３４５６７８９Ｘ－٣ｘ"),
        min_size=0,
        max_size=24,
    )
)
def test_property_validators_raise_only_validation_error_for_number_like_text(validator, value):
    _only_validation_errors(validator, value)


# --- Phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["13800138000", "+86 138 0013 8000", "138-0013-8000", "１３８００１３８０００", "+852 9123 4567"],
)
def test_validate_mobile_accepts_mobile_numbers(value):
    validate_mobile(value)


@pytest.mark.parametrize("value", ["12345", "1380013800", "手机号码", ""])
def test_validate_mobile_rejects_non_numbers(value):
    error = error_of(validate_mobile, value)

    assert error.code == "mobile"
    assert error.params == {"value": value}


@pytest.mark.parametrize("value", ["021-68888888", "010 6512 3456", "4008123123"])
def test_validate_mobile_rejects_landline_given_as_mobile(value):
    assert error_of(validate_mobile, value).code == "mobile_is_landline"


@pytest.mark.parametrize(
    "value", ["021-68888888", "(021) 6888 8888", "０２１－６８８８８８８８", "4008123123", "13800138000"]
)
def test_validate_phone_accepts_landlines_service_lines_and_mobiles(value):
    validate_phone(value)


@pytest.mark.parametrize("value", ["123", "021-688", "电话", ""])
def test_validate_phone_rejects_invalid_numbers(value):
    assert error_of(validate_phone, value).code == "phone"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("021-68888888", "021-68888888"),
        ("010 8888 8888", "010-88888888"),
        ("+852 9123 4567", "+85291234567"),
        ("4008123123", "400-812-3123"),
        (" 12345 ", "12345"),  # not a number: unchanged, validation explains
    ],
)
def test_normalise_phone(value, expected):
    assert normalise_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("+8613800138000", "138 0013 8000"),
        ("+862168888888", "021 6888 8888"),
        ("+85291234567", "+852 9123 4567"),
        ("", ""),
        ("没有电话", "没有电话"),
    ],
)
def test_display_phone(value, expected):
    assert display_phone(value) == expected


# --- Amounts and dates --------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, 0, Decimal("0.00"), Decimal("12.50"), 10_000])
def test_validate_not_negative_accepts_zero_and_more(value):
    validate_not_negative(value)


@pytest.mark.parametrize("value", [-1, Decimal("-0.01")])
def test_validate_not_negative_rejects_negative_amounts(value):
    assert error_of(validate_not_negative, value).code == "negative"


def test_validate_past_date_accepts_dates_from_1900_to_today():
    today = timezone.localdate()
    for value in (None, dt.date(1900, 1, 1), dt.date(1998, 6, 18), today, timezone.now()):
        validate_past_date(value)


def test_validate_past_date_rejects_future():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    error = error_of(validate_past_date, tomorrow)

    assert error.code == "future_date"
    assert error.params == {"date": tomorrow.isoformat()}


def test_validate_past_date_rejects_dates_before_1900():
    assert error_of(validate_past_date, dt.date(1899, 12, 31)).code == "too_old"


@given(st.text(max_size=40) | st.text(alphabet="Ａｂ１２　 中文,-", max_size=20))
def test_half_width_shortcut_is_the_full_translation(value):
    """`to_half_width` skips text with no full-width character; the result is the translation's."""
    from freightcrm.core.validators import FULL_WIDTH, to_half_width

    assert to_half_width(value) == value.translate(FULL_WIDTH)


# -- phone facts: the five-digit prefix cache is the full parse -----------------------------------


def _parsed_facts(text: str) -> tuple[bool, int | None, str]:
    """The facts straight from phonenumbers, without any cache."""
    from freightcrm.core.validators import _phone_facts

    _phone_facts.cache_clear()
    facts = _phone_facts(text)
    return facts.valid, facts.mainland_type, facts.normalised


def test_every_five_digit_mobile_prefix_decides_the_whole_number():
    """phone_facts reads an 11-digit mobile shape from its first five digits; for every prefix the
    shape admits, numbers with different last six digits give the same facts as a full parse."""
    import random
    import re

    from freightcrm.core import validators

    rnd = random.Random(5)
    checked = 0
    for prefix_number in range(10_000, 20_000):
        prefix = str(prefix_number)
        if not validators.MOBILE_SHAPE.fullmatch(prefix + "000000"):
            continue
        validators._PREFIX_FACTS.clear()
        validators.phone_facts.cache_clear()
        for suffix in ("000000", "999999", f"{rnd.randrange(10**6):06d}"):
            text = prefix + suffix
            fast = validators.phone_facts(text)
            assert (fast.valid, fast.mainland_type, fast.normalised) == _parsed_facts(text), text
        checked += 1
    assert checked == 7_900  # 10…, 13…–19… without 179…
    assert not re.fullmatch(validators.MOBILE_SHAPE, "11200001234")  # IP-dialling prefixes parse apart


@given(st.text(alphabet="0123456789１３８ -+()", min_size=0, max_size=16))
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_phone_facts_agree_with_a_full_parse(value):
    from freightcrm.core.validators import phone_facts, to_half_width

    phone_facts.cache_clear()
    facts = phone_facts(value)
    assert (facts.valid, facts.mainland_type, facts.normalised) == _parsed_facts(to_half_width(value).strip())


def test_every_landline_prefix_decides_the_whole_number():
    """A landline `0<area>-<local>` is read from its area code, the local number's first digit and its
    length; for every such key, different remaining digits give the same facts as a full parse."""
    import random

    from freightcrm.core import validators

    rnd = random.Random(6)
    areas = ["10", *(str(area) for area in range(20, 30)), *(str(area) for area in range(300, 1000))]
    for area in areas:
        for first in "234567":
            for length in (7, 8):
                validators._PREFIX_FACTS.clear()
                validators.phone_facts.cache_clear()
                rest = (
                    "0" * (length - 1),
                    "9" * (length - 1),
                    f"{rnd.randrange(10 ** (length - 1)):0{length - 1}d}",
                )
                for digits in rest:
                    text = f"0{area}-{first}{digits}"
                    fast = validators.phone_facts(text)
                    assert (fast.valid, fast.mainland_type, fast.normalised) == _parsed_facts(text), text
    assert not validators.LANDLINE_SHAPE.fullmatch("010-80012345")  # Beijing's 8… depends on more digits
