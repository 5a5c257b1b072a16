"""Deterministic demo data for the customer archive: realistic Chinese logistics customers.

`generate(customers=N, seed=S)` files N customers with their primary address, contacts, logistics
needs, tags and one history row each, and the shipments of the last `years` years; with
`duplicates=F` about that fraction of them are near-duplicates of customers filed shortly before
(typos, legal-form and abbreviation variants, the same phone or contact), listed in a truth table
for measuring duplicate detection.

Same seed, same data: every customer draws from its own `random.Random` derived from the seed and
its position, so the output does not depend on the batch size or on how many processes generate
it. Customer codes, USCCs and waybill numbers come from the `CodeSequence` counters (as
`core.models.allocate_numbers` hands them out), so they stay unique and carry on when the
generator runs again on a database that already holds data.

How it reaches a million customers (about ten million shipments) in minutes rather than hours:

- rows are plain tuples of database-ready values written with `core.bulk.insert_rows` (COPY on
  PostgreSQL, `executemany` on SQLite); shipments never become model instances, and planned
  customers are turned into tuples by a per-field converter instead of Django's per-value
  `get_db_prep_save` (which took most of the time before);
- worker processes (fork) plan customers and their shipments for ranges of positions while the
  main process writes; a range is a whole *name window* (names are kept unique within each run of
  `NAME_WINDOW` positions), so every name comes out as a single process would make it;
- customer ids are reserved up front, so workers can fill in foreign keys; codes and waybill
  numbers, which need the database's counters, are added by the writer;
- a big load into empty tables runs as one transaction that drops the secondary indexes and
  constraints first and builds them once at the end (sorting once is far cheaper than millions of
  random B-tree inserts); a failure rolls everything back, indexes included;
- the history rows ("演示数据") are copied from the customer rows inside the database.
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import enum
import math
import multiprocessing
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, lru_cache
from itertools import accumulate, islice
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Generic, Protocol, TypeVar

import phonenumbers
from django.db import connection, models, transaction
from django.db.backends.signals import connection_created
from django.utils import timezone
from pypinyin import lazy_pinyin
from stdnum.cn import ric

from freightcrm.core import crypto, regions
from freightcrm.core.bulk import (
    TableShape,
    allocate_blocks,
    created_history_sql,
    forked_map,
    insert_rows,
    quote_name,
    reserve_ids,
)
from freightcrm.core.models import allocate_numbers
from freightcrm.customers import choices
from freightcrm.customers.demo_steps import DEMO_STEPS, DemoStep, DemoStepContext, register_demo_step  # noqa: F401
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed, Tag
from freightcrm.customers.services import customer_code_prefix, format_customer_code
from freightcrm.shipments.choices import ExceptionReason, ShipmentStatus
from freightcrm.shipments.models import CustomerShipmentMonth, RegionShipmentMonth, Shipment, ShipmentEvent
from freightcrm.shipments.services import WAYBILL_PREFIX, WAYBILL_SEQUENCE

T = TypeVar("T")


def _values(choice_class: type[enum.Enum]) -> Any:
    """A choices class as plain attributes holding its values (`Mode.EXPRESS == "express"`).

    Reading a member off a TextChoices class costs ten times a plain attribute in Python 3.11, and
    the generator compares and assigns them hundreds of times per customer; plain strings also
    pickle smaller on their way from the workers and go to the database as they are.
    """
    return SimpleNamespace(**{member.name: member.value for member in choice_class})


AddressKind = _values(choices.AddressKind)
CargoType = _values(choices.CargoType)
Channel = _values(choices.Channel)
CompanySize = _values(choices.CompanySize)
ContactRole = _values(choices.ContactRole)
CustomerKind = _values(choices.CustomerKind)
Frequency = _values(choices.Frequency)
Gender = _values(choices.Gender)
Industry = _values(choices.Industry)
Mode = _values(choices.Mode)
Ownership = _values(choices.Ownership)
PaymentTerms = _values(choices.PaymentTerms)
Status = _values(choices.Status)
Temperature = _values(choices.Temperature)
COMPANY_SIZES = tuple(choices.CompanySize.values)

USCC_SEQUENCE = "demo:uscc"
HISTORY_REASON = "演示数据"
NAME_WINDOW = 10_000  # names are kept unique within each run of this many customers (bounded memory)
BIG_LOAD = 10_000  # from this many customers into empty tables, indexes are built once at the end
EPOCH_DAY = dt.date(1970, 1, 1).toordinal()


class ProgressCallback(Protocol):
    """`progress("customers", 1000)`; a phase with a known length says so once with `total=`."""

    def __call__(self, what: str, count: int, /, *, total: int | None = None) -> None: ...


def _words(text: str) -> tuple[str, ...]:
    """A tuple from a space-separated list (keeps the long tables below compact)."""
    return tuple(text.split())


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    """`电子商务/电商 商贸/商贸` -> (("电子商务", "电商"), ("商贸", "商贸"))."""
    return tuple((item.partition("/")[0], item.partition("/")[2]) for item in text.split())


def _weights(text: str) -> dict[str, float]:
    """`road:60 rail:30` -> {"road": 60.0, "rail": 30.0}."""
    return {key: float(value) for key, _sep, value in (item.partition(":") for item in text.split())}


# --------------------------------------------------------------------------------------------------
# Geography
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CitySpec:
    name: str  # short name as used in company names: 上海, 义乌
    prefix: str  # first four digits of the city's adcode
    area_code: str  # long-distance code of its landlines
    local_digits: int  # digits of a local landline number
    weight: float  # share of customers
    lon: float
    lat: float
    postal: str  # first three digits of its postcodes
    port: bool = False
    brands: tuple[str, ...] = ()  # brands with a local flavour: 蓉城, 申江
    districts: tuple[str, ...] = ()  # explicit district adcodes; else every 区 and county-level 市
    towns: tuple[str, ...] = ()  # for prefecture cities without districts (东莞)

    @property
    def lane_name(self) -> str:
        return f"{self.name}市"


# fmt: off
CITIES: tuple[CitySpec, ...] = (
    CitySpec("上海", "3101", "021", 8, 12, 121.47, 31.23, "200", True, _words("申江 浦江 沪通 申达")),
    CitySpec("深圳", "4403", "0755", 8, 8, 114.06, 22.54, "518", True, _words("鹏城 深港 鹏达")),
    CitySpec("广州", "4401", "020", 8, 8, 113.26, 23.13, "510", True, _words("羊城 穗通 穗丰")),
    CitySpec("北京", "1101", "010", 8, 7, 116.40, 39.90, "100", False, _words("京通 燕京 京华")),
    CitySpec("杭州", "3301", "0571", 8, 6, 120.16, 30.27, "310", False, _words("钱塘 西湖 杭盛")),
    CitySpec("苏州", "3205", "0512", 8, 6, 120.62, 31.30, "215", False, _words("姑苏 吴越 苏通")),
    CitySpec("宁波", "3302", "0574", 8, 4, 121.55, 29.87, "315", True, _words("甬城 甬港 四明")),
    CitySpec("南京", "3201", "025", 8, 4, 118.80, 32.06, "210", False, _words("金陵 宁通 钟山")),
    CitySpec("天津", "1201", "022", 8, 4, 117.20, 39.08, "300", True, _words("津港 海河 津通")),
    CitySpec("成都", "5101", "028", 8, 4, 104.07, 30.57, "610", False, _words("蓉城 天府 蓉通")),
    CitySpec(
        "东莞", "4419", "0769", 8, 4, 113.75, 23.02, "523", False, _words("莞城 莞通"),
        towns=_words("长安镇 虎门镇 厚街镇 塘厦镇 常平镇 凤岗镇 大朗镇 清溪镇 南城街道 东城街道 松山湖"),
    ),
    CitySpec("重庆", "5001", "023", 8, 3, 106.55, 29.56, "400", False, _words("巴渝 渝通 山城")),
    CitySpec("武汉", "4201", "027", 8, 3, 114.31, 30.59, "430", False, _words("江城 楚天 汉通")),
    CitySpec("郑州", "4101", "0371", 8, 3, 113.62, 34.75, "450", False, _words("中原 郑通 商都")),
    CitySpec("佛山", "4406", "0757", 8, 3, 113.12, 23.02, "528", False, _words("禅城 南海 顺德")),
    CitySpec(
        "义乌", "3307", "0579", 8, 3, 120.08, 29.31, "322", False, _words("商城 稠州 义通"),
        districts=("330782",),
    ),
    CitySpec("无锡", "3202", "0510", 8, 3, 120.31, 31.49, "214", False, _words("太湖 锡通 梁溪")),
    CitySpec("青岛", "3702", "0532", 8, 3, 120.38, 36.07, "266", True, _words("琴岛 青港 崂山")),
    CitySpec("厦门", "3502", "0592", 7, 3, 118.09, 24.48, "361", True, _words("鹭岛 鹭通 海沧")),
    CitySpec("西安", "6101", "029", 8, 2, 108.94, 34.34, "710", False, _words("长安 秦川 西通")),
    CitySpec("长沙", "4301", "0731", 8, 2, 112.94, 28.23, "410", False, _words("潇湘 湘通 星城")),
    CitySpec("合肥", "3401", "0551", 8, 2, 117.23, 31.82, "230", False, _words("庐州 皖通 包河")),
    CitySpec("济南", "3701", "0531", 8, 2, 117.12, 36.65, "250", False, _words("泉城 齐鲁 鲁通")),
    CitySpec("沈阳", "2101", "024", 8, 1.5, 123.43, 41.80, "110", False, _words("盛京 沈通 辽沈")),
    CitySpec("大连", "2102", "0411", 8, 1.5, 121.61, 38.91, "116", True, _words("滨城 连港 星海")),
    CitySpec("石家庄", "1301", "0311", 8, 1.2, 114.51, 38.04, "050", False, _words("燕赵 冀通 石通")),
    CitySpec("昆明", "5301", "0871", 8, 1, 102.83, 24.88, "650", False, _words("春城 滇通 云岭")),
    CitySpec("南宁", "4501", "0771", 7, 1, 108.37, 22.82, "530", False, _words("绿城 邕通 南疆")),
    CitySpec("哈尔滨", "2301", "0451", 8, 1, 126.53, 45.80, "150", False, _words("冰城 龙江 哈通")),
    CitySpec("乌鲁木齐", "6501", "0991", 7, 0.6, 87.62, 43.83, "830", False, _words("天山 新通 西域")),
)
CITY_BY_LANE = {city.lane_name: city for city in CITIES}
PORTS = tuple(city for city in CITIES if city.port)
ABROAD: dict[str, tuple[float, float]] = {
    "新加坡": (103.82, 1.35), "洛杉矶": (-118.24, 34.05), "鹿特丹": (4.48, 51.92), "汉堡": (9.99, 53.55),
    "东京": (139.69, 35.69), "釜山": (129.08, 35.18), "迪拜": (55.27, 25.20), "胡志明市": (106.63, 10.82)
}
AREAS = {"华北": "11 12 13 14 15", "东北": "21 22 23", "华东": "31 32 33 34 35 36 37", "华中": "41 42 43",
         "华南": "44 45 46", "西南": "50 51 52 53 54", "西北": "61 62 63 64 65"}
AREA_OF_PROVINCE = {code: area for area, codes in AREAS.items() for code in codes.split()}
BLOCS = {code: bloc for bloc, codes in {"长三角": "31 32 33 34", "珠三角": "44", "京津冀": "11 12 13",
                                        "成渝地区": "50 51"}.items() for code in codes.split()}
# fmt: on


@dataclass(frozen=True)
class District:
    city: CitySpec
    adcode: str
    province: str
    city_name: str  # as the archive writes it (regions.city_of): 上海市, 金华市
    name: str  # empty for cities without districts

    @property
    def short(self) -> str:
        """浦东新区 -> 浦东, 吴中区 -> 吴中, 昆山市 -> 昆山 (for bank branches)."""
        for suffix in ("新区", "区", "市", "县"):
            if self.name.endswith(suffix) and len(self.name) > len(suffix) + 1:
                return self.name[: -len(suffix)]
        return self.name


@lru_cache(maxsize=1)
def city_districts() -> dict[str, tuple[tuple[District, ...], tuple[float, ...]]]:
    """City name -> its districts and their weights (county-level cities count half, 县 are left out)."""
    names = regions.region_names()
    table: dict[str, tuple[tuple[District, ...], tuple[float, ...]]] = {}
    for city in CITIES:
        if city.districts:
            codes = list(city.districts)
        else:
            codes = sorted(
                code
                for code, name in names.items()
                if code[:4] == city.prefix
                and code[4:] != "00"
                and name.endswith(("区", "市"))
                and name not in regions.MUNICIPALITY_PLACEHOLDERS
            )
        if not codes:  # 东莞: the city itself is the finest level
            codes = [f"{city.prefix}00"]
        districts = tuple(
            District(
                city,
                code,
                regions.province_of(code),
                regions.city_of(code),
                names.get(code, "") if code[4:] != "00" else "",
            )
            for code in codes
        )
        weights = tuple(0.5 if d.name.endswith("市") else 1.0 for d in districts)
        table[city.name] = (districts, weights)
    return table


def _coordinates(place: str) -> tuple[float, float]:
    city = CITY_BY_LANE.get(place)
    return (city.lon, city.lat) if city else ABROAD[place]


@lru_cache(maxsize=4096)
def distance_km(origin: str, destination: str) -> float:
    """Road distance, roughly: great-circle distance times 1.25; 30 km within one city."""
    if origin == destination:
        return 30.0
    (lon1, lat1), (lon2, lat2) = _coordinates(origin), _coordinates(destination)
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a)) * 1.25


def nearest_port(city: CitySpec) -> CitySpec:
    if city.port:
        return city
    return min(PORTS, key=lambda port: distance_km(city.lane_name, port.lane_name))


# --------------------------------------------------------------------------------------------------
# Industries
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndustrySpec:
    words: tuple[tuple[str, str], ...]  # (word in the registered name, word in the short name)
    domain: str
    modes: dict[str, float]
    cargo: dict[str, float]
    main_cargo: tuple[str, ...]
    scope: tuple[str, ...]
    retail: bool = False  # strong 618 / Double-11 peaks
    abroad: bool = False  # ships across the border


Ind = Industry
# fmt: off
INDUSTRIES: dict[str, IndustrySpec] = {
    Ind.ECOMMERCE: IndustrySpec(
        _pairs("电子商务/电商 网络科技/网络 商贸/商贸 电商科技/电商 供应链科技/供应链"), "ec",
        _weights("express:50 road:30 warehousing:15 air:5"), _weights("general:70 documents:15 fragile:15"),
        _words("服装鞋帽、日用百货 美妆个护、小家电 零食饮料、日用品 3C数码配件 母婴用品、家居日用"),
        _words("互联网销售（除销售需要许可的商品） 日用百货销售 服装服饰零售 电子产品销售 化妆品零售 "
               "食品销售（仅销售预包装食品） 货物进出口 供应链管理服务"),
        retail=True,
    ),
    Ind.MANUFACTURING: IndustrySpec(
        _pairs("精密制造/制造 塑胶制品/塑胶 包装材料/包装 五金制品/五金 新材料科技/新材料 金属制品/金属"),
        "mfg",
        _weights("road:65 rail:10 express:15 sea:10"), _weights("general:75 oversized:10 bulk:15"),
        _words("塑料粒子、注塑件 五金配件、紧固件 纸箱、包装材料 金属结构件 日用塑料制品"),
        _words("塑料制品制造 金属制品销售 五金产品制造 包装材料及制品销售 模具制造 新材料技术研发"),
    ),
    Ind.AUTOMOTIVE: IndustrySpec(
        _pairs("汽车零部件/汽配 汽车配件/汽配 汽车部件制造/汽车部件 新能源汽车科技/新能源 汽车电子/汽车电子"),
        "auto",
        _weights("road:65 rail:15 multimodal:10 express:10"),
        _weights("general:55 oversized:20 valuable:10 hazardous:5 fragile:10"),
        _words("汽车零部件、总成件 轮胎、轮毂 动力电池包 汽车内饰件 发动机配件"),
        _words("汽车零部件及配件制造 汽车零配件批发 新能源汽车电附件销售 轮胎销售 机动车修理和维护"),
    ),
    Ind.ELECTRONICS: IndustrySpec(
        _pairs("电子科技/电子 光电科技/光电 半导体/半导体 智能科技/智能 通信设备/通信 电器/电器"), "tech",
        _weights("express:30 road:35 air:25 sea:10"), _weights("fragile:35 valuable:35 general:30"),
        _words("电子元器件、PCB板 手机及配件 液晶显示模组 智能家电 服务器、网络设备 LED照明产品"),
        _words("电子元器件制造 电子产品销售 集成电路设计 通信设备制造 计算机软硬件及辅助设备零售 "
               "智能家庭消费设备制造"),
        retail=True, abroad=True,
    ),
    Ind.FOOD: IndustrySpec(
        _pairs("食品/食品 饮料/饮料 粮油/粮油 调味品/调味品 乳业/乳业 食品科技/食品"), "food",
        _weights("road:70 rail:10 express:15 warehousing:5"), _weights("general:55 cold_chain:40 bulk:5"),
        _words("休闲食品、饮料 米面粮油 调味品、酱料 乳制品 速冻食品 酒水饮料"),
        _words("食品生产 食品销售 饮料生产 粮食收购 调味品生产 食用农产品批发"),
        retail=True,
    ),
    Ind.FRESH: IndustrySpec(
        _pairs("冷链食品/冷链 生鲜配送/生鲜 果蔬/果蔬 水产/水产 农产品/农产品 生鲜/生鲜"), "fresh",
        _weights("road:75 air:15 express:10"), _weights("cold_chain:90 general:10"),
        _words("冷冻肉类、禽类 海鲜水产 新鲜果蔬 冰鲜禽肉 冷冻食品"),
        _words("""食用农产品批发 鲜肉批发 水产品批发 新鲜水果零售
               低温仓储（不含危险化学品等需许可审批的项目）"""),
        retail=True,
    ),
    Ind.PHARMA: IndustrySpec(
        _pairs("医药/医药 生物医药/生物 医疗器械/医疗器械 药业/药业 生物科技/生物"), "pharm",
        _weights("road:50 air:20 express:30"), _weights("cold_chain:40 valuable:20 general:35 hazardous:5"),
        _words("药品、医疗器械 疫苗、生物制品 医用耗材 体外诊断试剂 中药饮片"),
        _words("药品批发 第二类医疗器械销售 生物制品研发 第三类医疗器械经营 保健食品销售"),
    ),
    Ind.CHEMICALS: IndustrySpec(
        _pairs("化工/化工 精细化工/化工 涂料/涂料 化学品/化学 化工新材料/新材料 石化/石化"), "chem",
        _weights("road:70 rail:15 sea:15"), _weights("hazardous:65 general:25 bulk:10"),
        _words("化工原料、溶剂 涂料、油漆 塑料助剂 工业气体 化肥"),
        _words("""化工产品销售（不含许可类化工产品） 危险化学品经营 涂料制造（不含危险化学品）
               专用化学产品制造 合成材料销售"""),
    ),
    Ind.TEXTILES: IndustrySpec(
        _pairs("纺织/纺织 服饰/服饰 服装/服装 针织/针织 家纺/家纺 纺织品/纺织"), "tex",
        _weights("road:50 express:30 sea:15 air:5"), _weights("general:95 valuable:5"),
        _words("服装成衣 面料、辅料 家纺用品 针织品 鞋帽箱包"),
        _words("服装制造 面料纺织加工 家用纺织制成品制造 服装服饰批发 针纺织品销售"),
        retail=True, abroad=True,
    ),
    Ind.FURNITURE: IndustrySpec(
        _pairs("家具/家具 建材/建材 装饰材料/装饰 陶瓷/陶瓷 家居/家居 门窗/门窗"), "home",
        _weights("road:70 rail:15 sea:10 multimodal:5"), _weights("general:45 fragile:30 oversized:25"),
        _words("实木家具、板式家具 瓷砖、卫浴 建筑装饰材料 定制橱柜 铝合金门窗"),
        _words("家具制造 建筑材料销售 建筑陶瓷制品销售 卫生洁具销售 家具安装和维修服务"),
        retail=True,
    ),
    Ind.MACHINERY: IndustrySpec(
        _pairs("精密机械制造/机械 机械设备/机械 重工/重工 机电设备/机电 自动化设备/自动化 工程机械/工程机械"),
        "mech",
        _weights("road:60 rail:20 sea:15 multimodal:5"), _weights("oversized:60 general:35 valuable:5"),
        _words("数控机床 工程机械配件 自动化生产线设备 泵阀、减速机 电机、机电设备"),
        _words("通用设备制造（不含特种设备制造） 机械设备销售 工业自动控制系统装置制造 金属切削机床制造 "
               "专用设备修理"),
    ),
    Ind.AGRICULTURE: IndustrySpec(
        _pairs("农业科技/农业 种业/种业 农资/农资 生态农业/农业 农产品/农产品"), "agri",
        _weights("road:60 rail:30 sea:10"), _weights("bulk:50 general:35 cold_chain:10 hazardous:5"),
        _words("化肥、农药 种子、种苗 粮食（玉米、大豆） 饲料 茶叶"),
        _words("农作物种子经营 肥料销售 农业机械销售 谷物种植 饲料原料销售"),
    ),
    Ind.ENERGY: IndustrySpec(
        _pairs("能源/能源 新能源/新能源 矿业/矿业 光伏科技/光伏 电力设备/电力 煤业/煤业"), "energy",
        _weights("rail:40 road:40 sea:20"), _weights("bulk:40 hazardous:20 oversized:20 general:20"),
        _words("光伏组件 煤炭 锂电池 钢材、有色金属 电力电缆"),
        _words("太阳能发电技术服务 煤炭及制品销售 电池制造 输配电及控制设备制造 金属矿石销售"),
    ),
    Ind.TRADE: IndustrySpec(
        _pairs("进出口/进出口 国际贸易/国贸 实业/实业 贸易/贸易 商贸/商贸"), "trade",
        _weights("sea:45 air:15 multimodal:15 road:15 express:10"),
        _weights("general:70 valuable:15 fragile:15"),
        _words("小商品、日用百货 出口服装、鞋类 进口食品、红酒 五金工具出口 跨境电商小包"),
        _words("货物进出口 技术进出口 国内贸易代理 进出口代理 日用品批发"),
        retail=True, abroad=True,
    ),
    Ind.LOGISTICS: IndustrySpec(
        _pairs("物流/物流 供应链管理/供应链 运输/运输 仓储服务/仓储 国际货运代理/货代 冷链物流/冷链"),
        "logistics",
        _weights("road:45 rail:15 sea:15 air:10 multimodal:15"),
        _weights("general:70 cold_chain:10 bulk:10 oversized:10"),
        _words("零担货物 整车干线 仓储配送 进出口集装箱 冷链配送"),
        _words("""道路货物运输（不含危险货物） 国际货物运输代理
               普通货物仓储服务（不含危险化学品等需许可审批的项目） 供应链管理服务 装卸搬运"""),
        abroad=True,
    ),
    Ind.PUBLIC: IndustrySpec(
        (), "edu", _weights("express:60 road:40"),
        _weights("documents:40 general:30 valuable:15 cold_chain:15"),
        _words("办公用品、档案资料 医疗耗材、药品 实验仪器设备 图书教材 疫苗冷链"), (),
    ),
    Ind.OTHER: IndustrySpec(
        _pairs("文化传媒/传媒 科技/科技 实业/实业 企业管理咨询/咨询 文化发展/文化 广告/广告"), "group",
        _weights("express:50 road:50"), _weights("general:60 documents:40"),
        _words("宣传物料、展会物资 办公设备 文化用品 礼品"),
        _words("广告设计、代理 会议及展览服务 企业管理咨询 文化用品零售 软件开发"),
    ),
}
ENTERPRISE_INDUSTRIES = _weights("""
    ecommerce:16 manufacturing:14 electronics:10 automotive:7 food:8 fresh:6 pharma:5 chemicals:5
    textiles:6 furniture:5 machinery:8 agriculture:2 energy:2 trade:7 logistics:2 other:3
""")
PARTNER_WORDS = _pairs("物流/物流 国际货运代理/货代 仓储服务/仓储 供应链管理/供应链 冷链物流/冷链 运输/运输")
INDIVIDUAL_PROFILE = IndustrySpec(
    (), "", _weights("express:80 road:20"), _weights("general:60 documents:25 fragile:15"),
    _words("电商小包 农特产品 家具搬家 个人行李 二手家电"), (),
)
INTERNAL_PROFILE = IndustrySpec(
    (), "", _weights("road:60 express:25 rail:15"), _weights("general:80 documents:20"),
    _words("物料、办公用品 周转箱、托盘 设备备件"), (),
)

FIRST_SYLLABLES = "恒华盛鑫宏永瑞泰金中新远东天佳嘉福博鼎昌安德广隆富顺兴豪润海益汇宇卓锦凯荣鸿利万信"
SECOND_SYLLABLES = "通信达源远兴丰和诚联锐航方成禾润瑞盛隆泰祥发利邦驰创科辉宝鸿升德凯运捷康茂威"
SUFFIXES = _weights("有限公司:60 有限责任公司:15 股份有限公司:15 集团有限公司:10")
INSTITUTIONS = (
    ("{city}市第{n}人民医院", "hosp"), ("{city}市中心医院", "hosp"), ("{city}市中医医院", "hosp"),
    ("{city}市妇幼保健院", "hosp"), ("{city}大学", "edu"), ("{city}理工学院", "edu"),
    ("{city}职业技术学院", "edu"), ("{city}师范学院", "edu"), ("{city}市疾病预防控制中心", "cdc"),
    ("{city}市图书馆", "lib"),
    ("{city}市第{n}中学", "edu"), ("{city}市档案馆", "gov"), ("{city}市产品质量监督检验研究院", "gov"),
)
INTERNAL_NAMES = _words("""
    本公司{city}分公司 本公司{area}区域运营中心 本公司{city}转运中心 本公司{city}仓储中心
    本公司{city}分公司营业部 本公司冷链事业部{city}站 本公司{area}大区客服中心
""")
NUMERALS = "一二三四五六七八九"

# --------------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(max(1.0, 12.0 - i * 0.25) for i in range(len(SURNAMES)))
SURNAME_PINYIN = {"曾": "zeng", "覃": "qin", "吕": "lv", "单": "shan", "解": "xie", "区": "ou", "翟": "zhai"}
MALE_NAMES = _words("""
    伟 强 磊 军 勇 杰 涛 斌 超 明 刚 平 辉 鹏 华 飞 鑫 波 宇 浩 凯 健 俊 帆 旭 龙 林 阳
    建华 建国 志强 志明 海涛 文博 子豪 浩然 宇航 俊杰 家豪 明辉 国强 晓东 振华 永刚 建军 立新 德明 春雷 国平
""")
FEMALE_NAMES = _words("""
    芳 娜 敏 静 丽 艳 娟 霞 婷 雪 慧 颖 琳 倩 洁 燕 玲 萍 红 晶 秀英 桂英 玉兰 欣怡 思雨 梦琪 雨涵
    佳怡 子涵 诗涵 晓燕 海燕 丽华 春梅 淑芬 雅琴 美玲 晓红 文静 丹丹
""")
TITLES: dict[str, tuple[str, ...]] = {
    ContactRole.DECISION_MAKER: _words("总经理 副总经理 董事长 运营总监 供应链总监"),
    ContactRole.LOGISTICS_MANAGER: _words("物流经理 物流主管 供应链经理 储运经理"),
    ContactRole.SHIPPING_CLERK: _words("发货专员 物流专员 单证员 跟单员"),
    ContactRole.FINANCE: _words("财务经理 会计 财务主管 出纳"),
    ContactRole.PURCHASING: _words("采购经理 采购专员"),
    ContactRole.WAREHOUSE: _words("仓储主管 仓库经理 库管员"),
    ContactRole.OTHER: _words("行政主管 销售经理 总经理助理"),
}
INSTITUTION_TITLES: dict[str, tuple[str, ...]] = {
    ContactRole.DECISION_MAKER: _words("副院长 处长 主任"),
    ContactRole.PURCHASING: _words("采购中心主任 设备科科长 采购专员"),
    ContactRole.LOGISTICS_MANAGER: _words("后勤处副处长 物资科科长"),
    ContactRole.FINANCE: _words("财务处会计 财务科科长"),
    ContactRole.OTHER: _words("办公室主任 行政干事"),
}
CONTACT_NOTES = _words("只接受工作日电话 喜欢微信沟通 负责华东区发货 对账请找此人 周末不回复 需提前一天预约 "
                       "新接手，需多沟通 英文邮件沟通")
OCCUPATIONS = _words("个体经营户 电商卖家 自由职业 企业职员 外贸从业者 教师 设计师 农场主 淘宝店主 微商")
MOBILE_PREFIXES = _weights("""
    130:4 131:4 132:4 133:4 134:4 135:6 136:6 137:6 138:7 139:7 150:4 151:4 152:4 153:3 155:3 156:3 157:3
    158:4 159:4 170:1 173:2 175:1 176:2 177:2 178:1 180:3 181:3 182:3 183:3 185:3 186:4 187:3 188:3 189:4
    191:1 198:2 199:2
""")
MAIL_DOMAINS = _words("qq.com 163.com 126.com sina.com outlook.com 139.com")

# --------------------------------------------------------------------------------------------------
# Business, finance, behaviour
# --------------------------------------------------------------------------------------------------

COMPETITORS = _words("""
    顺丰 德邦 京东物流 中通 圆通 韵达 申通 中外运 安能物流 百世快运 跨越速运 壹米滴答 中铁快运 中远海运
    顺丰冷运 荣庆物流
""")
BANKS = tuple((bank, int(digits)) for bank, digits in _weights(
    "中国工商银行:19 中国建设银行:19 中国农业银行:19 中国银行:17 交通银行:17 招商银行:16 上海浦东发展银行:16 "
    "中信银行:19 兴业银行:18 中国民生银行:16 平安银行:16 中国光大银行:16").items())
LOCAL_BANKS = {"上海": ("上海银行", 16), "北京": ("北京银行", 18), "宁波": ("宁波银行", 17),
               "杭州": ("杭州银行", 17), "南京": ("江苏银行", 16), "苏州": ("苏州银行", 16)}
GRADES = _weights("AAA:8 AA:20 A:35 BBB:22 BB:10 B:4 C:1")
GRADE_FACTOR = _weights("AAA:2 AA:1.5 A:1 BBB:0.6 BB:0.3 B:0.1 C:0")
CONTACT_TIMES = ("工作日上午", "工作日 9:00-12:00", "工作日下午 14:00-17:00", "周一至周五 9:00-18:00",
                 "随时（微信）", "上午 10 点后", "避开月底结账期")
PERSON_CONTACT_TIMES = ("晚上 19:00 后", "周末全天", "随时（微信）", "中午 12:00-13:30")
PACKAGING: dict[str, tuple[str, ...]] = {
    CargoType.GENERAL: _words("纸箱 托盘+缠绕膜 编织袋 纸箱+托盘"),
    CargoType.COLD_CHAIN: _words("保温箱+冰袋 泡沫箱+干冰 冷藏周转箱 托盘（冷藏车整车）"),
    CargoType.HAZARDOUS: _words("UN认证包装桶 IBC吨桶 危险品专用钢桶 UN认证纸箱"),
    CargoType.FRAGILE: _words("木箱+气泡膜 防震泡沫包装 纸箱+珍珠棉 木架"),
    CargoType.OVERSIZED: _words("裸装加固 木箱框架 钢架固定 捆扎+防雨布"),
    CargoType.BULK: _words("吨袋 散装 编织袋+托盘"),
    CargoType.VALUABLE: _words("铅封周转箱 防拆封箱 木箱+铅封"),
    CargoType.DOCUMENTS: _words("文件袋 快递袋 文件盒"),
}
FREQUENCIES: dict[str, dict[str, float]] = {
    Mode.EXPRESS: _weights("daily:70 weekly:25 ad_hoc:5"),
    Mode.ROAD: _weights("daily:30 weekly:50 monthly:15 ad_hoc:5"),
    Mode.SEA: _weights("weekly:30 monthly:55 ad_hoc:15"),
    Mode.RAIL: _weights("weekly:40 monthly:50 ad_hoc:10"),
    Mode.AIR: _weights("weekly:40 monthly:30 ad_hoc:30"),
    "": _weights("weekly:50 monthly:40 ad_hoc:10"),
}
DELIVERY_WINDOWS = ("工作日 8:00-18:00", "周一至周六 9:00-17:00", "24小时收货", "夜间配送 22:00-6:00",
                    "预约送货（提前一天）", "上午 10:00 前送达", "工作日 9:00-16:00，午休不收货")
NEED_NOTES: dict[str, tuple[str, ...]] = {
    "": _words("""需提供签收回单 到货前1小时电话预约 大促期间日均单量翻三倍 需开具增值税专用发票
                  进仓需预约排队"""),
    CargoType.HAZARDOUS: _words("需司机持危险品从业资格证 车辆需配备危险品标志及灭火器 需提供MSDS"),
    CargoType.COLD_CHAIN: _words("全程温度记录，超温拒收 装车前预冷车厢 到货后2小时内入库"),
    CargoType.OVERSIZED: _words("需要尾板车 需提前办理超限运输许可 需吊装设备卸货"),
    CargoType.FRAGILE: _words("不可倒置，轻拿轻放 需拍照留存外包装"),
    CargoType.VALUABLE: _words("需全程GPS跟踪 需保价运输 双人押运"),
}
REMARKS = _words("""
    年底有集中发货高峰，需提前锁定运力。 要求每周提供运输KPI报表。 对价格敏感，多次与{competitor}比价。
    仓库位于{district}，白天限行，夜间进车需报备。 部分干线业务由{competitor}转来，服务要求高。
    需开具增值税专用发票（9%）。 对时效要求高，延误需书面说明。 计划明年扩大华南线路合作。
    收货地址常变，下单时需核对。 关键对接人为{contact}，重要事项需当面沟通。
""")
BLACKLIST_REMARKS = _words("""
    多次拖欠运费，已移交法务，禁止赊账。 虚报货物品名（实为危险品），已停止合作。 恶意拒付并索赔，列入黑名单。
""")
LOST_REMARKS = _words("""
    因价格原因转投{competitor}。 公司业务调整，停止外包物流。 服务投诉后流失，转用{competitor}。
""")
ROAD_ROOTS = _words("""
    人民 解放 建设 中山 新华 长江 黄河 珠江 科技 创业 工业 发展 兴业 振兴 和平 文化 青年 学府 迎宾 滨江 湖滨
    锦绣 富民 金山 银河 宏图 腾飞 物流园 港城 航空 复兴 光明 春晖 红旗 胜利 东方 世纪 星湖 金桥 新港 汇通
    同济 友谊 民主 高新 创新 华夏 未来
""")
ROAD_KINDS = _weights("路:10 大道:3 街:2 中路:2 北路:2 南路:2 东路:1 西路:1")
ESTATES = _words("""
    阳光花园 锦绣华庭 翠湖苑 金色家园 幸福里 万科城 碧桂园 绿城桂花园 保利花园 和谐家园 滨江一号 御景湾
""")
PARKS = _words("工业园 科技园 物流园 产业园 创业园")
TAGS: dict[str, str] = {
    "重点客户": "年运费或战略意义排名前列，优先保障运力",
    "冷链": "有冷藏或冷冻运输需求",
    "危险品资质": "运输危险品，需核验危险品资质",
    "电商大促": "618、双十一等大促期间单量激增",
    "长期合作": "合作五年以上",
    "价格敏感": "对运价敏感，常比价",
    "新开发": "近一年新开发的客户",
    "跨境": "有进出口或跨境运输",
    "季节性": "发货量随季节明显波动",
    "投诉较多": "近一年投诉较多，需重点维护",
}
# Typical tonnes and CNY per shipment, for the annual volume and spend of a customer.
MODE_WEIGHT = _weights("express:0.006 road:3.5 rail:30 sea:18 air:0.15 multimodal:15 warehousing:3.5")
MODE_AMOUNT = _weights("express:25 road:2500 rail:6000 sea:5000 air:1200 multimodal:5000 warehousing:2500")
DENSITY = _weights("general:250 cold_chain:320 hazardous:700 fragile:150 oversized:450 bulk:800 valuable:200 "
                   "documents:120")  # kg per m³
SURCHARGE = _weights("cold_chain:1.35 hazardous:1.6 valuable:1.25 fragile:1.1 oversized:1.3")
SPRING_FESTIVALS = tuple(dt.date.fromisoformat(day) for day in _words("""
    2015-02-19 2016-02-08 2017-01-28 2018-02-16 2019-02-05 2020-01-25 2021-02-12 2022-02-01
    2023-01-22 2024-02-10 2025-01-29 2026-02-17 2027-02-06 2028-01-26 2029-02-13 2030-02-03
"""))
WEEKDAY_FACTOR = (1.08, 1.05, 1.03, 1.0, 1.0, 0.65, 0.45)
BOOKING_HOURS = (8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19)
# fmt: on


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


class Weighted(Generic[T]):
    """Items with weights, drawn like `random.choices(items, weights)[0]` but with the cumulative
    weights summed once: at a million customers, re-summing them on every draw was a visible cost."""

    __slots__ = ("cumulative", "items", "last", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cumulative = tuple(accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.items) - 1

    @classmethod
    def of(cls, weights: Mapping[T, float]) -> Weighted[T]:
        return cls(list(weights), list(weights.values()))

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    """One draw from weights that change from customer to customer (constant ones are `Weighted`)."""
    return Weighted.of(weights).pick(rng)


def _choice(rng: random.Random, items: Sequence[T]) -> T:
    """`rng.choice` without the method call and `_randbelow` loop: the generator makes about a
    hundred draws per customer, and these three helpers took a fifth of its time."""
    return items[int(rng.random() * len(items))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _uniform(rng: random.Random, low: float, high: float) -> float:
    return low + (high - low) * rng.random()


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0):.2f}")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


M = TypeVar("M", bound=models.Model)


@cache
def _field_defaults(model: type[models.Model]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """A model's field defaults: the constant ones, and those made per instance (`list`, `uuid4`)."""
    constant: dict[str, Any] = {}
    made: list[tuple[str, Any]] = []
    for model_field in model._meta.concrete_fields:
        if model_field.has_default() and callable(model_field.default):
            made.append((model_field.attname, model_field.default))
        else:
            constant[model_field.attname] = model_field.get_default()
    return constant, tuple(made)


def blank(model: type[M], **values: Any) -> M:
    """An unsaved instance with `values` (by attname) and every other field at its default, as
    `model(**values)` makes it but without `Model.__init__`'s per-field argument handling, which
    was a fifth of the time spent planning a customer."""
    instance = model.__new__(model)
    instance._state = models.base.ModelState()
    constant, made = _field_defaults(model)
    instance.__dict__.update(constant)
    for attname, default in made:
        if attname not in values:
            instance.__dict__[attname] = default()
    instance.__dict__.update(values)
    return instance


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, product, count = math.exp(-mean), rng.random(), 0
    while product > limit:
        product *= rng.random()
        count += 1
    return count


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


@lru_cache(maxsize=65_536)
def pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text)).lower().replace("ü", "v")


@lru_cache(maxsize=4_096)
def initials(text: str) -> str:
    """Pinyin initials (`上海` -> `sh`), as in domain names such as `shjt.com`."""
    return "".join(syllable[0] for syllable in lazy_pinyin(text) if syllable)


def person_pinyin(surname: str, given: str) -> str:
    return SURNAME_PINYIN.get(surname, pinyin(surname)) + pinyin(given)


SURNAME_PICK = Weighted(SURNAMES, SURNAME_WEIGHTS)


def person(rng: random.Random, gender: str | None = None) -> tuple[str, str, str]:
    """(surname, given name, gender)."""
    gender = gender or _choice(rng, (Gender.MALE, Gender.FEMALE))
    surname = SURNAME_PICK.pick(rng)
    given = _choice(rng, MALE_NAMES if gender == Gender.MALE else FEMALE_NAMES)
    return surname, given, gender


def _cn_pattern(kind: str) -> re.Pattern[str]:
    """libphonenumber's own pattern for mainland `kind` numbers (`mobile`, `fixed_line`): matching it
    is what `is_valid_number` and `number_type` decide for these numbers, without parsing."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata is not None
    description = getattr(metadata, kind)
    assert description is not None and description.national_number_pattern
    return re.compile(description.national_number_pattern)


CN_MOBILE = _cn_pattern("mobile")
CN_FIXED_LINE = _cn_pattern("fixed_line")
MOBILE_PREFIX_PICK = Weighted.of(MOBILE_PREFIXES)


def mobile(rng: random.Random) -> str:
    """A valid mainland mobile number as the archive stores it (`13812345678`, see
    `validators.normalise_phone`)."""
    while True:
        number = f"{MOBILE_PREFIX_PICK.pick(rng)}{rng.randrange(10**8):08d}"
        if CN_MOBILE.fullmatch(number):
            return number


def landline(rng: random.Random, city: CitySpec) -> str:
    """A valid landline of `city` (its area code, its number length) as the archive stores it
    (`021-68888888`)."""
    digits = city.local_digits - 1
    while True:
        local = f"{_randint(rng, 2, 8)}{rng.randrange(10**digits):0{digits}d}"
        if CN_FIXED_LINE.fullmatch(city.area_code[1:] + local):
            return f"{city.area_code}-{local}"


def organisation_code(number: int) -> str:
    """A 9-character organisation code (GB 11714: 8 digits and a check character) from a sequence number.

    An affine map modulo 10^8 (its factor is coprime to 10) scatters consecutive numbers while
    keeping them distinct.
    """
    body = f"{(number * 48_271_109 + 20_160_917) % 10**8:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(char) * weight for char, weight in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: no I, O, S, V, Z
USCC_VALUES = {char: value for value, char in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def make_uscc(head: str, number: int) -> str:
    """`head` is registration authority, entity type and region (8 digits); `number` makes it unique.

    The check character as GB 32100 (and `stdnum.cn.uscc`) computes it, without stdnum's input
    cleaning: the writer makes one per registered customer while the workers wait for it.
    """
    first17 = head + organisation_code(number)
    total = sum(USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_ALPHABET[(31 - total) % 31]


@cache
def _id_region_valid(adcode: str, year: int) -> bool:
    """Unbounded: there are only some 30,000 (district, year) pairs, and a bounded cache thrashed."""
    try:
        ric.get_birth_place(f"{adcode}{year}0101")
    except Exception:  # noqa: BLE001 - stdnum raises its own ValidationError subclasses
        return False
    return True


def resident_id(rng: random.Random, regions_to_try: Sequence[str], birth: dt.date, gender: str) -> str:
    """A valid 18-digit resident ID: a region known in the birth year, the birth date, sequence, check."""
    region = next((code for code in regions_to_try if _id_region_valid(code, birth.year)), None)
    if region is None:  # every city's core districts predate 1960; this is only a safety net
        region = next(code for code in ("110101", "310101", "440103") if _id_region_valid(code, birth.year))
    sex = rng.randrange(1, 10, 2) if gender == Gender.MALE else rng.randrange(0, 10, 2)
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{sex}"
    return first17 + ric.calc_check_digit(first17 + "0")


# --------------------------------------------------------------------------------------------------
# Seasonality and time
# --------------------------------------------------------------------------------------------------


def season_factor(day: dt.date, retail: bool) -> float:
    """Relative booking volume on `day`: weekdays, Spring Festival dip, 618 and Double-11 peaks."""
    factor = WEEKDAY_FACTOR[day.weekday()]
    festival = min(SPRING_FESTIVALS, key=lambda fest: abs((day - fest).days))
    offset = (day - festival).days
    if -30 <= offset <= -15:
        factor *= 1.15  # stocking up before the holiday
    elif -14 <= offset <= -8:
        factor *= 0.85
    elif -7 <= offset <= -1:
        factor *= 0.35
    elif 0 <= offset <= 6:
        factor *= 0.08
    elif 7 <= offset <= 15:
        factor *= 0.45
    elif 16 <= offset <= 25:
        factor *= 0.85
    month_day = (day.month, day.day)
    if (10, 20) <= month_day <= (11, 11):
        factor *= 2.1 if retail else 1.3
    elif (11, 12) <= month_day <= (11, 15):
        factor *= 1.5 if retail else 1.15
    elif (6, 1) <= month_day <= (6, 18):
        factor *= 1.6 if retail else 1.15
    elif (5, 25) <= month_day <= (5, 31) or (12, 1) <= month_day <= (12, 12):
        factor *= 1.2 if retail else 1.05
    elif (10, 1) <= month_day <= (10, 7):
        factor *= 0.55  # National Day holiday
    return factor


def late_risk(day: dt.date) -> float:
    """Extra chance that a shipment booked on `day` arrives late: the Double-11 and 618 peaks, the
    Spring Festival rush, and bad-weather days (typhoons in summer, snow and fog in winter) that
    come and go like the real ones, fixed by the date so every run has the same storms."""
    risk = 0.0
    month_day = (day.month, day.day)
    if (10, 25) <= month_day <= (11, 15):
        risk += 0.05
    elif (6, 1) <= month_day <= (6, 20):
        risk += 0.025
    festival = min(SPRING_FESTIVALS, key=lambda fest: abs((day - fest).days))
    if -20 <= (day - festival).days <= -1:
        risk += 0.03
    weather = random.Random(day.toordinal() * 7919).random()  # noqa: S311 - demo data, not secrets
    stormy = 0.06 if day.month in (7, 8, 9) else 0.05 if day.month in (12, 1, 2) else 0.015
    if weather < stormy:
        risk += 0.12 + 0.2 * weather / stormy
    return risk


@dataclass(frozen=True)
class Calendar:
    start: dt.date
    days: int
    cumulative: dict[bool, tuple[float, ...]]  # retail? -> cumulative weights (leading 0)

    @classmethod
    def build(cls, today: dt.date, years: int) -> Calendar:
        try:
            start = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            start = today.replace(year=today.year - years, day=28)
        days = (today - start).days  # bookings up to yesterday
        cumulative: dict[bool, tuple[float, ...]] = {}
        for retail in (False, True):
            total, sums = 0.0, [0.0]
            for offset in range(days):
                growth = 1 + 0.06 * offset / 365
                total += season_factor(start + dt.timedelta(days=offset), retail) * growth
                sums.append(total)
            cumulative[retail] = tuple(sums)
        return cls(start, days, cumulative)

    def index(self, day: dt.date) -> int:
        return min(max((day - self.start).days, 0), self.days)

    def expected(self, per_year: float, first: int, last: int, retail: bool) -> float:
        """Shipments expected between day indexes [first, last) at `per_year` in an average year."""
        sums = self.cumulative[retail]
        per_day = sums[-1] / self.days if self.days else 0
        return per_year / 365 * (sums[last] - sums[first]) / per_day if per_day else 0.0

    def draw(self, rng: random.Random, first: int, last: int, retail: bool) -> int:
        sums = self.cumulative[retail]
        target = _uniform(rng, sums[first], sums[last])
        return min(max(bisect.bisect_right(sums, target) - 1, first), last - 1)


class Clock:
    """Instants as seconds since the epoch, written the way Django stores them.

    Shipments need three instants each; building aware datetimes and letting the database adapter
    convert them cost more than generating the shipment. Local midnights are computed once per
    calendar day (from local noon, so a DST change in the small hours does not shift the day).
    SQLite stores naive UTC text (`2025-03-04 02:11:12`), PostgreSQL reads the same text with `+00:00`.
    """

    LOOKAHEAD_DAYS = 120  # promised delivery can be weeks after the last booking day (sea freight)

    def __init__(self, calendar: Calendar, tz: dt.tzinfo, vendor: str) -> None:
        self.suffix = "+00:00" if vendor == "postgresql" else ""
        self.midnight: list[int] = []
        self.waybill_prefix: list[str] = []
        self.busy: list[bool] = []  # Double-11 rush: deliveries run late more often
        self.month_text: list[str] = []  # the local month a booking day falls in, as stored
        self.late_risk: list[float] = []  # extra chance of a late delivery: peaks and bad weather
        for offset in range(calendar.days + self.LOOKAHEAD_DAYS):
            day = calendar.start + dt.timedelta(days=offset)
            noon = dt.datetime.combine(day, dt.time(12), tzinfo=tz)
            self.midnight.append(int(noon.timestamp()) - 12 * 3600)
            self.waybill_prefix.append(f"{WAYBILL_PREFIX}{day:%Y%m%d}")
            self.busy.append((10, 25) <= (day.month, day.day) <= (11, 15))
            self.month_text.append(f"{day:%Y-%m}-01")
            self.late_risk.append(late_risk(day))
        self.as_of = self.midnight[calendar.days]
        # Shipments booked from this day on get their event trail (older ones keep their timestamps).
        self.events_from = max(0, calendar.days - EVENT_DAYS)
        # Text of every UTC date the instants can fall on, and of every second of a day.
        self._first_day = self.midnight[0] // 86_400 - 1
        self._day_text = [
            dt.date.fromordinal(EPOCH_DAY + day).isoformat() + " "
            for day in range(self._first_day, self.midnight[-1] // 86_400 + 2)
        ]
        self._time_text = [
            f"{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}{self.suffix}"
            for second in range(86_400)
        ]

    def text(self, instant: int) -> str:
        days, seconds = divmod(instant, 86_400)
        position = days - self._first_day
        if 0 <= position < len(self._day_text):
            return self._day_text[position] + self._time_text[seconds]
        return dt.date.fromordinal(EPOCH_DAY + days).isoformat() + " " + self._time_text[seconds]

    def datetime_text(self, value: dt.datetime) -> str:
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") + self.suffix


# --------------------------------------------------------------------------------------------------
# Plans: what one customer becomes
# --------------------------------------------------------------------------------------------------


@dataclass
class Lane:
    origin: str
    destination: str
    mode: str
    cargo: str
    weight: float  # relative share of the customer's shipments
    distance: float = field(init=False)
    abroad: bool = field(init=False)

    def __post_init__(self) -> None:
        self.mode, self.cargo = str(self.mode), str(self.cargo)  # plain values, not enum members
        self.distance = distance_km(self.origin, self.destination)
        self.abroad = self.destination in ABROAD


@dataclass
class ShippingProfile:
    rng: random.Random
    per_year: float
    first: int
    last: int
    retail: bool
    decay: bool  # dormant: fewer and fewer shipments
    lanes: list[Lane]
    fallback_origin: str
    small: bool  # individuals: parcels only


@dataclass
class CustomerPlan:
    customer: Customer
    address: Address
    city: CitySpec
    district: District
    contacts: list[Contact] = field(default_factory=list)
    needs: list[LogisticsNeed] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    uscc_head: str = ""
    shipping: ShippingProfile | None = None
    legal_form: str = ""  # the legal-form ending of a company name (有限公司 …), for its variants


@dataclass
class DemoCounts:
    customers: int = 0
    contacts: int = 0
    addresses: int = 0
    needs: int = 0
    shipments: int = 0
    tags: int = 0
    history: int = 0
    duplicates: int = 0
    truth: list[tuple[str, str, str]] = field(default_factory=list)  # (duplicate, original, variations)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    first_customer_id: int = 0  # the first id this run filed
    extra: dict[str, int] = field(default_factory=dict)  # rows written by each registered DemoStep
    regions: Counter[tuple[str, str]] = field(default_factory=Counter)  # shipments per province and month


# fmt: off
KIND_PICK = Weighted.of({CustomerKind.ENTERPRISE: 70, CustomerKind.INDIVIDUAL: 15, CustomerKind.PARTNER: 7,
                         CustomerKind.INSTITUTION: 5, CustomerKind.INTERNAL: 3})
STATUS_PICK = Weighted.of({Status.ACTIVE: 66, Status.PROSPECT: 14, Status.DORMANT: 10, Status.LOST: 8,
                           Status.BLACKLISTED: 2})
# Most firms are small: the archive of a carrier with a million customers is a long tail of micro
# and small businesses that ship now and then, with a few large shippers on top.
SIZE_PICK = Weighted.of({CompanySize.MICRO: 30, CompanySize.SMALL: 42,
                         CompanySize.MEDIUM: 21, CompanySize.LARGE: 7})
INSTITUTION_SIZE_PICK = Weighted.of({CompanySize.MEDIUM: 50, CompanySize.LARGE: 50})
SUFFIX_PICK = {large: Weighted.of({suffix: weight for suffix, weight in SUFFIXES.items()
                                   if large or suffix != "集团有限公司"}) for large in (False, True)}
OWNERSHIP_PICK = {
    size: Weighted.of({
        Ownership.PRIVATE: 65, Ownership.FOREIGN: 8, Ownership.JOINT: 6,
        Ownership.STATE: 12 if size in ("medium", "large") else 2, Ownership.COLLECTIVE: 2,
        Ownership.INDIVIDUAL_BUSINESS: 7 if size == "micro" else 0,
    })
    for size in COMPANY_SIZES
}
INCOME_PICK = Weighted.of({"low": 30, "middle": 50, "high": 20})
POTENTIAL_PICK = {  # (large or medium?, lost or blacklisted?) -> development potential
    (big, gone): Weighted.of({"high": 40 if big else 15, "medium": 45, "low": 30 if gone else 15})
    for big in (False, True) for gone in (False, True)
}
INDIVIDUAL_POTENTIAL_PICK = Weighted.of({"medium": 30, "low": 70})
PERSON_TERMS_PICK = Weighted.of({"prepaid": 40, "per_shipment": 40, "cod": 20})
PROSPECT_TERMS_PICK = Weighted.of({"monthly": 50, "per_shipment": 50})
BLACKLIST_GRADE_PICK = Weighted.of({"C": 70, "B": 30})
GRADE_PICK = Weighted.of(GRADES)
LOST_GRADE_PICK = Weighted.of({"BBB": 40, "BB": 35, "B": 20, "A": 5})
INSTITUTION_GRADE_PICK = Weighted.of({"AAA": 30, "AA": 50, "A": 20})
TERMS_PICK = Weighted.of({"credit": 35, "monthly": 35, "per_shipment": 15, "prepaid": 10, "cod": 5})
POOR_TERMS_PICK = Weighted.of({"prepaid": 60, "per_shipment": 30, "cod": 10})
INSTITUTION_TERMS_PICK = Weighted.of({"credit": 60, "monthly": 40})
ROAD_KIND_PICK = Weighted.of(ROAD_KINDS)
INDUSTRY_PICK = Weighted.of(ENTERPRISE_INDUSTRIES)
MEDICAL_COLD_PICK = Weighted.of({Temperature.CHILLED: 70, Temperature.CONTROLLED: 20,
                                 Temperature.DEEP_FROZEN: 10})
FOOD_COLD_PICK = Weighted.of({Temperature.CHILLED: 55, Temperature.FROZEN: 40, Temperature.DEEP_FROZEN: 5})
FREQUENCY_PICK = {mode: Weighted.of(weights) for mode, weights in FREQUENCIES.items()}
SEASONAL_FREQUENCY_PICK = Weighted.of({"seasonal": 70, "weekly": 30})
INDIVIDUAL_FREQUENCY_PICK = Weighted.of({"ad_hoc": 70, "monthly": 30})
BOOKING_HOUR_PICK = Weighted(BOOKING_HOURS, [5, 12, 14, 12, 5, 7, 12, 13, 12, 8, 4, 2])
# Shipments per year by company size (median; spread log-normally): the long tail ships rarely.
PER_YEAR_MEDIAN = {"micro": 1.5, "small": 3.0, "medium": 8.0, "large": 25.0}
INSTITUTION_PER_YEAR_MEDIAN = 6.0  # hospitals, schools: equipment and supplies now and then
# fmt: on


_SPEC_PICKS: dict[tuple[int, str], Weighted[str]] = {}


def _weighted_of(spec: IndustrySpec, what: str) -> Weighted[str]:
    """An industry's mode or cargo weights as a `Weighted`, made once per spec (the specs are
    module constants, so their ids are stable)."""
    key = (id(spec), what)
    found = _SPEC_PICKS.get(key)
    if found is None:
        found = _SPEC_PICKS[key] = Weighted.of(getattr(spec, what))
    return found


# --------------------------------------------------------------------------------------------------
# Near-duplicates: the same customer filed twice, the way it happens at a front desk
# --------------------------------------------------------------------------------------------------

# Characters typed for one another with a pinyin input method (same or near sound), as they occur
# in the generated names: brands, industry words, given names.
# fmt: off
HOMOPHONES: dict[str, str] = {pair[0]: pair[1] for pair in _words("""
    恒衡 华化 盛胜 鑫新 宏洪 永勇 瑞锐 泰太 金今 中忠 新心 远原 东冬 天添 佳家 嘉加 福富 博搏 鼎顶 昌长
    安按 德得 广光 隆龙 富付 顺舜 兴星 豪浩 润闰 海还 益易 汇惠 宇雨 卓桌 锦金 凯楷 荣容 鸿红 利力 万完
    信心 通同 达大 源元 丰风 和合 诚成 联连 航杭 方芳 成城 禾河 祥翔 发法 邦帮 驰池 创窗 科可 辉挥 宝保
    升生 运云 捷杰 康抗 茂贸 威伟 物务 流留 贸茂 电店 商尚 技计 工公 业叶 器气 制治 品平 饮引 粮良 油由
    医衣 药要 材才 装庄 纺访 织之 服福 饰式 具据 建见 陶桃 瓷词 机鸡 械谢 设社 备被 农浓 种众 能恩 矿况
    伏服 煤梅 进近 际记 实石 输书 仓苍 储除 冷冷 链连 鲜先 品聘 精经 密蜜 塑素 胶交 包保 五午 汽气 零领
    伟卫 强墙 磊垒 军君 勇永 杰洁 涛滔 斌彬 超潮 明名 刚钢 平萍 鹏朋 飞菲 波博 浩皓 健建 俊峻 帆凡 旭煦
    龙隆 林琳 阳洋 芳方 娜纳 敏民 静晶 丽莉 艳燕 娟鹃 霞侠 婷亭 雪薛 慧惠 颖影 倩茜 燕艳 玲铃 萍平 红虹
    晶静 英颖 兰岚 怡仪 琪琦 涵晗 志智 国帼 文雯 博波 晓小 梦孟 思斯 诗时 欣新 丹单 春纯 淑舒 雅亚 美梅
""") if pair[0] != pair[1]}
# fmt: on
LEGAL_FORMS = ("集团有限公司", "股份有限公司", "有限责任公司", "有限公司")
DUPLICATE_TRIES = 3  # candidates drawn per duplicate, in case the first is an internal branch


def legal_form_of(name: str) -> str:
    return next((form for form in LEGAL_FORMS if name.endswith(form)), "")


def typo(rng: random.Random, text: str, start: int, stop: int) -> tuple[str, str] | None:
    """One slip inside `text[start:stop]`: a character typed as its homophone, a character left out,
    or two neighbours swapped. Returns (new text, kind), or None when the span is too short."""
    span = list(range(start, stop))
    if not span:
        return None
    roll = rng.random()
    replaceable = [i for i in span if text[i] in HOMOPHONES]
    if roll < 0.5 and replaceable:
        i = _choice(rng, replaceable)
        return text[:i] + HOMOPHONES[text[i]] + text[i + 1 :], "typo_homophone"
    swappable = [i for i in span[:-1] if text[i] != text[i + 1]]
    if roll < 0.75 and swappable:
        i = _choice(rng, swappable)
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :], "typo_swapped"
    if len(span) >= 3:
        i = _choice(rng, span)
        return text[:i] + text[i + 1 :], "typo_missing"
    if replaceable:
        i = _choice(rng, replaceable)
        return text[:i] + HOMOPHONES[text[i]] + text[i + 1 :], "typo_homophone"
    return None


def organisation_name_variant(rng: random.Random, plan: CustomerPlan) -> tuple[str, list[str]]:
    """Another spelling of an organisation's name that a person would still recognise."""
    customer, city = plan.customer, plan.city.name
    name, form = customer.name, plan.legal_form
    options: list[str] = ["typo"]
    if form in ("有限公司", "有限责任公司"):
        options.append("legal_form")
    if form == "股份有限公司":
        options.append("gufen_dropped")
    if name.startswith(city) and form:
        options += ["city_dropped", "city_bracketed"]
    if name.startswith(f"{city}市"):
        options.append("shi_dropped")
    if customer.short_name and customer.short_name != name:
        options.append("short_name")
    choice = _choice(rng, options)
    kinds = [] if choice == "typo" else [choice]
    if choice == "legal_form":
        other = "有限责任公司" if form == "有限公司" else "有限公司"
        name = name.removesuffix(form) + other
    elif choice == "gufen_dropped":
        name = name.removesuffix(form) + "有限公司"
    elif choice == "city_dropped":
        name = name.removeprefix(city)
    elif choice == "city_bracketed":
        name = f"{name.removeprefix(city).removesuffix(form)}（{city}）{form}"
    elif choice == "shi_dropped":
        name = city + name.removeprefix(f"{city}市")
    elif choice == "short_name":
        name = customer.short_name
    if choice == "typo" or rng.random() < 0.25:  # a typo on its own, or on top of another variant
        start = len(city) if name.startswith(city) else 0
        stop = len(name) - len(legal_form_of(name))
        slipped = typo(rng, name, start, stop)
        if slipped:
            name = slipped[0]
            kinds.append(slipped[1])
    return name, kinds


def address_variant(rng: random.Random, address: Address) -> tuple[str, str]:
    """The same place written another way: without province and city, or with its parts reordered."""
    head = address.text.removesuffix(address.detail).removesuffix(address.district)
    number = re.search(r"\d+号", address.detail)
    if number and number.end() < len(address.detail) and rng.random() < 0.6:
        road, rest = address.detail[: number.end()], address.detail[number.end() :]
        return f"{head}{address.district}{rest}（{road}）", "address_reordered"
    return f"{address.district}{address.detail}" or address.text, "address_without_city"


def neighbour_landline(rng: random.Random, number: str) -> str:
    """Another line of the same switchboard: the last digit differs (021-68888888 -> 021-68888883)."""
    last = int(number[-1])
    return number[:-1] + str((last + _randint(rng, 1, 9)) % 10)


# --------------------------------------------------------------------------------------------------
# The generator: plans customers and their shipments (pure Python, no database)
# --------------------------------------------------------------------------------------------------


class DemoGenerator:
    """Plans customers one by one and turns their shipments into rows; touches no database."""

    def __init__(
        self,
        *,
        seed: int,
        today: dt.date,
        years: int = 2,
        owners: Sequence[int] = (),
        name_window: int = NAME_WINDOW,
        vendor: str | None = None,
    ) -> None:
        self.seed = seed
        self.today = today
        self.years = years
        self.owners = list(owners)
        self.owner_pick = (
            Weighted(self.owners, [1 + (i % 3) * 0.5 for i in range(len(self.owners))]) if owners else None
        )
        self.name_window = name_window
        self.tz = timezone.get_current_timezone()
        self.calendar = Calendar.build(today, years)
        self.clock = Clock(self.calendar, self.tz, vendor or connection.vendor)
        self.districts = city_districts()
        self.city_pick = Weighted(CITIES, [city.weight for city in CITIES])
        self.district_picks = {
            name: Weighted(districts, weights) for name, (districts, weights) in self.districts.items()
        }
        self._destinations: dict[str, Weighted[str]] = {}
        for origin in [*CITY_BY_LANE, *ABROAD]:
            others = [city for city in CITIES if city.lane_name != origin]
            self._destinations[origin] = Weighted([c.lane_name for c in others], [c.weight for c in others])
        self._odd_lanes: dict[tuple[str, str, str], Lane] = {}
        self._names: set[str] = set()
        self._name_window = -1

    # -- drawing helpers ---------------------------------------------------------------------------

    def rng_for(self, index: int) -> random.Random:
        return random.Random(f"freightcrm-demo:{self.seed}:{index}")

    def duplicate_rng_for(self, index: int) -> random.Random:
        """A stream of its own, so planting duplicates leaves every other customer as it was."""
        return random.Random(f"freightcrm-demo-duplicate:{self.seed}:{index}")

    def draw_city(self, rng: random.Random) -> CitySpec:
        return self.city_pick.pick(rng)

    def draw_destination(self, rng: random.Random, origin: str) -> str:
        """Another major city, weighted like the customers (more traffic to the big hubs)."""
        return self._destinations[origin].pick(rng)

    def draw_district(self, rng: random.Random, city: CitySpec) -> District:
        return self.district_picks[city.name].pick(rng)

    def unique_name(self, index: int, make: Callable[[int], str]) -> str:
        """A name not yet used in this name window. The window, not the whole run, keeps memory
        bounded; generating window by window keeps the result independent of batches and workers."""
        self._enter_window(index)
        for attempt in range(12):
            name = make(attempt)
            if name not in self._names:
                break
        self._names.add(name)
        return name

    def _enter_window(self, index: int) -> None:
        window = index // self.name_window
        if window != self._name_window:
            self._names.clear()
            self._name_window = window

    def street(self, rng: random.Random, organisation: bool) -> str:
        road = _choice(rng, ROAD_ROOTS) + ROAD_KIND_PICK.pick(rng)
        number = min(int(rng.paretovariate(1.1) * 8), 1999)
        text = f"{road}{number}号"
        roll = rng.random()
        if organisation:
            if roll < 0.25:
                text += f"{_randint(rng, 1, 12)}号楼{_randint(rng, 1, 20)}{_randint(rng, 1, 30):02d}室"
            elif roll < 0.45:
                text += f"{_choice(rng, 'ABCDE')}座{_randint(rng, 2, 28)}层"
            elif roll < 0.65:
                text += f"{_choice(rng, PARKS)}{_randint(rng, 1, 30)}号厂房"
        else:
            building, unit = _randint(rng, 1, 30), _randint(rng, 1, 4)
            text += (
                f"{_choice(rng, ESTATES)}{building}栋{unit}单元{_randint(rng, 1, 33)}0{_randint(rng, 1, 6)}室"
            )
        return text

    def address(self, rng: random.Random, district: District, organisation: bool) -> Address:
        detail = self.street(rng, organisation)
        if district.city.towns:
            detail = _choice(rng, district.city.towns) + detail
        head = (
            district.province
            if district.province == district.city_name
            else district.province + district.city_name
        )
        return blank(
            Address,
            kind=AddressKind.REGISTERED if organisation else AddressKind.HOME,
            text=f"{head}{district.name}{detail}",
            province=district.province,
            city=district.city_name,
            district=district.name,
            adcode=district.adcode,
            detail=detail,
            postal_code=f"{district.city.postal}{rng.randrange(1000):03d}",
            is_primary=True,
        )

    def domain(self, rng: random.Random, brand: str, city: CitySpec, abbr: str) -> str:
        roll = rng.random()
        if roll < 0.5:
            return f"{pinyin(brand)}-{abbr}.com.cn"
        if roll < 0.8:
            return f"{pinyin(brand)}{abbr}.com"
        return f"{initials(city.name)}{pinyin(brand)}.cn"

    def contact(
        self,
        rng: random.Random,
        role: str,
        titles: dict[str, tuple[str, ...]],
        city: CitySpec,
        domain: str,
        used: set[str],
        primary: bool,
    ) -> Contact:
        surname, given, gender = person(rng)
        handle = person_pinyin(surname, given)
        mailbox = handle
        while mailbox in used:
            mailbox = f"{handle}{_randint(rng, 1, 99)}"
        used.add(mailbox)
        birthday = (
            _date_between(rng, dt.date(1965, 1, 1), dt.date(2000, 12, 31)) if rng.random() < 0.7 else None
        )
        contact = blank(
            Contact,
            name=surname + given,
            title=_choice(rng, titles.get(role) or TITLES[role]),
            role=role,
            mobile=mobile(rng) if rng.random() < 0.95 else "",
            phone=landline(rng, city) if rng.random() < 0.5 else "",
            email=f"{mailbox}@{domain}" if rng.random() < 0.8 else "",
            wechat=(
                f"{handle}{_randint(rng, 60, 99)}"
                if rng.random() < 0.5
                else f"{handle}_{_randint(rng, 1, 999)}"
            )
            if rng.random() < 0.55
            else "",
            birthday=birthday,
            is_primary=primary,
            notes=_choice(rng, CONTACT_NOTES) if rng.random() < 0.15 else "",
        )
        if not (contact.mobile or contact.phone or contact.email or contact.wechat):
            contact.mobile = mobile(rng)  # the archive wants at least one way to reach a contact
        return contact

    # -- one customer ------------------------------------------------------------------------------

    def plan(self, index: int, like: CustomerPlan | None = None) -> CustomerPlan:
        """Customer number `index`. With `like`, it is of the same kind and district as that one
        (the rest is its own): the starting point of a near-duplicate."""
        self._enter_window(index)
        rng = self.rng_for(index)
        kind: str = KIND_PICK.pick(rng)
        status: str = STATUS_PICK.pick(rng)
        if like is not None:
            kind = like.customer.kind
        if kind == CustomerKind.INTERNAL:
            status = Status.ACTIVE if rng.random() < 0.9 else Status.DORMANT
        city = self.draw_city(rng)
        district = self.draw_district(rng, city)
        if like is not None:
            city, district = like.city, like.district
        customer = blank(
            Customer,
            uid=uuid.UUID(int=rng.getrandbits(128), version=4),
            kind=kind,
            status=status,
            province=district.province,
            city=district.city_name,
            district=district.name,
            adcode=district.adcode,
        )
        if self.owner_pick and rng.random() >= 0.05:
            customer.owner_id = self.owner_pick.pick(rng)
        plan = CustomerPlan(
            customer=customer,
            address=self.address(rng, district, kind != CustomerKind.INDIVIDUAL),
            city=city,
            district=district,
        )
        if kind == CustomerKind.INDIVIDUAL:
            profile = self._individual(rng, plan, district)
        else:
            profile = self._organisation(rng, index, plan, city, district)
        self._business(rng, plan, city, district, profile)
        return plan

    def _individual(self, rng: random.Random, plan: CustomerPlan, district: District) -> IndustrySpec:
        customer = plan.customer
        surname, given, gender = person(rng)
        customer.name = surname + given  # people share names (张伟 …); companies do not
        customer.gender = gender
        birth = _date_between(rng, dt.date(1960, 1, 1), dt.date(2002, 12, 31))
        customer.birth_date = birth
        districts, _weights = self.districts[district.city.name]
        elsewhere = self.draw_district(rng, self.draw_city(rng))
        regions_to_try = [district.adcode] if rng.random() < 0.65 else [elsewhere.adcode]
        regions_to_try += [d.adcode for d in districts] + [
            d.adcode for d in self.districts[elsewhere.city.name][0]
        ]
        customer.id_number = resident_id(rng, regions_to_try, birth, gender)
        customer.occupation = _choice(rng, OCCUPATIONS)
        customer.income_band = INCOME_PICK.pick(rng)
        customer.mobile = mobile(rng)
        if rng.random() < 0.4:
            handle = person_pinyin(surname, given)
            customer.email = (
                f"{_randint(rng, 10_000_000, 3_999_999_999)}@qq.com"
                if rng.random() < 0.4
                else f"{handle}{birth:%y}@{_choice(rng, MAIL_DOMAINS)}"
            )
        customer.preferred_channels = rng.sample(
            [Channel.WECHAT, Channel.PHONE, Channel.SMS], k=_randint(rng, 1, 2)
        )
        customer.preferred_contact_time = _choice(rng, PERSON_CONTACT_TIMES)
        return INDIVIDUAL_PROFILE

    def _organisation(
        self, rng: random.Random, index: int, plan: CustomerPlan, city: CitySpec, district: District
    ) -> IndustrySpec:
        customer = plan.customer
        kind = customer.kind
        brand = ""
        if kind == CustomerKind.INSTITUTION:
            industry: str = Industry.PUBLIC
            profile = INDUSTRIES[industry]
            template, abbr = _choice(rng, INSTITUTIONS)
            customer.name = self.unique_name(
                index,
                lambda attempt: (
                    template.format(
                        city=city.name, n=NUMERALS[min(attempt, 8)] if attempt else _choice(rng, NUMERALS[:6])
                    )
                    + (f"（{district.name or city.name}院区）" if attempt >= 3 and abbr == "hosp" else "")
                ),
            )
            customer.short_name = customer.name.replace(f"{city.name}市", city.name)[:60]
            letters = initials(customer.short_name.split("（")[0])
            domain = f"{letters}.edu.cn" if abbr == "edu" else f"{letters}.org.cn"
            customer.size = INSTITUTION_SIZE_PICK.pick(rng)
            customer.ownership = Ownership.PUBLIC_INSTITUTION
            head = "12"
        elif kind == CustomerKind.INTERNAL:
            industry, profile = Industry.LOGISTICS, INTERNAL_PROFILE
            area = AREA_OF_PROVINCE.get(district.adcode[:2], "华东")
            customer.name = self.unique_name(
                index,
                lambda attempt: (
                    _choice(rng, INTERNAL_NAMES).format(city=city.name, area=area)
                    + (f"（{district.short}）" if attempt >= 4 and district.short else "")
                ),
            )
            customer.short_name = customer.name.removeprefix("本公司")[:60]
            domain = "fc-logistics.com.cn"
            head = "91"
        else:
            if kind == CustomerKind.PARTNER:
                industry = Industry.LOGISTICS
                words = PARTNER_WORDS
            else:
                industry = INDUSTRY_PICK.pick(rng)
                words = INDUSTRIES[industry].words
            profile = INDUSTRIES[industry]
            customer.size = SIZE_PICK.pick(rng)
            suffix = SUFFIX_PICK[customer.size == CompanySize.LARGE].pick(rng)
            plan.legal_form = suffix
            word, short_word = _choice(rng, words)

            def company(attempt: int) -> str:
                nonlocal brand
                if rng.random() < 0.18:
                    brand = _choice(rng, city.brands)
                else:
                    first = _choice(rng, FIRST_SYLLABLES)
                    brand = first + _choice(rng, SECOND_SYLLABLES.replace(first, ""))
                return f"{city.name}{brand}{word}{suffix}"

            customer.name = self.unique_name(index, company)
            customer.short_name = f"{brand}{short_word}"
            domain = self.domain(rng, brand, city, profile.domain)
            customer.ownership = OWNERSHIP_PICK[customer.size].pick(rng)
            head = "91" if customer.ownership != Ownership.INDIVIDUAL_BUSINESS else "92"
        customer.industry = industry
        if customer.status != Status.PROSPECT or rng.random() < 0.5:
            plan.uscc_head = f"{head}{district.adcode}"
        self._company_facts(rng, plan, profile, domain, city)
        self._contacts(rng, plan, city, domain)
        return profile

    def _company_facts(
        self, rng: random.Random, plan: CustomerPlan, profile: IndustrySpec, domain: str, city: CitySpec
    ) -> None:
        customer = plan.customer
        size = customer.size
        if customer.kind != CustomerKind.INTERNAL:
            surname, given, _gender = person(rng)
            customer.legal_representative = surname + given
            capital = {
                "micro": (10, 100),
                "small": (50, 1_000),
                "medium": (500, 10_000),
                "large": (5_000, 200_000),
            }.get(size, (100, 5_000))
            low, high = math.log(capital[0]), math.log(capital[1])
            value = math.exp(_uniform(rng, low, high))
            step = 10 if value < 1_000 else 100
            customer.registered_capital = Decimal(round(value / step) * step)
            oldest = {"large": 1985, "medium": 1992, "small": 2000}.get(size, 2008)
            if customer.kind == CustomerKind.INSTITUTION:
                oldest = 1950
            customer.founded_on = _date_between(
                rng, dt.date(oldest, 1, 1), self.today - dt.timedelta(days=400)
            )
            if rng.random() < 0.55:
                customer.website = f"https://www.{domain}"
        if profile.scope:
            items = rng.sample(profile.scope, k=min(len(profile.scope), _randint(rng, 2, 4)))
            customer.business_scope = (
                "一般项目："
                + "；".join(items)
                + "。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
            )
        customer.phone = landline(rng, city) if rng.random() < 0.9 else ""
        if rng.random() < 0.7:
            customer.email = f"{_choice(rng, ('info', 'service', 'sales', 'logistics', 'admin'))}@{domain}"
        if rng.random() < 0.3:
            customer.mobile = mobile(rng)
        channels = [Channel.WECHAT, Channel.PHONE, Channel.EMAIL, Channel.VISIT, Channel.PORTAL]
        if size == CompanySize.LARGE:
            channels.append(Channel.EDI)
        customer.preferred_channels = rng.sample(channels, k=_randint(rng, 1, 3))
        customer.preferred_contact_time = _choice(rng, CONTACT_TIMES)

    def _contacts(self, rng: random.Random, plan: CustomerPlan, city: CitySpec, domain: str) -> None:
        customer = plan.customer
        count = {"micro": (1, 1), "small": (1, 2), "medium": (2, 3), "large": (3, 4)}.get(
            customer.size, (1, 2)
        )
        roles = [
            ContactRole.DECISION_MAKER
            if customer.size in ("micro", "small") and rng.random() < 0.6
            else ContactRole.LOGISTICS_MANAGER
        ]
        others = [
            ContactRole.SHIPPING_CLERK,
            ContactRole.FINANCE,
            ContactRole.PURCHASING,
            ContactRole.WAREHOUSE,
            ContactRole.DECISION_MAKER,
            ContactRole.OTHER,
        ]
        others = [role for role in others if role not in roles]
        roles += rng.sample(others, k=_randint(rng, *count) - 1)
        titles = INSTITUTION_TITLES if customer.kind == CustomerKind.INSTITUTION else TITLES
        used: set[str] = set()
        for position, role in enumerate(roles):
            plan.contacts.append(self.contact(rng, role, titles, city, domain, used, primary=position == 0))
        bosses = [c for c in plan.contacts if c.role == ContactRole.DECISION_MAKER]
        if bosses and customer.legal_representative and rng.random() < 0.5:
            customer.legal_representative = bosses[0].name

    # -- business, finance, needs ------------------------------------------------------------------

    def _per_year(self, rng: random.Random, customer: Customer) -> float:
        """Shipments per year: heavy-tailed, growing with company size."""
        if customer.kind == CustomerKind.INDIVIDUAL:
            return rng.expovariate(1 / 2.5)
        median = PER_YEAR_MEDIAN.get(customer.size, 10.0)
        if customer.kind == CustomerKind.INSTITUTION:
            median = INSTITUTION_PER_YEAR_MEDIAN
        if customer.kind == CustomerKind.PARTNER:
            median *= 1.5
        return min(median * math.exp(rng.gauss(0, 0.85)), 600)

    def _business(
        self,
        rng: random.Random,
        plan: CustomerPlan,
        city: CitySpec,
        district: District,
        profile: IndustrySpec,
    ) -> None:
        customer = plan.customer
        status, kind = customer.status, customer.kind
        organisation = kind != CustomerKind.INDIVIDUAL
        today = self.today
        per_year = self._per_year(rng, customer)
        # Customer since: prospects have none; new customers carry the 新开发 tag.
        if status != Status.PROSPECT:
            latest = today - dt.timedelta(days=30 if status == Status.ACTIVE else 420)
            earliest = max(
                dt.date(2010, 1, 1), (customer.founded_on or dt.date(2010, 1, 1)) + dt.timedelta(days=60)
            )
            years_back = min(rng.expovariate(1 / 4.0), (latest - earliest).days / 365)
            customer.cooperation_since = max(earliest, latest - dt.timedelta(days=int(years_back * 365)))
        # Needs: what and where they ship.
        needs = 0
        if organisation:
            if status == Status.ACTIVE:
                needs = _randint(rng, 1, 3)
            elif status != Status.BLACKLISTED and rng.random() < 0.7:
                needs = 1
        elif rng.random() < 0.5:
            needs = 1
        lanes: list[Lane] = []
        for _ in range(needs):
            need, lane = self._need(rng, city, profile, kind)
            plan.needs.append(need)
            lanes.append(lane)
        customer.cargo_preferences = sorted({need.cargo_type for need in plan.needs})
        customer.main_cargo = _choice(rng, profile.main_cargo)
        main_mode = plan.needs[0].mode if plan.needs else Mode.EXPRESS
        customer.annual_volume_tonnes = _money(per_year * MODE_WEIGHT[main_mode] * _uniform(rng, 0.8, 1.25))
        if organisation:
            customer.annual_logistics_spend = _money(
                per_year * MODE_AMOUNT[main_mode] * _uniform(rng, 0.8, 1.3) / 1e4
            )
            if kind != CustomerKind.INTERNAL:
                customer.competitors = "、".join(rng.sample(COMPETITORS, k=_randint(rng, 1, 3)))
            area = AREA_OF_PROVINCE.get(district.adcode[:2], "华东")
            served = [
                BLOCS.get(district.adcode[:2], f"{area}地区"),
                f"{area}地区",
                "全国",
                f"{city.name}及周边",
            ]
            if customer.size == CompanySize.LARGE:
                customer.regions_served = "全国" + ("、东南亚、欧美" if profile.abroad else "")
            else:
                customer.regions_served = "、".join(dict.fromkeys(rng.sample(served, k=_randint(rng, 1, 2))))
                if profile.abroad and rng.random() < 0.4:
                    customer.regions_served += "、东南亚"
            if kind != CustomerKind.INTERNAL:
                customer.development_potential = POTENTIAL_PICK[
                    customer.size in ("medium", "large"), status in (Status.LOST, Status.BLACKLISTED)
                ].pick(rng)
        else:
            customer.development_potential = INDIVIDUAL_POTENTIAL_PICK.pick(rng)
        self._finance(rng, plan, city, district)
        self._tags(rng, plan, profile, per_year)
        self._remarks(rng, plan, district)
        # Shipments happen only with customers who have (had) business with us.
        if status in (Status.ACTIVE, Status.DORMANT, Status.LOST) and customer.cooperation_since:
            first = self.calendar.index(customer.cooperation_since)
            last = self.calendar.days
            if status == Status.LOST:
                last = self.calendar.index(today - dt.timedelta(days=_randint(rng, 90, 420)))
            elif status == Status.DORMANT:
                last = self.calendar.index(today - dt.timedelta(days=_randint(rng, 60, 180)))
            plan.shipping = ShippingProfile(
                rng=rng,
                per_year=per_year,
                first=first,
                last=last,
                retail=profile.retail,
                decay=status == Status.DORMANT,
                lanes=lanes,
                fallback_origin=city.lane_name,
                small=kind == CustomerKind.INDIVIDUAL,
            )

    def _need(
        self, rng: random.Random, city: CitySpec, profile: IndustrySpec, kind: str
    ) -> tuple[LogisticsNeed, Lane]:
        mode = _weighted_of(profile, "modes").pick(rng)
        cargo = _weighted_of(profile, "cargo").pick(rng)
        if cargo == CargoType.HAZARDOUS and mode in (Mode.AIR, Mode.EXPRESS):
            mode = Mode.ROAD
        home = city if rng.random() < 0.85 or kind == CustomerKind.INDIVIDUAL else self.draw_city(rng)
        origin = home.lane_name
        if mode == Mode.SEA:
            origin = nearest_port(home).lane_name
            if profile.abroad and rng.random() < 0.6:
                destination = _choice(rng, list(ABROAD))
            else:
                destination = _choice(rng, [p.lane_name for p in PORTS if p.lane_name != origin])
        elif mode == Mode.AIR and profile.abroad and rng.random() < 0.3:
            destination = _choice(rng, list(ABROAD))
        elif mode in (Mode.WAREHOUSING,) or (mode in (Mode.EXPRESS, Mode.ROAD) and rng.random() < 0.1):
            destination = origin  # same-city distribution
        else:
            destination = self.draw_destination(rng, origin)
        temperature: str = Temperature.AMBIENT
        if cargo == CargoType.COLD_CHAIN:
            if profile is INDUSTRIES[Industry.PHARMA] or profile is INDUSTRIES[Industry.PUBLIC]:
                temperature = MEDICAL_COLD_PICK.pick(rng)
            else:
                temperature = FOOD_COLD_PICK.pick(rng)
        elif cargo == CargoType.VALUABLE and rng.random() < 0.2:
            temperature = Temperature.CONTROLLED
        frequency = FREQUENCY_PICK.get(mode, FREQUENCY_PICK[""])
        if profile is INDUSTRIES[Industry.AGRICULTURE] or (
            profile is INDUSTRIES[Industry.FRESH] and rng.random() < 0.3
        ):
            frequency = SEASONAL_FREQUENCY_PICK
        if kind == CustomerKind.INDIVIDUAL:
            frequency = INDIVIDUAL_FREQUENCY_PICK
        if kind == CustomerKind.INDIVIDUAL:
            unit, volume = "pieces", _uniform(rng, 5, 300)
        elif mode == Mode.EXPRESS or cargo == CargoType.DOCUMENTS:
            unit, volume = "pieces", math.exp(_uniform(rng, math.log(500), math.log(200_000)))
        elif mode == Mode.SEA:
            unit, volume = "teu", _uniform(rng, 10, 600)
        elif mode == Mode.WAREHOUSING:
            unit, volume = _choice(rng, ("pallets", "m3")), _uniform(rng, 200, 8_000)
        elif mode == Mode.AIR:
            unit, volume = "t", _uniform(rng, 1, 300)
        else:
            unit, volume = "t", math.exp(_uniform(rng, math.log(20), math.log(30_000)))
        if cargo == CargoType.COLD_CHAIN and mode == Mode.ROAD and rng.random() < 0.5:
            unit, volume = "pallets", _uniform(rng, 100, 20_000)
        volume = round(volume, -1) if volume > 100 else round(volume)
        need = blank(
            LogisticsNeed,
            mode=mode,
            origin_city=origin,
            destination_city=destination,
            cargo_type=cargo,
            temperature=temperature,
            packaging=_choice(rng, PACKAGING[cargo]),
            delivery_window=_choice(rng, DELIVERY_WINDOWS),
            frequency=frequency.pick(rng),
            annual_volume=Decimal(volume),
            volume_unit=unit,
            notes=_choice(rng, NEED_NOTES.get(cargo, NEED_NOTES[""])) if rng.random() < 0.3 else "",
        )
        lane = Lane(
            origin,
            destination,
            Mode.ROAD if mode == Mode.WAREHOUSING else mode,
            cargo,
            weight=_uniform(rng, 0.5, 3),
        )
        return need, lane

    def _finance(self, rng: random.Random, plan: CustomerPlan, city: CitySpec, district: District) -> None:
        customer = plan.customer
        kind, status = customer.kind, customer.status
        if kind == CustomerKind.INDIVIDUAL:
            customer.payment_terms = PERSON_TERMS_PICK.pick(rng)
            return
        if kind == CustomerKind.INTERNAL:
            customer.payment_terms = PaymentTerms.MONTHLY
            return
        if status == Status.PROSPECT:
            if rng.random() < 0.3:
                customer.payment_terms = PROSPECT_TERMS_PICK.pick(rng)
        elif status == Status.BLACKLISTED:
            customer.credit_grade = BLACKLIST_GRADE_PICK.pick(rng)
            customer.credit_limit = Decimal(0)
            customer.payment_terms = PaymentTerms.PREPAID
        else:
            grades = GRADE_PICK
            if status == Status.LOST:
                grades = LOST_GRADE_PICK
            elif kind == CustomerKind.INSTITUTION:
                grades = INSTITUTION_GRADE_PICK
            grade = grades.pick(rng)
            customer.credit_grade = grade
            base = {"micro": 5e4, "small": 2e5, "medium": 1e6, "large": 5e6}.get(customer.size, 5e5)
            if kind == CustomerKind.INSTITUTION:
                base = 5e5
            limit = base * GRADE_FACTOR[grade] * _uniform(rng, 0.6, 1.4)
            customer.credit_limit = Decimal(round(limit, -4))
            terms = TERMS_PICK
            if grade in ("B", "C"):
                terms = POOR_TERMS_PICK
            if kind == CustomerKind.INSTITUTION:
                terms = INSTITUTION_TERMS_PICK
            customer.payment_terms = terms.pick(rng)
            if customer.payment_terms == PaymentTerms.CREDIT:
                days = (30, 45, 60, 90) if kind == CustomerKind.INSTITUTION else (30, 45, 60)
                customer.payment_days = _choice(rng, days)
        if rng.random() < 0.6:
            bank, digits = (
                LOCAL_BANKS.get(city.name, BANKS[0]) if rng.random() < 0.15 else _choice(rng, BANKS)
            )
            branch = f"{district.short}支行" if district.short and rng.random() < 0.85 else "分行营业部"
            customer.bank_name = f"{bank}{city.name}{branch}"
            customer.bank_account = f"{_randint(rng, 1, 9)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

    def _tags(self, rng: random.Random, plan: CustomerPlan, profile: IndustrySpec, per_year: float) -> None:
        customer = plan.customer
        tags = plan.tags
        since = customer.cooperation_since
        if customer.status in (Status.ACTIVE, Status.DORMANT) and (
            per_year > 150
            or customer.credit_grade == "AAA"
            or (customer.size == "large" and rng.random() < 0.5)
        ):
            tags.append("重点客户")
        cargo = set(customer.cargo_preferences)
        if CargoType.COLD_CHAIN in cargo:
            tags.append("冷链")
        if CargoType.HAZARDOUS in cargo:
            tags.append("危险品资质")
        if profile is INDUSTRIES[Industry.ECOMMERCE] or (profile.retail and rng.random() < 0.3):
            tags.append("电商大促")
        if since and (self.today - since).days > 5 * 365:
            tags.append("长期合作")
        if rng.random() < 0.1:
            tags.append("价格敏感")
        if customer.status == Status.PROSPECT or (since and (self.today - since).days < 365):
            tags.append("新开发")
        if any(need.destination_city in ABROAD for need in plan.needs):
            tags.append("跨境")
        if any(need.frequency == Frequency.SEASONAL for need in plan.needs):
            tags.append("季节性")
        if rng.random() < 0.04 or (customer.status == Status.LOST and rng.random() < 0.3):
            tags.append("投诉较多")

    def _remarks(self, rng: random.Random, plan: CustomerPlan, district: District) -> None:
        customer = plan.customer
        competitor = _choice(rng, customer.competitors.split("、") if customer.competitors else COMPETITORS)
        contact = plan.contacts[0].name if plan.contacts else customer.name
        if customer.status == Status.BLACKLISTED:
            customer.remarks = _choice(rng, BLACKLIST_REMARKS)
        elif customer.status == Status.LOST and rng.random() < 0.7:
            customer.remarks = _choice(rng, LOST_REMARKS).format(competitor=competitor)
        elif rng.random() < 0.25:
            customer.remarks = _choice(rng, REMARKS).format(
                competitor=competitor, district=district.name or district.city_name, contact=contact
            )

    # -- near-duplicates ---------------------------------------------------------------------------

    def duplicate_candidates(self, index: int, first: int, fraction: float) -> list[int]:
        """Earlier positions (from `first` on) that customer `index` may be a near-duplicate of;
        empty when it is not one. Decided before anything is planned, so that the window's worker
        knows which plans to keep."""
        if fraction <= 0 or index <= first:
            return []
        rng = self.duplicate_rng_for(index)
        if rng.random() >= fraction:
            return []
        # Mostly filed soon after the original (a second sales rep, a re-registration), some later.
        candidates = []
        for _ in range(DUPLICATE_TRIES):
            gap = 1 + int(rng.expovariate(1 / 400))
            candidates.append(index - gap if gap <= index - first else rng.randrange(first, index))
        return candidates

    def duplicate(self, index: int, original: CustomerPlan) -> tuple[CustomerPlan, str]:
        """Customer `index` as a near-duplicate of `original`: its own business and shipments, but
        the original's identity as a second person at the desk would type it. A USCC is unique
        (the model's constraint), so a duplicate carries none: it was filed without the licence.
        Returns the plan and the variations applied, `;`-separated."""
        rng = self.duplicate_rng_for(index)
        rng.random()  # the draw that made it a duplicate
        plan = self.plan(index, like=original)
        customer, source = plan.customer, original.customer
        kinds: list[str] = []
        if customer.kind == CustomerKind.INDIVIDUAL:
            customer.name, customer.gender, customer.birth_date = (
                source.name,
                source.gender,
                source.birth_date,
            )
            surname_length = 2 if len(source.name) > 3 else 1
            slipped = typo(rng, source.name, surname_length, len(source.name)) if rng.random() < 0.5 else None
            if slipped:
                customer.name = slipped[0]
                kinds.append(slipped[1])
            else:
                kinds.append("same_name")
            if rng.random() < 0.5:
                customer.id_number = source.__dict__["id_number"]
                kinds.append("same_id_number")
            else:
                customer.id_number = ""  # filed without the ID card
            if rng.random() < 0.7 or "same_id_number" not in kinds:
                customer.mobile = source.mobile
                kinds.append("same_mobile")
            customer.occupation = source.occupation
        else:
            for name in ("legal_representative", "industry", "size", "ownership", "founded_on",
                         "registered_capital", "business_scope", "website", "email"):  # fmt: skip
                setattr(customer, name, getattr(source, name))
            plan.uscc_head = ""
            if original.uscc_head:
                kinds.append("uscc_missing")
            for _attempt in range(4):
                name, name_kinds = organisation_name_variant(rng, original)
                if name != source.name and name not in self._names:
                    break
            customer.name = name
            customer.short_name = source.short_name if rng.random() < 0.6 else ""
            kinds[:0] = name_kinds or ["same_name"]
            self._names.add(name)
            roll = rng.random()
            primary = original.contacts[0] if original.contacts else None
            if roll < 0.35 and source.mobile:
                customer.mobile = source.mobile
                kinds.append("same_mobile")
            elif roll < 0.6 and primary is not None and primary.mobile:
                customer.mobile = primary.mobile
                kinds.append("contact_mobile")
            elif roll < 0.85 and source.phone:
                customer.phone = neighbour_landline(rng, source.phone)
                kinds.append("landline_neighbour")
            elif source.phone:
                customer.phone = source.phone
                kinds.append("same_landline")
            if primary is not None and plan.contacts and rng.random() < 0.5:
                copy = plan.contacts[0]
                copy.name, copy.title, copy.role = primary.name, primary.title, primary.role
                copy.mobile, copy.phone, copy.email = primary.mobile, primary.phone, primary.email
                kinds.append("same_contact")
        plan.address.text, plan.address.detail = original.address.text, original.address.detail
        plan.address.postal_code = original.address.postal_code
        if rng.random() < 0.5:
            plan.address.text, kind = address_variant(rng, original.address)
            kinds.append(kind)
        return plan, ";".join(kinds)

    # -- shipments ---------------------------------------------------------------------------------

    def shipment_rows(
        self,
        customer_id: int,
        profile: ShippingProfile,
        out: list[tuple[Any, ...]],
        events: list[tuple[Any, ...]] | None = None,
        months: list[tuple[Any, ...]] | None = None,
    ) -> int:
        """Append the customer's shipments, oldest first, as rows in `SHIPMENT_FIELDS` order whose
        first value is the waybill number's date part (the writer appends the sequence number).

        The event trail of each shipment booked in the last `EVENT_DAYS` days or not yet delivered
        goes to `events` (first value: the shipment's position in `out`), the customer's monthly
        figures to `months` (`MONTH_FIELDS` order). Returns the shipments counted in the figures."""
        rng, calendar = profile.rng, self.calendar
        if profile.last <= profile.first:
            return 0
        expected = calendar.expected(profile.per_year, profile.first, profile.last, profile.retail)
        count = _poisson(rng, expected * (0.55 if profile.decay else 1.0))
        span = profile.last - profile.first
        days: list[int] = []
        tries = 0
        while len(days) < count and tries < count * 20:
            tries += 1
            day = calendar.draw(rng, profile.first, profile.last, profile.retail)
            if profile.decay and rng.random() > 1 - 0.85 * (day - profile.first) / span:
                continue
            days.append(day)
        days.sort()
        lanes = profile.lanes
        lane_pick = Weighted(lanes, [lane.weight for lane in lanes]) if lanes else None
        month_text = self.clock.month_text
        figures: dict[str, list[Any]] = {}
        counted = 0
        for day in days:
            if lane_pick and rng.random() < 0.85:
                lane = lane_pick.pick(rng)
            else:  # an odd job off the customer's usual lanes
                mode = Mode.EXPRESS if profile.small or rng.random() < 0.5 else Mode.ROAD
                destination = self.draw_destination(rng, profile.fallback_origin)
                key = (profile.fallback_origin, destination, mode)
                lane = self._odd_lanes.get(key) or self._odd_lanes.setdefault(
                    key, Lane(profile.fallback_origin, destination, mode, CargoType.GENERAL, 1.0)
                )
            row = self._shipment_row(rng, customer_id, lane, day, profile.small, events, len(out))
            out.append(row)
            status = row[AT_STATUS]
            if status == SHIPMENT_CANCELLED:
                continue
            counted += 1
            month = month_text[day]
            figure = figures.get(month)
            if figure is None:  # shipments, delivered, on time, amount cents, weight cents, first, last
                figure = figures[month] = [0, 0, 0, 0, 0, row[AT_BOOKED], row[AT_BOOKED]]
            figure[0] += 1
            if status == SHIPMENT_DELIVERED:
                figure[1] += 1
                if row[AT_ON_TIME]:
                    figure[2] += 1
            figure[3] += int(row[AT_AMOUNT].replace(".", ""))
            figure[4] += int(row[AT_WEIGHT].replace(".", ""))
            figure[6] = row[AT_BOOKED]
        if months is not None:
            for month, (shipped, delivered, on_time, cents, weight, first, last) in figures.items():
                months.append(
                    (
                        customer_id,
                        month,
                        shipped,
                        delivered,
                        on_time,
                        _cents(cents),
                        _cents(weight),
                        first,
                        last,
                    )
                )
        return counted

    def _shipment_row(
        self,
        rng: random.Random,
        customer_id: int,
        lane: Lane,
        day: int,
        small: bool,
        events: list[tuple[Any, ...]] | None = None,
        position: int = 0,
    ) -> tuple[Any, ...]:
        mode, cargo, distance, abroad = lane.mode, lane.cargo, lane.distance, lane.abroad
        uniform = rng.random  # uniform(a, b) is a + (b - a) * uniform(), as random.uniform computes it
        # Weight (kg), pieces and price (CNY) by mode, distance and cargo.
        if mode == Mode.EXPRESS:
            weight = min(math.exp(rng.gauss(LOG_PARCEL if small else LOG_EXPRESS, 1.0)), 60)
            if cargo == CargoType.DOCUMENTS:
                weight = 0.1 + 0.9 * uniform()
            first, extra = (
                (10, 2)
                if distance < 80
                else (12, 4)
                if distance < 600
                else (15, 6)
                if distance < 1300
                else (18, 8)
                if distance < 2200
                else (22, 12)
            )
            amount: float = first + max(0, math.ceil(weight) - 1) * extra
            days = 1 if distance < 600 else 2 if distance < 1600 else 3
            pieces = 1 if weight < 20 else 1 + int(weight / 20)
        elif mode == Mode.AIR:
            weight = min(math.exp(rng.gauss(LOG_AIR, 1.1)), 5_000)
            rate = (15 + distance / 1000 * 2) if abroad else (4 + distance / 1000 * 3.5)
            amount = max(200, weight * rate)
            days = 3 if abroad else 1 if distance < 1500 else 2
            pieces = 1 + int(weight / 25)
        elif mode == Mode.SEA:
            containers = 1 if rng.random() < 0.7 else _randint(rng, 2, 6)
            weight = containers * (8_000 + 16_000 * uniform())
            amount = containers * (1_200 + distance * (0.5 if abroad else 1.2))
            days = (14 + math.ceil(distance / 900)) if abroad else (4 + math.ceil(distance / 600))
            pieces = containers
        elif mode == Mode.RAIL:
            weight = 10_000 + 50_000 * uniform()
            amount = weight / 1000 * (0.16 * distance + 30)
            days = 2 + math.ceil(distance / 700)
            pieces = 1 + int(weight / 20_000)  # containers of about 20 t
        else:  # road and multimodal
            weight = min(math.exp(rng.gauss(LOG_ROAD, 1.1)), 32_000)
            weight = max(weight, 50)
            if weight >= 8_000:
                amount = max(800, distance * (2.5 + 0.15 * weight / 1000))
            else:
                amount = max(80, weight * (0.25 + distance / 1000 * 0.45))
            days = max(1, math.ceil(distance / 550)) + (0 if weight >= 8_000 else 1)
            if mode == Mode.MULTIMODAL:
                amount *= 0.85
                days += 2
            pieces = 1 + int(weight / (4_000 if cargo == CargoType.OVERSIZED else 500))  # pallets
        amount *= SURCHARGE.get(cargo, 1.0) * (0.9 + 0.22 * uniform())
        volume = weight / DENSITY.get(cargo, 250) * (0.8 + 0.45 * uniform())
        # Declared value: what the cargo is worth per kg, for the shippers who insure (most do for
        # anything but cheap general or bulk cargo).
        value_roll, declares = uniform(), DECLARES.get(cargo, 0.6)
        if value_roll < declares:  # whole hundreds of CNY, as shippers declare them
            hundreds = int(
                weight * VALUE_PER_KG.get(cargo, 30) * (0.3 + 1.7 * value_roll / declares) / 100 + 0.5
            )
            declared = f"{max(hundreds, 1)}00.00"
        else:
            declared = "0.00"
        # Times: booked in business hours; picked up within hours; promised by the end of the last
        # transit day. Deliveries run late more often in peaks, bad weather and for cold chain.
        clock = self.clock
        booked = clock.midnight[day] + BOOKING_HOUR_PICK.pick(rng) * 3600 + int(uniform() * 3600)
        promised = clock.midnight[day + days] + 18 * 3600
        pickup = booked + (1_800 + int(uniform() * (10_800 if mode == Mode.EXPRESS else 28_800)))
        roll = uniform()
        cancelled = roll < 0.01
        exception = not cancelled and roll < 0.01 + EXCEPTION_SHARE + clock.late_risk[day] / 4
        if exception:  # held up somewhere on the way: delivered late
            delivered = promised + _randint(rng, 120, 96 * 60) * 60
        else:
            punctual = 0.97 - clock.late_risk[day] - (0.03 if cargo == CargoType.COLD_CHAIN else 0.0)
            if uniform() < punctual:
                delivered = pickup + int((promised - pickup) * (0.45 + 0.54 * uniform()))
            else:
                delivered = promised + _randint(rng, 60, 72 * 60) * 60
        delivered = max(delivered, pickup + 1_800)
        as_of = clock.as_of
        reason = ""
        delivered_at: int | None = None
        picked_up: int | None = pickup
        recent = day >= clock.events_from
        if cancelled and not recent:
            status, picked_up = SHIPMENT_CANCELLED, None
        elif delivered <= as_of and not recent:
            status, delivered_at = SHIPMENT_DELIVERED, delivered  # history: timestamps only
        else:
            # Recent or still under way: the whole trail, cut at the seed's "now"; the last step
            # reached is the status, and the steps reached are the events.
            trail = self._trail(rng, lane, booked, pickup, delivered, cancelled, exception)
            reached = [step for step in trail if step[1] <= as_of]
            status, _at, _city, reason = reached[-1]
            if status == SHIPMENT_DELIVERED:
                delivered_at = delivered
            elif status in (SHIPMENT_BOOKED, SHIPMENT_CANCELLED):
                picked_up = None
            if events is not None:
                text = clock.text
                events.extend((position, step, text(at), city, why) for step, at, city, why in reached)
        booked_text = clock.text(booked)
        delivered_text = clock.text(delivered_at) if delivered_at is not None else None
        return (
            clock.waybill_prefix[day],
            booked_text,  # created when booked
            delivered_text or booked_text,  # last touched when delivered
            customer_id,
            lane.origin,
            lane.destination,
            mode,
            CARGO_CLASS.get(cargo, cargo),
            f"{max(weight, 0):.2f}",
            f"{max(volume, 0):.3f}",
            f"{max(amount, 0):.2f}",
            booked_text,
            clock.text(promised),
            delivered_text,
            (delivered_at <= promised) if delivered_at is not None else None,
            status,
            min(pieces, 9_999),
            declared,
            clock.text(picked_up) if picked_up is not None else None,
            reason,
        )

    @staticmethod
    def _trail(
        rng: random.Random,
        lane: Lane,
        booked: int,
        pickup: int,
        delivered: int,
        cancelled: bool,
        exception: bool,
    ) -> list[tuple[str, int, str, str]]:
        """(status, instant, city, reason) from booking to delivery, in time order, as the state
        machine of `shipments.services` allows it."""
        origin, destination = lane.origin, lane.destination
        if cancelled:
            return [(SHIPMENT_BOOKED, booked, origin, ""), (SHIPMENT_CANCELLED, booked + 1_800, origin, "")]
        span = delivered - pickup
        trail = [
            (SHIPMENT_BOOKED, booked, origin, ""),
            (SHIPMENT_PICKED_UP, pickup, origin, ""),
            (SHIPMENT_IN_TRANSIT, pickup + span // 10, origin, ""),
        ]
        if exception:
            held = pickup + int(span * (0.3 + 0.25 * rng.random()))
            where = origin if rng.random() < 0.4 else destination
            trail.append((SHIPMENT_EXCEPTION, held, where, EXCEPTION_PICK.pick(rng)))
            trail.append((SHIPMENT_IN_TRANSIT, held + span // 12, where, ""))
        trail += [
            (SHIPMENT_AT_HUB, pickup + span * 13 // 20, destination, ""),
            (SHIPMENT_OUT_FOR_DELIVERY, delivered - min(10_800, span // 10), destination, ""),
            (SHIPMENT_DELIVERED, delivered, destination, ""),
        ]
        return trail


def _cents(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


LOG_PARCEL, LOG_EXPRESS, LOG_AIR, LOG_ROAD = (math.log(kg) for kg in (1.5, 4, 80, 2_500))  # median weights
EVENT_DAYS = 45  # shipments booked in these last days (and every undelivered one) get event trails
EXCEPTION_SHARE = 0.015  # shipments held up on the way (weather, address, customs …), then delivered late
# Bulk, high-value and document cargo types of the customers' needs are handled as general cargo.
CARGO_CLASS = {
    CargoType.BULK: CargoType.GENERAL,
    CargoType.VALUABLE: CargoType.GENERAL,
    CargoType.DOCUMENTS: CargoType.GENERAL,
}
VALUE_PER_KG = _weights(
    "general:30 cold_chain:45 hazardous:18 fragile:150 oversized:60 bulk:3 valuable:900 documents:400"
)  # CNY per kg of cargo, median-ish
DECLARES = _weights(
    "general:0.55 cold_chain:0.8 hazardous:0.9 fragile:0.85 oversized:0.7 bulk:0.3 valuable:1 documents:0.2"
)  # share of shipments with a declared value
EXCEPTION_PICK = Weighted.of(
    {
        str(ExceptionReason.WEATHER.value): 30,
        str(ExceptionReason.ADDRESS.value): 20,
        str(ExceptionReason.CONSIGNEE_ABSENT.value): 18,
        str(ExceptionReason.VEHICLE.value): 12,
        str(ExceptionReason.CUSTOMS.value): 6,
        str(ExceptionReason.DAMAGED.value): 7,
        str(ExceptionReason.TEMPERATURE.value): 3,
        str(ExceptionReason.LOST.value): 1,
        str(ExceptionReason.OTHER.value): 3,
    }
)
SHIPMENT_CANCELLED = str(ShipmentStatus.CANCELLED.value)
SHIPMENT_EXCEPTION = str(ShipmentStatus.EXCEPTION.value)
SHIPMENT_DELIVERED = str(ShipmentStatus.DELIVERED.value)
SHIPMENT_BOOKED = str(ShipmentStatus.BOOKED.value)
SHIPMENT_PICKED_UP = str(ShipmentStatus.PICKED_UP.value)
SHIPMENT_IN_TRANSIT = str(ShipmentStatus.IN_TRANSIT.value)
SHIPMENT_AT_HUB = str(ShipmentStatus.AT_HUB.value)
SHIPMENT_OUT_FOR_DELIVERY = str(ShipmentStatus.OUT_FOR_DELIVERY.value)
SHIPMENT_FIELDS = (
    "waybill_no",
    "created_at",
    "updated_at",
    "customer_id",
    "origin_city",
    "destination_city",
    "mode",
    "cargo_type",
    "weight_kg",
    "volume_m3",
    "amount",
    "booked_at",
    "promised_at",
    "delivered_at",
    "on_time",
    "status",
    "pieces",
    "declared_value",
    "picked_up_at",
    "exception_reason",
)
# Where `shipment_rows` reads a generated row's figures from.
AT_WEIGHT, AT_AMOUNT, AT_BOOKED, AT_ON_TIME, AT_STATUS = (
    SHIPMENT_FIELDS.index(name) for name in ("weight_kg", "amount", "booked_at", "on_time", "status")
)
EVENT_FIELDS = ("shipment_id", "status", "at", "city", "reason", "created_at", "note")
MONTH_FIELDS = (
    "customer_id",
    "month",
    "shipments",
    "delivered",
    "on_time",
    "amount_cny",
    "weight_kg",
    "first_booked_at",
    "last_booked_at",
)


# --------------------------------------------------------------------------------------------------
# Rows: planned model instances as tuples of database-ready values
# --------------------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Rows for consecutive customers, made by a worker; the writer adds codes and numbers."""

    first_id: int
    customers: list[tuple[Any, ...]] = field(default_factory=list)  # without code and USCC
    prefixes: list[str] = field(default_factory=list)  # customer code prefix per customer
    uscc_heads: list[str] = field(default_factory=list)  # "" when the customer has no USCC
    addresses: list[tuple[Any, ...]] = field(default_factory=list)
    contacts: list[tuple[Any, ...]] = field(default_factory=list)
    needs: list[tuple[Any, ...]] = field(default_factory=list)
    tag_links: list[tuple[int, int]] = field(default_factory=list)
    shipments: list[tuple[Any, ...]] = field(default_factory=list)  # waybill date part first
    events: list[tuple[Any, ...]] = field(default_factory=list)  # shipment's position in the batch first
    months: list[tuple[Any, ...]] = field(default_factory=list)  # `MONTH_FIELDS`
    regions: Counter[tuple[str, str]] = field(default_factory=Counter)  # (province, month) -> shipments
    duplicates: list[tuple[int, int, str]] = field(default_factory=list)  # (id, original id, variations)


@dataclass
class Job:
    """What the workers need to make batches; set up before the fork so workers inherit it."""

    generator: DemoGenerator
    first_index: int
    first_id: int
    batch_size: int
    duplicates: float
    tag_ids: dict[str, int]
    started: dt.datetime
    customer_shape: TableShape
    address_shape: TableShape
    contact_shape: TableShape
    need_shape: TableShape

    def make_batches(self, start: int, stop: int) -> list[Batch]:
        """Batches for positions [start, stop): one name window or part of one, planned in order."""
        generator = self.generator
        candidates = {
            index: found
            for index in range(start, stop)
            if (found := generator.duplicate_candidates(index, start, self.duplicates))
        }
        # Originals are customers of their own, not duplicates themselves (no chains).
        candidates = {
            index: [position for position in found if position not in candidates]
            for index, found in candidates.items()
        }
        wanted = {position for found in candidates.values() for position in found}
        kept: dict[int, CustomerPlan] = {}
        batches: list[Batch] = []
        for batch_start in range(start, stop, self.batch_size):
            batch = Batch(first_id=self.first_id + batch_start - self.first_index)
            for index in range(batch_start, min(stop, batch_start + self.batch_size)):
                original = next(
                    (
                        kept[position]
                        for position in candidates.get(index, ())
                        if kept[position].customer.kind != CustomerKind.INTERNAL
                    ),
                    None,
                )
                customer_id = self.first_id + index - self.first_index
                if original is None:
                    plan = generator.plan(index)
                else:
                    plan, variations = generator.duplicate(index, original)
                    batch.duplicates.append((customer_id, original.customer.pk, variations))
                if index in wanted:
                    kept[index] = plan
                self.add(batch, plan, customer_id, index)
            batches.append(batch)
        return batches

    def add(self, batch: Batch, plan: CustomerPlan, customer_id: int, index: int) -> None:
        customer = plan.customer
        customer.pk = customer_id
        # Distinct creation times in filing order keep "latest first" lists stable.
        stamp = self.generator.clock.datetime_text(
            self.started + dt.timedelta(microseconds=index - self.first_index)
        )
        customer.__dict__["created_at"] = customer.__dict__["updated_at"] = stamp  # text, as stored
        batch.customers.append(self.customer_shape.row(customer))
        batch.prefixes.append(customer_code_prefix(customer.kind, customer.adcode))
        batch.uscc_heads.append(plan.uscc_head)
        children = {"customer_id": customer_id, "created_at": stamp, "updated_at": stamp}
        plan.address.__dict__.update(children)
        batch.addresses.append(self.address_shape.row(plan.address))
        for contact in plan.contacts:
            contact.__dict__.update(children)
            batch.contacts.append(self.contact_shape.row(contact))
        for need in plan.needs:
            need.__dict__.update(children)
            batch.needs.append(self.need_shape.row(need))
        batch.tag_links += [(customer_id, self.tag_ids[name]) for name in plan.tags]
        if plan.shipping:
            first_month = len(batch.months)
            self.generator.shipment_rows(
                customer_id, plan.shipping, batch.shipments, batch.events, batch.months
            )
            province = customer.province or ""
            for row in batch.months[first_month:]:
                batch.regions[(province, row[1])] += row[2]


_JOB: Job | None = None  # the job of this process (inherited by forked workers)


def _make_batches(start: int, stop: int) -> list[Batch]:
    assert _JOB is not None, "the job is set before the workers are forked"
    return _JOB.make_batches(start, stop)


def window_ranges(first: int, stop: int, window: int) -> Iterator[tuple[int, int]]:
    """[first, stop) cut at name-window boundaries: the unit of work that keeps names deterministic."""
    start = first
    while start < stop:
        end = min(stop, (start // window + 1) * window)
        yield start, end
        start = end


def produced_batches(job: Job, customers: int, workers: int) -> Iterator[Batch]:
    """The job's batches in order, made here or by `workers` forked processes.

    At most `workers + 1` windows are in flight, so a writer slower than its workers does not let
    finished windows pile up in memory.
    """
    global _JOB
    ranges = window_ranges(job.first_index, job.first_index + customers, job.generator.name_window)
    _JOB = job
    if workers <= 0 or "fork" not in multiprocessing.get_all_start_methods():
        for start, stop in ranges:
            yield from job.make_batches(start, stop)
        return
    crypto.key_ring()  # read the keys once, before the fork, so workers need no files
    for batches in forked_map(_make_batches, ranges, workers=workers, in_flight=workers):
        yield from batches


# --------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------


class Writer:
    """Writes batches: allocates codes, USCCs and waybill numbers, inserts the rows, and copies each
    new customer into its history table."""

    def __init__(self, job: Job, counts: DemoCounts, progress: ProgressCallback | None) -> None:
        self.job = job
        self.counts = counts
        self.progress = progress
        self.customer_fields = job.customer_shape.fields  # code and USCC first
        self.shipment_fields, self.shipment_tail = self._shipment_columns()
        self.history_sql = created_history_sql(Customer)
        self.history_stamp = job.generator.clock.datetime_text(job.started)
        self.links = Customer.tags.through

    @staticmethod
    def _shipment_columns() -> tuple[tuple[str, ...], tuple[Any, ...]]:
        """The generated shipment columns plus any others the model has, written with their default."""
        pk = Shipment._meta.pk
        others = [
            model_field
            for model_field in Shipment._meta.concrete_fields
            if model_field is not pk and model_field.attname not in SHIPMENT_FIELDS
        ]
        tail = tuple(
            model_field.get_db_prep_save(model_field.get_default(), connection) for model_field in others
        )
        return ("id", *SHIPMENT_FIELDS, *(model_field.attname for model_field in others)), tail

    def write(self, batch: Batch) -> None:
        counts = self.counts
        with transaction.atomic():
            first = allocate_blocks(Counter(batch.prefixes))
            heads = [head for head in batch.uscc_heads if head]
            usccs = iter(allocate_numbers(USCC_SEQUENCE, len(heads)) if heads else ())
            rows = []
            for prefix, head, row in zip(batch.prefixes, batch.uscc_heads, batch.customers, strict=True):
                number = first[prefix]
                first[prefix] = number + 1
                rows.append(
                    (
                        format_customer_code(prefix, number),
                        make_uscc(head, next(usccs)) if head else None,
                        *row,
                    )
                )
            insert_rows(Customer, self.customer_fields, rows)
            last_id = batch.first_id + len(rows) - 1
            with connection.cursor() as cursor:
                cursor.execute(
                    self.history_sql, [self.history_stamp, HISTORY_REASON, None, batch.first_id, last_id]
                )
            insert_rows(Address, self.job.address_shape.fields, batch.addresses)
            insert_rows(Contact, self.job.contact_shape.fields, batch.contacts)
            insert_rows(LogisticsNeed, self.job.need_shape.fields, batch.needs)
            insert_rows(self.links, ("customer_id", "tag_id"), batch.tag_links)
            if batch.shipments:
                numbers = allocate_numbers(WAYBILL_SEQUENCE, len(batch.shipments))
                first_shipment = reserve_ids(Shipment, len(batch.shipments))
                tail = self.shipment_tail
                insert_rows(
                    Shipment,
                    self.shipment_fields,
                    (
                        (shipment_id, f"{row[0]}{number:010d}", *row[1:], *tail)
                        for shipment_id, row, number in zip(
                            range(first_shipment, first_shipment + len(batch.shipments)),
                            batch.shipments,
                            numbers,
                            strict=True,
                        )
                    ),
                )
                insert_rows(
                    ShipmentEvent,
                    EVENT_FIELDS,
                    (
                        (first_shipment + position, status, at, city, reason, at, "")
                        for position, status, at, city, reason in batch.events
                    ),
                )
                insert_rows(CustomerShipmentMonth, MONTH_FIELDS, batch.months)
        counts.customers += len(rows)
        counts.history += len(rows)
        counts.addresses += len(batch.addresses)
        counts.contacts += len(batch.contacts)
        counts.needs += len(batch.needs)
        counts.shipments += len(batch.shipments)
        counts.extra["shipment_events"] = counts.extra.get("shipment_events", 0) + len(batch.events)
        counts.extra["shipment_months"] = counts.extra.get("shipment_months", 0) + len(batch.months)
        counts.regions.update(batch.regions)
        counts.duplicates += len(batch.duplicates)
        if self.progress:
            self.progress("customers", len(rows))
            self.progress("shipments", len(batch.shipments))


SEEDED_MODELS: tuple[type[models.Model], ...] = (
    Customer,
    Customer.history.model,
    Address,
    Contact,
    LogisticsNeed,
    Customer.tags.through,
    Shipment,
    ShipmentEvent,
    CustomerShipmentMonth,
)


def add_region_months(regions: Mapping[tuple[str, str], int]) -> None:
    """Add the seeded shipments per province and month to `RegionShipmentMonth` (a few hundred rows)."""
    wanted = {
        (province, dt.date.fromisoformat(month)): count
        for (province, month), count in regions.items()
        if count
    }
    if not wanted:
        return
    with transaction.atomic():
        months = {month for _province, month in wanted}
        existing = {
            (row.province, row.month): row
            for row in RegionShipmentMonth.objects.select_for_update().filter(month__in=months)
        }
        changed = []
        for key, count in wanted.items():
            if key in existing:
                existing[key].shipments += count
                changed.append(existing[key])
        RegionShipmentMonth.objects.bulk_update(changed, ["shipments"], batch_size=1_000)
        RegionShipmentMonth.objects.bulk_create(
            [
                RegionShipmentMonth(province=province, month=month, shipments=count)
                for (province, month), count in wanted.items()
                if (province, month) not in existing
            ],
            batch_size=1_000,
        )


def _secondary_index_statements(model: type[models.Model]) -> tuple[list[str], list[str], list[str]]:
    """(drop, create, create last) statements for the indexes and constraints of `model`'s table
    that a bulk load can do without: everything but the primary key, checks, unique column
    constraints SQLite cannot drop, and unique constraints that a foreign key elsewhere relies on."""
    table = model._meta.db_table
    drop: list[str] = []
    create: list[str] = []
    create_last: list[str] = []  # foreign keys: validated once the rows they check are in
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT c.conname, c.contype, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.conrelid = %s::regclass AND c.contype IN ('f', 'u')
                  AND NOT (c.contype = 'u' AND EXISTS (
                      SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid))
                ORDER BY c.conname
                """,
                [quote_name(table)],
            )
            for name, kind, definition in cursor.fetchall():
                drop.insert(
                    0 if kind == "f" else len(drop),
                    f"ALTER TABLE {quote_name(table)} DROP CONSTRAINT {quote_name(name)}",
                )
                (create_last if kind == "f" else create).append(
                    f"ALTER TABLE {quote_name(table)} ADD CONSTRAINT {quote_name(name)} {definition}"
                )
            cursor.execute(
                """
                SELECT index_class.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class index_class ON index_class.oid = i.indexrelid
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                ORDER BY index_class.relname
                """,
                [quote_name(table)],
            )
            for name, definition in cursor.fetchall():
                drop.append(f"DROP INDEX {quote_name(name)}")
                create.append(definition)
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                [table],
            )
            for name, definition in cursor.fetchall():
                drop.append(f"DROP INDEX {quote_name(name)}")
                create.append(definition)
    return drop, create, create_last


@contextmanager
def indexes_built_after(
    seeded: Sequence[type[models.Model]], progress: ProgressCallback | None = None
) -> Iterator[None]:
    """Drop the secondary indexes and constraints of `seeded` tables, and build them again after the
    body. Call it inside a transaction: if the body fails, the rollback brings them back as they
    were (both databases change their schema transactionally), so nothing is ever left without them.
    """
    assert connection.in_atomic_block, "indexes are dropped only inside the load's transaction"
    statements = [_secondary_index_statements(model) for model in seeded]
    with connection.cursor() as cursor:
        for drop, _create, _last in statements:
            for statement in drop:
                cursor.execute(statement)
    yield
    rebuild = [sql for _drop, create, _last in statements for sql in create]
    rebuild += [sql for _drop, _create, last in statements for sql in last]
    if progress:
        progress("indexes", 0, total=len(rebuild))
    with connection.cursor() as cursor:
        for statement in rebuild:
            cursor.execute(statement)
            if progress:
                progress("indexes", 1)


def tables_empty(seeded: Iterable[type[models.Model]]) -> bool:
    return not any(model._default_manager.exists() for model in seeded)


BULK_LOAD_SETTINGS = {
    "sqlite": (
        "PRAGMA journal_mode = TRUNCATE",
        "PRAGMA synchronous = OFF",
        "PRAGMA cache_size = -1048576",
        "PRAGMA temp_store = MEMORY",
    ),
    "postgresql": ("SET synchronous_commit TO off", "SET maintenance_work_mem TO '512MB'"),
}


@contextmanager
def tuned_for_bulk_load() -> Iterator[None]:
    """Session settings for one big load, put back afterwards.

    SQLite: a rollback journal instead of the WAL (a load of gigabytes in one transaction would go
    through the WAL file twice, and every page it wrote would be read back through the WAL's index
    when the indexes are built; new pages need no rollback journal at all), no fsync per commit
    (`synchronous=OFF`: a power cut during the seed can lose it, a crash of the process cannot
    corrupt the file), a 1 GiB page cache for the random-order index inserts of codes and UUIDs,
    and sorts in memory for the index builds. The journal mode only changes when no other
    connection has the file open; otherwise the load runs in WAL mode. PostgreSQL: commits without
    waiting for the WAL flush, and more memory for index builds. A connection opened meanwhile
    (the search index closes the connection before it forks its workers) gets them too. Not
    applied inside an outer transaction (tests), where SQLite would refuse some of them.
    """
    if connection.in_atomic_block:
        yield
        return
    vendor, alias = connection.vendor, connection.alias
    statements = BULK_LOAD_SETTINGS.get(vendor, ())
    saved: dict[str, str] = {}
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            for pragma in ("journal_mode", "synchronous", "cache_size", "temp_store"):
                cursor.execute(f"PRAGMA {pragma}")
                saved[pragma] = str(cursor.fetchone()[0])
        for statement in statements:
            cursor.execute(statement)

    def tune(sender: Any, connection: Any, **kwargs: Any) -> None:
        if connection.alias == alias:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)

    connection_created.connect(tune)
    try:
        yield
    finally:
        connection_created.disconnect(tune)
        with connection.cursor() as cursor:  # a new cursor: the connection may have been reopened
            if vendor == "sqlite":
                for pragma, value in saved.items():
                    cursor.execute(f"PRAGMA {pragma} = {value}")
            elif vendor == "postgresql":
                cursor.execute("RESET synchronous_commit")
                cursor.execute("RESET maintenance_work_mem")


ANALYSIS_LIMIT = 20_000  # SQLite: rows sampled per index by ANALYZE (0 would read every row)


def analyze(seeded: Iterable[type[models.Model]]) -> None:
    """Give the query planners statistics for the freshly filled tables.

    PostgreSQL also vacuums, which sets the visibility map for index-only scans (not possible
    inside a transaction). SQLite samples each index (`analysis_limit`) instead of reading tens of
    millions of rows: the planner needs proportions, not exact counts.
    """
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        for model in seeded:
            table = quote_name(model._meta.db_table)
            cursor.execute(f"VACUUM ANALYZE {table}" if vacuum else f"ANALYZE {table}")


def ensure_tags() -> dict[str, Tag]:
    tags = {}
    for name, description in TAGS.items():
        tags[name], _created = Tag.objects.get_or_create(name=name, defaults={"description": description})
    return tags


def _resolve_truth(pairs: list[tuple[int, int, str]]) -> list[tuple[str, str, str]]:
    """(duplicate code, original code, variations) for (id, original id, variations)."""
    ids = sorted({customer_id for pair in pairs for customer_id in pair[:2]})
    codes: dict[int, str] = {}
    for chunk in _chunks(ids, 5_000):
        codes.update(Customer.objects.filter(pk__in=chunk).values_list("pk", "code"))
    return [(codes[duplicate], codes[original], variations) for duplicate, original, variations in pairs]


def write_truth(path: Path, truth: Sequence[tuple[str, str, str]]) -> None:
    """The planted near-duplicates as CSV (UTF-8): duplicate code, original code, variations."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(("duplicate_code", "original_code", "variations"))
        writer.writerows(truth)


def generate(
    *,
    customers: int,
    seed: int,
    years: int = 2,
    today: dt.date | None = None,
    owners: Sequence[int] = (),
    first_index: int = 0,
    batch_size: int = 1_000,
    progress: ProgressCallback | None = None,
    duplicates: float = 0.0,
    workers: int = 0,
    name_window: int = NAME_WINDOW,
    build_indexes_after: bool | None = None,
) -> DemoCounts:
    """File `customers` demo customers with shipments over the last `years` years up to `today`.

    `owners` are the user ids of the account managers to spread customers over (about 5% get none).
    `first_index` offsets the per-customer random streams: pass the number of customers already
    generated to add different customers to an existing demo database. `duplicates` is the share
    of customers planted as near-duplicates of customers filed shortly before (see `DemoCounts.truth`).
    `workers` processes plan customers while this one writes (0: plan here too).
    `build_indexes_after` loads in one transaction with indexes built at the end; by default when
    the archive's tables are empty and at least `BIG_LOAD` customers are asked for.
    """
    counts = DemoCounts()
    started = time.monotonic()
    tags = ensure_tags()
    counts.tags = len(tags)
    generator = DemoGenerator(
        seed=seed, today=today or timezone.localdate(), years=years, owners=owners, name_window=name_window
    )
    clock = generator.clock
    job = Job(
        generator=generator,
        first_index=first_index,
        first_id=0,
        batch_size=max(1, batch_size),
        duplicates=duplicates,
        tag_ids={name: tag.pk for name, tag in tags.items()},
        started=timezone.now(),
        customer_shape=TableShape(Customer, clock, leading=("code", "uscc"), write_pk=True),
        address_shape=TableShape(Address, clock),
        contact_shape=TableShape(Contact, clock),
        need_shape=TableShape(LogisticsNeed, clock),
    )
    writer = Writer(job, counts, progress)
    pairs: list[tuple[int, int, str]] = []

    def load() -> None:
        job.first_id = counts.first_customer_id = reserve_ids(Customer, customers)
        batches = produced_batches(job, customers, workers)
        waited = 0.0  # the writer waiting for planned batches: the workers are the bottleneck
        while True:
            asked = time.monotonic()
            batch = next(batches, None)
            waited += time.monotonic() - asked
            if batch is None:
                break
            writer.write(batch)
            pairs.extend(batch.duplicates)
        add_region_months(counts.regions)
        counts.timings["rows"] = time.monotonic() - started
        counts.timings["waiting_for_plans"] = waited

    if build_indexes_after is None:
        build_indexes_after = customers >= BIG_LOAD and tables_empty(SEEDED_MODELS)
    if build_indexes_after:
        with transaction.atomic():
            if not tables_empty(SEEDED_MODELS):
                raise ValueError("indexes are rebuilt only around a load into empty tables")
            with indexes_built_after(SEEDED_MODELS, progress):
                load()
        counts.timings["indexes"] = time.monotonic() - started - counts.timings["rows"]
    else:
        load()
    counts.truth = _resolve_truth(pairs)
    return counts
