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
    import cpca  # imports pandas; loaded only when an address is actually parsed

    frame = cpca.transform([text])
    row = frame.iloc[0]

    def clean(value: object) -> str:
        return "" if value is None or value != value else str(value)  # NaN != NaN

    province, city, district = clean(row["省"]), clean(row["市"]), clean(row["区"])
    adcode = clean(row["adcode"])[:6]
    if city in MUNICIPALITY_PLACEHOLDERS:
        city = province
    return ParsedAddress(province, city, district, adcode, clean(row["地址"]))
