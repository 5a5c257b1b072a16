"""Masking of sensitive values (core.masking) and the code sequences (core.models.allocate_numbers)."""

from __future__ import annotations

import pytest

from freightcrm.core.masking import mask
from freightcrm.core.models import CodeSequence, allocate_numbers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("310101199001011234", "3101**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("310101 19900101 1234", "3101**********1234"),  # spaces do not count
        ("6222021234567890128", "6222***********0128"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),  # too short to show any part
        ("1234", "****"),
        ("王", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask(value, expected):
    assert mask(value) == expected


def test_mask_with_other_kept_lengths():
    assert mask("6222021234567890128", keep_start=0, keep_end=4) == "***************0128"
    assert mask("13800138000", keep_start=3, keep_end=4) == "138****8000"


@pytest.mark.django_db
def test_allocate_numbers_hands_out_consecutive_ranges():
    assert allocate_numbers("E-310115") == range(1, 2)
    assert allocate_numbers("E-310115", 3) == range(2, 5)
    assert list(allocate_numbers("E-310115", 2)) == [5, 6]
    assert CodeSequence.objects.get(prefix="E-310115").last_value == 6


@pytest.mark.django_db
def test_allocate_numbers_keeps_prefixes_apart():
    # given: numbers taken under one prefix (Shanghai Pudong enterprises)
    allocate_numbers("E-310115", 10)

    # when: another prefix (Beijing Chaoyang individuals) asks for its first numbers
    first = allocate_numbers("P-110105", 2)

    # then: it starts at 1, and the first prefix continues where it was
    assert first == range(1, 3)
    assert allocate_numbers("E-310115") == range(11, 12)
    assert dict(CodeSequence.objects.values_list("prefix", "last_value")) == {"E-310115": 11, "P-110105": 2}
