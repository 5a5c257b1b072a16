"""Chinese administrative regions: split an address into province / city / district with its code.

Backed by `cpca` (its region table ships in the wheel). Municipalities (北京, 上海, 天津, 重庆) have
no prefecture-level city, which cpca writes as 市辖区; we use the municipality's name instead, as
people do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

MUNICIPALITY_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@dataclass(frozen=True)
class ParsedAddress:
    province: str
    city: str
    district: str
    adcode: str
    detail: str


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """6-digit adcode -> name, for provinces (xx0000), cities (xxxx00) and districts."""
    names: dict[str, str] = {}
    with files("cpca").joinpath("resources/adcodes.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            code = row["adcode"][:6]
            if row["adcode"][6:].strip("0") == "":
                names.setdefault(code, row["name"])
    return names


def province_of(adcode: str) -> str:
    return region_names().get(f"{adcode[:2]}0000", "") if adcode else ""


def city_of(adcode: str) -> str:
    if not adcode:
        return ""
    city = region_names().get(f"{adcode[:4]}00", "")
    return province_of(adcode) if city in MUNICIPALITY_PLACEHOLDERS or not city else city


def parse_address(text: str) -> ParsedAddress:
    """Best effort: unknown parts come back empty, and the adcode is as precise as the text allows."""
    return parse_addresses([text])[0]


def parse_addresses(texts: list[str]) -> list[ParsedAddress]:
    """`parse_address` for many addresses at once: one cpca call (a pandas frame) per list, which
    is what makes an import of thousands of addresses fast."""
    if not texts:
        return []
    import cpca  # imports pandas; loaded only when an address is actually parsed

    frame = cpca.transform(list(texts))

    def clean(value: object) -> str:
        return "" if value is None or value != value else str(value)  # NaN != NaN

    parsed = []
    for province, city, district, adcode, detail in zip(
        frame["省"], frame["市"], frame["区"], frame["adcode"], frame["地址"], strict=True
    ):
        city_name = clean(city)
        if city_name in MUNICIPALITY_PLACEHOLDERS:
            city_name = clean(province)
        parsed.append(
            ParsedAddress(clean(province), city_name, clean(district), clean(adcode)[:6], clean(detail))
        )
    return parsed
