"""Validators for Chinese identifiers, phones, amounts and dates, with messages that say how to fix.

One validation serves the staff UI, the API and the import: model fields carry these validators,
and services call `full_clean()`. Messages are translatable; Chinese is the default language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

EARLIEST_DATE = dt.date(1900, 1, 1)
FULL_WIDTH = str.maketrans(
    {chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)
HAS_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]")
USCC_ALPHABET = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{18}$")
USCC_SEPARATORS = re.compile(r"[\s\-]")
WHITESPACE = re.compile(r"\s")
RESIDENT_ID_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")


def to_half_width(value: str) -> str:
    """Full-width digits, letters and spaces (as typed with a Chinese input method) to ASCII."""
    # `translate` looks every character up; most text has nothing to change (`isascii` is O(1)).
    if value.isascii() or not HAS_FULL_WIDTH.search(value):
        return value
    return value.translate(FULL_WIDTH)


def normalise_uscc(value: str) -> str:
    return USCC_SEPARATORS.sub("", to_half_width(value)).upper()


def validate_uscc(value: str) -> None:
    """统一社会信用代码: 18 characters from the GB 32100-2015 alphabet with a correct check character."""
    number = normalise_uscc(value)
    if len(number) != 18:
        raise ValidationError(
            _(
                "A unified social credit code has 18 characters; this one has %(length)d. "
                "Copy it again from the business licence."
            ),
            code="uscc_length",
            params={"length": len(number)},
        )
    if not USCC_ALPHABET.match(number):
        raise ValidationError(
            _(
                "The unified social credit code contains a character that cannot occur "
                "(the letters I, O, S, V and Z are never used). Check for O/0 and I/1 mix-ups."
            ),
            code="uscc_format",
        )
    # Only the check character: stdnum also demands digits in positions 3-8, which refuses real
    # codes such as those of village collectives (N2…).
    if uscc.calc_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _(
                "The check character of the unified social credit code is wrong, so one character was "
                "probably mistyped. Compare it character by character with the business licence."
            ),
            code="uscc_checksum",
        )


def normalise_resident_id(value: str) -> str:
    return WHITESPACE.sub("", to_half_width(value)).upper()


def resident_id_birth_date(value: str) -> dt.date:
    return ric.get_birth_date(normalise_resident_id(value))


def resident_id_gender(value: str) -> str:
    """'male' or 'female' from the 17th digit (odd is male), as GB 11643 defines it."""
    return "male" if int(normalise_resident_id(value)[16]) % 2 else "female"


def validate_resident_id(value: str) -> None:
    """居民身份证号码: 18 characters, a real region, a real past birth date, and the check digit."""
    number = normalise_resident_id(value)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(length)d."),
            code="ric_length",
            params={"length": len(number)},
        )
    if not RESIDENT_ID_SHAPE.match(number):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or the letter X."),
            code="ric_format",
        )
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("Digits 7 to 14 of the resident ID number (%(digits)s) are not a valid birth date."),
            code="ric_birth_date",
            params={"digits": number[6:14]},
        ) from exc
    if not EARLIEST_DATE <= birth <= timezone.localdate():
        raise ValidationError(
            _("The birth date in the resident ID number (%(date)s) is not between 1900 and today."),
            code="ric_birth_date",
            params={"date": birth.isoformat()},
        )
    if not _known_region(number[:6]):
        raise ValidationError(
            _("The first six digits of the resident ID number (%(region)s) are not a known region code."),
            code="ric_region",
            params={"region": number[:6]},
        )
    if ric.calc_check_digit(number) != number[-1]:
        raise ValidationError(
            _(
                "The check digit (last character) of the resident ID number does not match; "
                "one digit was probably mistyped. Compare it with the ID card."
            ),
            code="ric_checksum",
        )


def _known_region(code: str) -> bool:
    """A region code that exists or existed. stdnum's own check also demands that the code existed
    in the birth year, which refuses real cards: older people got their numbers when cards were first
    issued (1984 on), under the codes of that time."""
    from stdnum import numdb

    return any(props for _part, props in numdb.get("cn/loc").info(code))


MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
LANDLINE_TYPES = {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.SHARED_COST,
    phonenumbers.PhoneNumberType.UAN,
}


@lru_cache(maxsize=8192)
def _parse_phone(value: str) -> phonenumbers.PhoneNumber | None:
    """Cached: display and validation parse the same numbers again and again. Callers only read the
    parsed number."""
    text = to_half_width(value).strip()
    try:
        return phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None


class PhoneFacts(NamedTuple):
    """What the archive needs to know about a number, worked out once: is it valid, which kind of
    mainland number it is (None abroad), and its one spelling (`normalise_phone`)."""

    valid: bool
    mainland_type: int | None
    normalised: str


# Numbers of these shapes are judged by phonenumbers from a prefix alone; the rest of their digits
# are free in every CN pattern (metadata: mobile `1(?:[38]\d|…)\d{8}`, fixed line `<area>[02-8]\d{6}`…):
# - an 11-digit mobile, from its first five digits. Not 11…, 12… and 179…, where a 7-character
#   IP-dialling prefix (1[12]xx00, 179xx00) changes the parse;
# - a landline written `0<area>-<local>`, from the area code, the local number's first digit and its
#   length. Only locals starting 2–7: Beijing's and Shanghai's 8… and 1…, and the 95… service
#   numbers, depend on more digits.
# `core/tests/test_validators.py` checks the equality for every such prefix.
MOBILE_SHAPE = re.compile(r"1(?:[03-689]\d|7[0-8])\d{8}")
LANDLINE_SHAPE = re.compile(r"0(10|2\d|[3-9]\d\d)-([2-7])(\d{6,7})")
_PREFIX_FACTS: dict[str, tuple[bool, int | None, bool]] = {}


@lru_cache(maxsize=65536)
def _phone_facts(text: str) -> PhoneFacts:
    number = _parse_phone(text)
    if number is None or not phonenumbers.is_valid_number(number):
        return PhoneFacts(False, None, "")
    if number.country_code != 86:
        return PhoneFacts(True, None, phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
    kind = phonenumbers.number_type(number)
    national = phonenumbers.national_significant_number(number)
    if len(national) == 11 and national.startswith("1"):  # a mobile (Beijing's 010 also starts with 1)
        return PhoneFacts(True, kind, national)
    area = phonenumbers.length_of_geographical_area_code(number)
    if area:
        return PhoneFacts(True, kind, f"0{national[:area]}-{national[area:]}")
    spelled = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return PhoneFacts(True, kind, spelled.replace(" ", "-"))


@lru_cache(maxsize=4096)
def phone_facts(value: str) -> PhoneFacts:
    """The facts of a number: parsed once per spelling (a record's numbers are normalised, then
    validated, often twice: the last few thousand are remembered), and a mobile or landline of a
    known shape once per prefix (see MOBILE_SHAPE, LANDLINE_SHAPE)."""
    text = to_half_width(value).strip()
    if MOBILE_SHAPE.fullmatch(text):
        prefix = text[:5]
    elif landline := LANDLINE_SHAPE.fullmatch(text):
        prefix = f"{landline[1]}-{landline[2]}{len(landline[3])}"
    else:
        return _phone_facts(text)
    known = _PREFIX_FACTS.get(prefix)
    if known is None:
        facts = _phone_facts(text)
        known = _PREFIX_FACTS[prefix] = (facts.valid, facts.mainland_type, facts.normalised == text)
    valid, kind, spelled_as_typed = known
    if not valid:
        return PhoneFacts(False, None, "")
    if spelled_as_typed:
        return PhoneFacts(True, kind, text)
    return _phone_facts(text)


def normalise_phone(value: str) -> str:
    """One spelling per number, the way Chinese offices write it: mobiles as 11 digits
    (`13812345678`), landlines as area code and number (`021-68888888`), service lines as
    `400-812-3123`, numbers abroad in E.164 (`+85291234567`). Unparseable input comes back
    unchanged (validation says why)."""
    facts = phone_facts(value)
    return facts.normalised if facts.valid else value.strip()


def display_phone(value: str) -> str:
    number = _parse_phone(value) if value else None
    if number is None:
        return value or ""
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_mobile(value: str) -> None:
    facts = phone_facts(value)
    if not facts.valid:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid mobile number. A mainland mobile number has 11 digits and "
                "starts with 1, e.g. 138 0013 8000; add the country code for numbers abroad."
            ),
            code="mobile",
            params={"value": value},
        )
    if facts.mainland_type is not None and facts.mainland_type not in MOBILE_TYPES:
        raise ValidationError(
            _("“%(value)s” is a landline number; enter it as the telephone, not as the mobile."),
            code="mobile_is_landline",
            params={"value": value},
        )


def validate_phone(value: str) -> None:
    """Any reachable number: mobile, landline with area code (021-6888 8888), or 400/800 service line."""
    if not phone_facts(value).valid:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid telephone number. Write a landline with its area code "
                "(e.g. 021-6888 8888), or an 11-digit mobile number."
            ),
            code="phone",
            params={"value": value},
        )


def validate_not_negative(value: Decimal | int | None) -> None:
    if value is not None and value < 0:
        raise ValidationError(
            _("The value cannot be negative (got %(value)s). Enter 0 or more."),
            code="negative",
            params={"value": value},
        )


def validate_past_date(value: dt.date | None) -> None:
    """A date that has happened: from 1900 up to today (founding dates, birth dates)."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        value = value.date()
    if value > timezone.localdate():
        raise ValidationError(
            _("%(date)s is in the future; enter a date up to today."),
            code="future_date",
            params={"date": value.isoformat()},
        )
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("%(date)s is before 1900; check the year."), code="too_old", params={"date": value.isoformat()}
        )
