"""Deterministic demo data for the customer archive: realistic Chinese logistics customers.

`generate(customers=N, seed=S)` files N customers with their primary address, contacts, logistics
needs, tags and history, and the shipments of the last `years` years. The same seed and the same
`today` give the same data on an empty database: every customer draws from its own
`random.Random` derived from the seed and its position, so the output does not depend on the batch
size. Codes, USCCs and waybill numbers come from `core.models.allocate_numbers`, so they stay unique
and carry on when the generator runs again on a database that already holds data.

Rows are written with `bulk_create` in batches, one transaction per batch of customers, and shipments
are streamed in chunks: memory stays flat however many customers are asked for.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate, islice
from typing import TypeVar

import phonenumbers
from django.db import transaction
from django.utils import timezone
from pypinyin import lazy_pinyin
from simple_history.utils import bulk_create_with_history
from stdnum.cn import ric, uscc

from freightcrm.core import regions
from freightcrm.core.models import allocate_numbers
from freightcrm.core.validators import LANDLINE_TYPES, MOBILE_TYPES
from freightcrm.customers import choices
from freightcrm.customers.choices import (
    CargoType,
    Channel,
    ContactRole,
    CustomerKind,
    Mode,
    Status,
    Temperature,
)
from freightcrm.customers.models import Address, Contact, Customer, LogisticsNeed, Tag
from freightcrm.customers.services import customer_code_prefix, format_customer_code
from freightcrm.shipments.choices import ShipmentStatus
from freightcrm.shipments.models import Shipment

T = TypeVar("T")
ProgressCallback = Callable[[str, int], None]

USCC_SEQUENCE = "demo:uscc"
WAYBILL_SEQUENCE = "demo:waybill"
WAYBILL_PREFIX = "FC"
HISTORY_REASON = "演示数据"
NAME_WINDOW = 10_000  # names are kept unique within each run of this many customers (bounded memory)
SHIPMENT_CHUNK = 2_000


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


Ind = choices.Industry
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
BOOKING_HOUR_CUMULATIVE = tuple(accumulate((5, 12, 14, 12, 5, 7, 12, 13, 12, 8, 4, 2)))
# fmt: on


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------


def _pick(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _money(value: float) -> Decimal:
    return Decimal(f"{max(value, 0):.2f}")


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


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


def person_pinyin(surname: str, given: str) -> str:
    return SURNAME_PINYIN.get(surname, pinyin(surname)) + pinyin(given)


def person(rng: random.Random, gender: str | None = None) -> tuple[str, str, str]:
    """(surname, given name, gender)."""
    gender = gender or rng.choice((choices.Gender.MALE, choices.Gender.FEMALE))
    surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
    given = rng.choice(MALE_NAMES if gender == choices.Gender.MALE else FEMALE_NAMES)
    return surname, given, gender


def mobile(rng: random.Random) -> str:
    """A valid mainland mobile number in E.164 (`+8613812345678`)."""
    while True:
        number = f"{_pick(rng, MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"
        parsed = phonenumbers.parse(number, "CN")
        if phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in MOBILE_TYPES:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def landline(rng: random.Random, city: CitySpec) -> str:
    """A valid landline of `city` (its area code, its number length) in E.164."""
    while True:
        local = f"{rng.randint(2, 8)}{rng.randrange(10 ** (city.local_digits - 1)):0{city.local_digits - 1}d}"
        parsed = phonenumbers.parse(f"{city.area_code}{local}", "CN")
        if phonenumbers.is_valid_number(parsed) and phonenumbers.number_type(parsed) in LANDLINE_TYPES:
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def organisation_code(number: int) -> str:
    """A 9-character organisation code (GB 11714: 8 digits and a check character) from a sequence number.

    An affine map modulo 10^8 (its factor is coprime to 10) scatters consecutive numbers while
    keeping them distinct.
    """
    body = f"{(number * 48_271_109 + 20_160_917) % 10**8:08d}"
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(char) * weight for char, weight in zip(body, weights, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(head: str, number: int) -> str:
    """`head` is registration authority, entity type and region (8 digits); `number` makes it unique."""
    first17 = head + organisation_code(number)
    return first17 + uscc.calc_check_digit(first17)


@lru_cache(maxsize=16_384)
def _id_region_valid(adcode: str, year: int) -> bool:
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
    sex = rng.randrange(1, 10, 2) if gender == choices.Gender.MALE else rng.randrange(0, 10, 2)
    first17 = f"{region}{birth:%Y%m%d}{rng.randrange(100):02d}{sex}"
    return first17 + ric.calc_check_digit(first17 + "0")


# --------------------------------------------------------------------------------------------------
# Seasonality
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
        target = rng.uniform(sums[first], sums[last])
        return min(max(bisect.bisect_right(sums, target) - 1, first), last - 1)


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

    @property
    def distance(self) -> float:
        return distance_km(self.origin, self.destination)

    @property
    def abroad(self) -> bool:
        return self.destination in ABROAD


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
    contacts: list[Contact] = field(default_factory=list)
    needs: list[LogisticsNeed] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    uscc_head: str = ""
    shipping: ShippingProfile | None = None


@dataclass
class DemoCounts:
    customers: int = 0
    contacts: int = 0
    addresses: int = 0
    needs: int = 0
    shipments: int = 0
    tags: int = 0
    history: int = 0


class DemoGenerator:
    """Plans customers one by one (pure Python, no database) and writes them in batches."""

    def __init__(self, *, seed: int, today: dt.date, years: int = 2, owners: Sequence[int] = ()) -> None:
        self.seed = seed
        self.today = today
        self.years = years
        self.owners = list(owners)
        self.tz = timezone.get_current_timezone()
        self.as_of = dt.datetime.combine(today, dt.time.min, tzinfo=self.tz)
        self.calendar = Calendar.build(today, years)
        self.districts = city_districts()
        self.city_weights = [city.weight for city in CITIES]
        self._destinations: dict[str, tuple[list[str], list[float]]] = {}
        for origin in [*CITY_BY_LANE, *ABROAD]:
            others = [city for city in CITIES if city.lane_name != origin]
            self._destinations[origin] = (
                [city.lane_name for city in others],
                list(accumulate(city.weight for city in others)),
            )
        self._names: set[str] = set()
        self._name_window = -1

    # -- drawing helpers ---------------------------------------------------------------------------

    def rng_for(self, index: int) -> random.Random:
        return random.Random(f"freightcrm-demo:{self.seed}:{index}")

    def draw_city(self, rng: random.Random) -> CitySpec:
        return rng.choices(CITIES, weights=self.city_weights)[0]

    def draw_destination(self, rng: random.Random, origin: str) -> str:
        """Another major city, weighted like the customers (more traffic to the big hubs)."""
        cities, cumulative = self._destinations[origin]
        return rng.choices(cities, cum_weights=cumulative)[0]

    def draw_district(self, rng: random.Random, city: CitySpec) -> District:
        districts, weights = self.districts[city.name]
        return rng.choices(districts, weights=weights)[0]

    def unique_name(self, index: int, make: Callable[[int], str]) -> str:
        window = index // NAME_WINDOW
        if window != self._name_window:
            self._names.clear()
            self._name_window = window
        for attempt in range(12):
            name = make(attempt)
            if name not in self._names:
                break
        self._names.add(name)
        return name

    def street(self, rng: random.Random, organisation: bool) -> str:
        road = rng.choice(ROAD_ROOTS) + _pick(rng, ROAD_KINDS)
        number = min(int(rng.paretovariate(1.1) * 8), 1999)
        text = f"{road}{number}号"
        roll = rng.random()
        if organisation:
            if roll < 0.25:
                text += f"{rng.randint(1, 12)}号楼{rng.randint(1, 20)}{rng.randint(1, 30):02d}室"
            elif roll < 0.45:
                text += f"{rng.choice('ABCDE')}座{rng.randint(2, 28)}层"
            elif roll < 0.65:
                text += f"{rng.choice(PARKS)}{rng.randint(1, 30)}号厂房"
        else:
            building, unit = rng.randint(1, 30), rng.randint(1, 4)
            text += f"{rng.choice(ESTATES)}{building}栋{unit}单元{rng.randint(1, 33)}0{rng.randint(1, 6)}室"
        return text

    def address(self, rng: random.Random, district: District, organisation: bool) -> Address:
        detail = self.street(rng, organisation)
        if district.city.towns:
            detail = rng.choice(district.city.towns) + detail
        head = (
            district.province
            if district.province == district.city_name
            else district.province + district.city_name
        )
        return Address(
            kind=choices.AddressKind.REGISTERED if organisation else choices.AddressKind.HOME,
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
        initials = "".join(syllable[0] for syllable in lazy_pinyin(city.name))
        return f"{initials}{pinyin(brand)}.cn"

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
            mailbox = f"{handle}{rng.randint(1, 99)}"
        used.add(mailbox)
        birthday = (
            _date_between(rng, dt.date(1965, 1, 1), dt.date(2000, 12, 31)) if rng.random() < 0.7 else None
        )
        contact = Contact(
            name=surname + given,
            title=rng.choice(titles.get(role) or TITLES[role]),
            role=role,
            mobile=mobile(rng) if rng.random() < 0.95 else "",
            phone=landline(rng, city) if rng.random() < 0.5 else "",
            email=f"{mailbox}@{domain}" if rng.random() < 0.8 else "",
            wechat=(
                f"{handle}{rng.randint(60, 99)}" if rng.random() < 0.5 else f"{handle}_{rng.randint(1, 999)}"
            )
            if rng.random() < 0.55
            else "",
            birthday=birthday,
            is_primary=primary,
            notes=rng.choice(CONTACT_NOTES) if rng.random() < 0.15 else "",
        )
        if not (contact.mobile or contact.phone or contact.email or contact.wechat):
            contact.mobile = mobile(rng)  # the archive wants at least one way to reach a contact
        return contact

    # -- one customer ------------------------------------------------------------------------------

    def plan(self, index: int) -> CustomerPlan:
        rng = self.rng_for(index)
        kind = _pick(
            rng,
            {
                CustomerKind.ENTERPRISE: 70,
                CustomerKind.INDIVIDUAL: 15,
                CustomerKind.PARTNER: 7,
                CustomerKind.INSTITUTION: 5,
                CustomerKind.INTERNAL: 3,
            },
        )
        status = _pick(
            rng,
            {
                Status.ACTIVE: 66,
                Status.PROSPECT: 14,
                Status.DORMANT: 10,
                Status.LOST: 8,
                Status.BLACKLISTED: 2,
            },
        )
        if kind == CustomerKind.INTERNAL:
            status = Status.ACTIVE if rng.random() < 0.9 else Status.DORMANT
        city = self.draw_city(rng)
        district = self.draw_district(rng, city)
        customer = Customer(
            uid=uuid.UUID(int=rng.getrandbits(128), version=4),
            kind=kind,
            status=status,
            province=district.province,
            city=district.city_name,
            district=district.name,
            adcode=district.adcode,
        )
        if self.owners and rng.random() >= 0.05:
            customer.owner_id = rng.choices(
                self.owners, weights=[1 + (i % 3) * 0.5 for i in range(len(self.owners))]
            )[0]
        plan = CustomerPlan(
            customer=customer, address=self.address(rng, district, kind != CustomerKind.INDIVIDUAL)
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
        customer.occupation = rng.choice(OCCUPATIONS)
        customer.income_band = _pick(rng, {"low": 30, "middle": 50, "high": 20})
        customer.mobile = mobile(rng)
        if rng.random() < 0.4:
            handle = person_pinyin(surname, given)
            customer.email = (
                f"{rng.randint(10_000_000, 3_999_999_999)}@qq.com"
                if rng.random() < 0.4
                else f"{handle}{birth:%y}@{rng.choice(MAIL_DOMAINS)}"
            )
        customer.preferred_channels = rng.sample(
            [Channel.WECHAT, Channel.PHONE, Channel.SMS], k=rng.randint(1, 2)
        )
        customer.preferred_contact_time = rng.choice(PERSON_CONTACT_TIMES)
        return INDIVIDUAL_PROFILE

    def _organisation(
        self, rng: random.Random, index: int, plan: CustomerPlan, city: CitySpec, district: District
    ) -> IndustrySpec:
        customer = plan.customer
        kind = customer.kind
        brand = ""
        if kind == CustomerKind.INSTITUTION:
            industry: str = choices.Industry.PUBLIC
            profile = INDUSTRIES[industry]
            template, abbr = rng.choice(INSTITUTIONS)
            customer.name = self.unique_name(
                index,
                lambda attempt: (
                    template.format(
                        city=city.name, n=NUMERALS[min(attempt, 8)] if attempt else rng.choice(NUMERALS[:6])
                    )
                    + (f"（{district.name or city.name}院区）" if attempt >= 3 and abbr == "hosp" else "")
                ),
            )
            customer.short_name = customer.name.replace(f"{city.name}市", city.name)[:60]
            initials = "".join(syllable[0] for syllable in lazy_pinyin(customer.short_name.split("（")[0]))
            domain = f"{initials}.edu.cn" if abbr == "edu" else f"{initials}.org.cn"
            customer.size = _pick(rng, {choices.CompanySize.MEDIUM: 50, choices.CompanySize.LARGE: 50})
            customer.ownership = choices.Ownership.PUBLIC_INSTITUTION
            head = "12"
        elif kind == CustomerKind.INTERNAL:
            industry, profile = choices.Industry.LOGISTICS, INTERNAL_PROFILE
            area = AREA_OF_PROVINCE.get(district.adcode[:2], "华东")
            customer.name = self.unique_name(
                index,
                lambda attempt: (
                    rng.choice(INTERNAL_NAMES).format(city=city.name, area=area)
                    + (f"（{district.short}）" if attempt >= 4 and district.short else "")
                ),
            )
            customer.short_name = customer.name.removeprefix("本公司")[:60]
            domain = "fc-logistics.com.cn"
            head = "91"
        else:
            if kind == CustomerKind.PARTNER:
                industry = choices.Industry.LOGISTICS
                words = PARTNER_WORDS
            else:
                industry = _pick(rng, ENTERPRISE_INDUSTRIES)
                words = INDUSTRIES[industry].words
            profile = INDUSTRIES[industry]
            customer.size = _pick(
                rng,
                {
                    choices.CompanySize.MICRO: 15,
                    choices.CompanySize.SMALL: 40,
                    choices.CompanySize.MEDIUM: 32,
                    choices.CompanySize.LARGE: 13,
                },
            )
            suffixes = dict(SUFFIXES)
            if customer.size != choices.CompanySize.LARGE:
                suffixes.pop("集团有限公司")
            suffix = _pick(rng, suffixes)
            word, short_word = rng.choice(words)

            def company(attempt: int) -> str:
                nonlocal brand
                if rng.random() < 0.18:
                    brand = rng.choice(city.brands)
                else:
                    first = rng.choice(FIRST_SYLLABLES)
                    brand = first + rng.choice(SECOND_SYLLABLES.replace(first, ""))
                return f"{city.name}{brand}{word}{suffix}"

            customer.name = self.unique_name(index, company)
            customer.short_name = f"{brand}{short_word}"
            domain = self.domain(rng, brand, city, profile.domain)
            customer.ownership = _pick(
                rng,
                {
                    choices.Ownership.PRIVATE: 65,
                    choices.Ownership.FOREIGN: 8,
                    choices.Ownership.JOINT: 6,
                    choices.Ownership.STATE: 12 if customer.size in ("medium", "large") else 2,
                    choices.Ownership.COLLECTIVE: 2,
                    choices.Ownership.INDIVIDUAL_BUSINESS: 7 if customer.size == "micro" else 0,
                },
            )
            head = "91" if customer.ownership != choices.Ownership.INDIVIDUAL_BUSINESS else "92"
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
            value = math.exp(rng.uniform(low, high))
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
            items = rng.sample(profile.scope, k=min(len(profile.scope), rng.randint(2, 4)))
            customer.business_scope = (
                "一般项目："
                + "；".join(items)
                + "。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
            )
        customer.phone = landline(rng, city) if rng.random() < 0.9 else ""
        if rng.random() < 0.7:
            customer.email = f"{rng.choice(('info', 'service', 'sales', 'logistics', 'admin'))}@{domain}"
        if rng.random() < 0.3:
            customer.mobile = mobile(rng)
        channels = [Channel.WECHAT, Channel.PHONE, Channel.EMAIL, Channel.VISIT, Channel.PORTAL]
        if size == choices.CompanySize.LARGE:
            channels.append(Channel.EDI)
        customer.preferred_channels = rng.sample(channels, k=rng.randint(1, 3))
        customer.preferred_contact_time = rng.choice(CONTACT_TIMES)

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
        roles += rng.sample(others, k=rng.randint(*count) - 1)
        titles = INSTITUTION_TITLES if customer.kind == CustomerKind.INSTITUTION else TITLES
        used: set[str] = set()
        for position, role in enumerate(roles):
            plan.contacts.append(self.contact(rng, role, titles, city, domain, used, primary=position == 0))
        bosses = [c for c in plan.contacts if c.role == ContactRole.DECISION_MAKER]
        if bosses and customer.legal_representative and rng.random() < 0.5:
            customer.legal_representative = bosses[0].name

    # -- business, finance, needs, shipments -------------------------------------------------------

    def _per_year(self, rng: random.Random, customer: Customer) -> float:
        """Shipments per year: heavy-tailed, growing with company size."""
        if customer.kind == CustomerKind.INDIVIDUAL:
            return rng.expovariate(1 / 2.5)
        median: float = {"micro": 4, "small": 9, "medium": 26, "large": 90}.get(customer.size, 20)
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
                needs = rng.randint(1, 3)
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
        customer.main_cargo = rng.choice(profile.main_cargo)
        main_mode = plan.needs[0].mode if plan.needs else Mode.EXPRESS
        customer.annual_volume_tonnes = _money(per_year * MODE_WEIGHT[main_mode] * rng.uniform(0.8, 1.25))
        if organisation:
            customer.annual_logistics_spend = _money(
                per_year * MODE_AMOUNT[main_mode] * rng.uniform(0.8, 1.3) / 1e4
            )
            if kind != CustomerKind.INTERNAL:
                customer.competitors = "、".join(rng.sample(COMPETITORS, k=rng.randint(1, 3)))
            area = AREA_OF_PROVINCE.get(district.adcode[:2], "华东")
            served = [
                BLOCS.get(district.adcode[:2], f"{area}地区"),
                f"{area}地区",
                "全国",
                f"{city.name}及周边",
            ]
            if customer.size == choices.CompanySize.LARGE:
                customer.regions_served = "全国" + ("、东南亚、欧美" if profile.abroad else "")
            else:
                customer.regions_served = "、".join(dict.fromkeys(rng.sample(served, k=rng.randint(1, 2))))
                if profile.abroad and rng.random() < 0.4:
                    customer.regions_served += "、东南亚"
            if kind != CustomerKind.INTERNAL:
                customer.development_potential = _pick(
                    rng,
                    {
                        "high": 40 if customer.size in ("medium", "large") else 15,
                        "medium": 45,
                        "low": 30 if status in (Status.LOST, Status.BLACKLISTED) else 15,
                    },
                )
        else:
            customer.development_potential = _pick(rng, {"medium": 30, "low": 70})
        self._finance(rng, plan, city, district)
        self._tags(rng, plan, profile, per_year)
        self._remarks(rng, plan, district)
        # Shipments happen only with customers who have (had) business with us.
        if status in (Status.ACTIVE, Status.DORMANT, Status.LOST) and customer.cooperation_since:
            first = self.calendar.index(customer.cooperation_since)
            last = self.calendar.days
            if status == Status.LOST:
                last = self.calendar.index(today - dt.timedelta(days=rng.randint(90, 420)))
            elif status == Status.DORMANT:
                last = self.calendar.index(today - dt.timedelta(days=rng.randint(60, 180)))
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
        mode = _pick(rng, profile.modes)
        cargo = _pick(rng, profile.cargo)
        if cargo == CargoType.HAZARDOUS and mode in (Mode.AIR, Mode.EXPRESS):
            mode = Mode.ROAD
        home = city if rng.random() < 0.85 or kind == CustomerKind.INDIVIDUAL else self.draw_city(rng)
        origin = home.lane_name
        if mode == Mode.SEA:
            origin = nearest_port(home).lane_name
            if profile.abroad and rng.random() < 0.6:
                destination = rng.choice(list(ABROAD))
            else:
                destination = rng.choice([p.lane_name for p in PORTS if p.lane_name != origin])
        elif mode == Mode.AIR and profile.abroad and rng.random() < 0.3:
            destination = rng.choice(list(ABROAD))
        elif mode in (Mode.WAREHOUSING,) or (mode in (Mode.EXPRESS, Mode.ROAD) and rng.random() < 0.1):
            destination = origin  # same-city distribution
        else:
            destination = self.draw_destination(rng, origin)
        temperature: str = Temperature.AMBIENT
        if cargo == CargoType.COLD_CHAIN:
            if (
                profile is INDUSTRIES[choices.Industry.PHARMA]
                or profile is INDUSTRIES[choices.Industry.PUBLIC]
            ):
                temperature = _pick(
                    rng, {Temperature.CHILLED: 70, Temperature.CONTROLLED: 20, Temperature.DEEP_FROZEN: 10}
                )
            else:
                temperature = _pick(
                    rng, {Temperature.CHILLED: 55, Temperature.FROZEN: 40, Temperature.DEEP_FROZEN: 5}
                )
        elif cargo == CargoType.VALUABLE and rng.random() < 0.2:
            temperature = Temperature.CONTROLLED
        frequency = FREQUENCIES.get(mode, FREQUENCIES[""])
        if profile is INDUSTRIES[choices.Industry.AGRICULTURE] or (
            profile is INDUSTRIES[choices.Industry.FRESH] and rng.random() < 0.3
        ):
            frequency = {"seasonal": 70, "weekly": 30}
        if kind == CustomerKind.INDIVIDUAL:
            frequency = {"ad_hoc": 70, "monthly": 30}
        if kind == CustomerKind.INDIVIDUAL:
            unit, volume = "pieces", rng.uniform(5, 300)
        elif mode == Mode.EXPRESS or cargo == CargoType.DOCUMENTS:
            unit, volume = "pieces", math.exp(rng.uniform(math.log(500), math.log(200_000)))
        elif mode == Mode.SEA:
            unit, volume = "teu", rng.uniform(10, 600)
        elif mode == Mode.WAREHOUSING:
            unit, volume = rng.choice(("pallets", "m3")), rng.uniform(200, 8_000)
        elif mode == Mode.AIR:
            unit, volume = "t", rng.uniform(1, 300)
        else:
            unit, volume = "t", math.exp(rng.uniform(math.log(20), math.log(30_000)))
        if cargo == CargoType.COLD_CHAIN and mode == Mode.ROAD and rng.random() < 0.5:
            unit, volume = "pallets", rng.uniform(100, 20_000)
        volume = round(volume, -1) if volume > 100 else round(volume)
        need = LogisticsNeed(
            mode=mode,
            origin_city=origin,
            destination_city=destination,
            cargo_type=cargo,
            temperature=temperature,
            packaging=rng.choice(PACKAGING[cargo]),
            delivery_window=rng.choice(DELIVERY_WINDOWS),
            frequency=_pick(rng, frequency),
            annual_volume=Decimal(volume),
            volume_unit=unit,
            notes=rng.choice(NEED_NOTES.get(cargo, NEED_NOTES[""])) if rng.random() < 0.3 else "",
        )
        lane = Lane(
            origin,
            destination,
            Mode.ROAD if mode == Mode.WAREHOUSING else mode,
            cargo,
            weight=rng.uniform(0.5, 3),
        )
        return need, lane

    def _finance(self, rng: random.Random, plan: CustomerPlan, city: CitySpec, district: District) -> None:
        customer = plan.customer
        kind, status = customer.kind, customer.status
        if kind == CustomerKind.INDIVIDUAL:
            customer.payment_terms = _pick(rng, {"prepaid": 40, "per_shipment": 40, "cod": 20})
            return
        if kind == CustomerKind.INTERNAL:
            customer.payment_terms = choices.PaymentTerms.MONTHLY
            return
        if status == Status.PROSPECT:
            if rng.random() < 0.3:
                customer.payment_terms = _pick(rng, {"monthly": 50, "per_shipment": 50})
        elif status == Status.BLACKLISTED:
            customer.credit_grade = _pick(rng, {"C": 70, "B": 30})
            customer.credit_limit = Decimal(0)
            customer.payment_terms = choices.PaymentTerms.PREPAID
        else:
            grades = dict(GRADES)
            if status == Status.LOST:
                grades = {"BBB": 40, "BB": 35, "B": 20, "A": 5}
            elif kind == CustomerKind.INSTITUTION:
                grades = {"AAA": 30, "AA": 50, "A": 20}
            grade = _pick(rng, grades)
            customer.credit_grade = grade
            base = {"micro": 5e4, "small": 2e5, "medium": 1e6, "large": 5e6}.get(customer.size, 5e5)
            if kind == CustomerKind.INSTITUTION:
                base = 5e5
            limit = base * GRADE_FACTOR[grade] * rng.uniform(0.6, 1.4)
            customer.credit_limit = Decimal(round(limit, -4))
            terms = {"credit": 35, "monthly": 35, "per_shipment": 15, "prepaid": 10, "cod": 5}
            if grade in ("B", "C"):
                terms = {"prepaid": 60, "per_shipment": 30, "cod": 10}
            if kind == CustomerKind.INSTITUTION:
                terms = {"credit": 60, "monthly": 40}
            customer.payment_terms = _pick(rng, terms)
            if customer.payment_terms == choices.PaymentTerms.CREDIT:
                days = (30, 45, 60, 90) if kind == CustomerKind.INSTITUTION else (30, 45, 60)
                customer.payment_days = rng.choice(days)
        if rng.random() < 0.6:
            bank, digits = LOCAL_BANKS.get(city.name, BANKS[0]) if rng.random() < 0.15 else rng.choice(BANKS)
            branch = f"{district.short}支行" if district.short and rng.random() < 0.85 else "分行营业部"
            customer.bank_name = f"{bank}{city.name}{branch}"
            customer.bank_account = f"{rng.randint(1, 9)}{rng.randrange(10 ** (digits - 1)):0{digits - 1}d}"

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
        if profile is INDUSTRIES[choices.Industry.ECOMMERCE] or (profile.retail and rng.random() < 0.3):
            tags.append("电商大促")
        if since and (self.today - since).days > 5 * 365:
            tags.append("长期合作")
        if rng.random() < 0.1:
            tags.append("价格敏感")
        if customer.status == Status.PROSPECT or (since and (self.today - since).days < 365):
            tags.append("新开发")
        if any(need.destination_city in ABROAD for need in plan.needs):
            tags.append("跨境")
        if any(need.frequency == choices.Frequency.SEASONAL for need in plan.needs):
            tags.append("季节性")
        if rng.random() < 0.04 or (customer.status == Status.LOST and rng.random() < 0.3):
            tags.append("投诉较多")

    def _remarks(self, rng: random.Random, plan: CustomerPlan, district: District) -> None:
        customer = plan.customer
        competitor = rng.choice(customer.competitors.split("、") if customer.competitors else COMPETITORS)
        contact = plan.contacts[0].name if plan.contacts else customer.name
        if customer.status == Status.BLACKLISTED:
            customer.remarks = rng.choice(BLACKLIST_REMARKS)
        elif customer.status == Status.LOST and rng.random() < 0.7:
            customer.remarks = rng.choice(LOST_REMARKS).format(competitor=competitor)
        elif rng.random() < 0.25:
            customer.remarks = rng.choice(REMARKS).format(
                competitor=competitor, district=district.name or district.city_name, contact=contact
            )

    # -- shipments ---------------------------------------------------------------------------------

    def shipments(self, customer: Customer, profile: ShippingProfile) -> Iterator[Shipment]:
        """The customer's shipments, oldest first (waybill numbers are set when written)."""
        rng, calendar = profile.rng, self.calendar
        if profile.last <= profile.first:
            return
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
        lane_weights = [lane.weight for lane in lanes]
        for day in days:
            if lanes and rng.random() < 0.85:
                lane = rng.choices(lanes, weights=lane_weights)[0]
            else:
                mode = Mode.EXPRESS if profile.small or rng.random() < 0.5 else Mode.ROAD
                destination = self.draw_destination(rng, profile.fallback_origin)
                lane = Lane(profile.fallback_origin, destination, mode, CargoType.GENERAL, 1.0)
            yield self._shipment(rng, customer, lane, calendar.start + dt.timedelta(days=day), profile.small)

    def _shipment(
        self, rng: random.Random, customer: Customer, lane: Lane, day: dt.date, small: bool
    ) -> Shipment:
        mode, cargo, distance, abroad = lane.mode, lane.cargo, lane.distance, lane.abroad
        # Weight (kg) and price (CNY) by mode, distance and cargo.
        if mode == Mode.EXPRESS:
            weight = min(math.exp(rng.gauss(math.log(1.5 if small else 4), 1.0)), 60)
            if cargo == CargoType.DOCUMENTS:
                weight = rng.uniform(0.1, 1.0)
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
        elif mode == Mode.AIR:
            weight = min(math.exp(rng.gauss(math.log(80), 1.1)), 5_000)
            rate = (15 + distance / 1000 * 2) if abroad else (4 + distance / 1000 * 3.5)
            amount = max(200, weight * rate)
            days = 3 if abroad else 1 if distance < 1500 else 2
        elif mode == Mode.SEA:
            containers = 1 if rng.random() < 0.7 else rng.randint(2, 6)
            weight = containers * rng.uniform(8_000, 24_000)
            amount = containers * (1_200 + distance * (0.5 if abroad else 1.2))
            days = (14 + math.ceil(distance / 900)) if abroad else (4 + math.ceil(distance / 600))
        elif mode == Mode.RAIL:
            weight = rng.uniform(10_000, 60_000)
            amount = weight / 1000 * (0.16 * distance + 30)
            days = 2 + math.ceil(distance / 700)
        else:  # road and multimodal
            weight = min(math.exp(rng.gauss(math.log(2_500), 1.1)), 32_000)
            weight = max(weight, 50)
            if weight >= 8_000:
                amount = max(800, distance * (2.5 + 0.15 * weight / 1000))
            else:
                amount = max(80, weight * (0.25 + distance / 1000 * 0.45))
            days = max(1, math.ceil(distance / 550)) + (0 if weight >= 8_000 else 1)
            if mode == Mode.MULTIMODAL:
                amount *= 0.85
                days += 2
        amount *= SURCHARGE.get(cargo, 1.0) * rng.uniform(0.9, 1.12)
        volume = weight / DENSITY.get(cargo, 250) * rng.uniform(0.8, 1.25)
        # Times: booked in business hours; promised by the end of the last transit day.
        hour = rng.choices(BOOKING_HOURS, cum_weights=BOOKING_HOUR_CUMULATIVE)[0]
        booked = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), tzinfo=self.tz)
        promised = dt.datetime.combine(day + dt.timedelta(days=days), dt.time(18), tzinfo=self.tz)
        delivered: dt.datetime | None = None
        on_time: bool | None = None
        roll = rng.random()
        if roll < 0.01:
            status = ShipmentStatus.CANCELLED
        elif roll < 0.02:
            status = ShipmentStatus.EXCEPTION
        else:
            busy = (day.month, day.day) >= (10, 25) and (day.month, day.day) <= (11, 15)
            punctual = 0.955 - (0.05 if busy else 0.0) - (0.03 if cargo == CargoType.COLD_CHAIN else 0.0)
            if rng.random() < punctual:
                transit_minutes = (promised - booked) // dt.timedelta(minutes=1)
                delivered = booked + dt.timedelta(minutes=int(transit_minutes * rng.uniform(0.45, 0.99)))
            else:
                delivered = promised + dt.timedelta(minutes=rng.randint(60, 72 * 60))
            if delivered <= self.as_of:
                status = ShipmentStatus.DELIVERED
                on_time = delivered <= promised
            else:
                waiting = self.as_of - booked
                slow = mode in (Mode.SEA, Mode.RAIL)
                status = (
                    ShipmentStatus.BOOKED
                    if waiting < dt.timedelta(hours=8 if not slow else 36)
                    else ShipmentStatus.IN_TRANSIT
                )
                delivered = None
        return Shipment(
            customer_id=customer.pk,
            origin_city=lane.origin,
            destination_city=lane.destination,
            mode=mode,
            cargo_type=cargo,
            weight_kg=_money(weight),
            volume_m3=Decimal(f"{volume:.3f}"),
            amount=_money(amount),
            booked_at=booked,
            promised_at=promised,
            delivered_at=delivered,
            on_time=on_time,
            status=status,
        )

    # -- writing -----------------------------------------------------------------------------------

    def write(
        self,
        plans: list[CustomerPlan],
        tags: dict[str, Tag],
        counts: DemoCounts,
        progress: ProgressCallback | None = None,
    ) -> None:
        """Insert one batch of planned customers with everything that hangs off them."""
        with transaction.atomic():
            by_prefix: dict[str, list[Customer]] = defaultdict(list)
            for plan in plans:
                by_prefix[customer_code_prefix(plan.customer.kind, plan.customer.adcode)].append(
                    plan.customer
                )
            for prefix in sorted(by_prefix):
                group = by_prefix[prefix]
                for customer, number in zip(group, allocate_numbers(prefix, len(group)), strict=True):
                    customer.code = format_customer_code(prefix, number)
            registered = [plan for plan in plans if plan.uscc_head]
            if registered:
                for plan, number in zip(
                    registered, allocate_numbers(USCC_SEQUENCE, len(registered)), strict=True
                ):
                    plan.customer.uscc = make_uscc(plan.uscc_head, number)
            customers = [plan.customer for plan in plans]
            bulk_create_with_history(
                customers,
                Customer,
                batch_size=len(customers),
                default_user=None,
                default_change_reason=HISTORY_REASON,
            )
            counts.history += len(customers)
            addresses, contacts, needs, links = [], [], [], []
            through = Customer.tags.through
            for plan in plans:
                customer_id = plan.customer.pk
                plan.address.customer_id = customer_id
                addresses.append(plan.address)
                for contact in plan.contacts:
                    contact.customer_id = customer_id
                    contacts.append(contact)
                for need in plan.needs:
                    need.customer_id = customer_id
                    needs.append(need)
                links += [through(customer_id=customer_id, tag_id=tags[name].pk) for name in plan.tags]
            Address.objects.bulk_create(addresses, batch_size=SHIPMENT_CHUNK)
            Contact.objects.bulk_create(contacts, batch_size=SHIPMENT_CHUNK)
            LogisticsNeed.objects.bulk_create(needs, batch_size=SHIPMENT_CHUNK)
            through.objects.bulk_create(links, batch_size=SHIPMENT_CHUNK)
            counts.customers += len(customers)
            counts.addresses += len(addresses)
            counts.contacts += len(contacts)
            counts.needs += len(needs)
            if progress:
                progress("customers", len(customers))
            stream = (
                shipment
                for plan in plans
                if plan.shipping
                for shipment in self.shipments(plan.customer, plan.shipping)
            )
            for chunk in _chunks(stream, SHIPMENT_CHUNK):
                numbers = allocate_numbers(WAYBILL_SEQUENCE, len(chunk))
                for shipment, number in zip(chunk, numbers, strict=True):
                    local_day = shipment.booked_at.astimezone(self.tz).strftime("%Y%m%d")
                    shipment.waybill_no = f"{WAYBILL_PREFIX}{local_day}{number:010d}"
                Shipment.objects.bulk_create(chunk)
                counts.shipments += len(chunk)
                if progress:
                    progress("shipments", len(chunk))


def ensure_tags() -> dict[str, Tag]:
    tags = {}
    for name, description in TAGS.items():
        tags[name], _created = Tag.objects.get_or_create(name=name, defaults={"description": description})
    return tags


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
) -> DemoCounts:
    """File `customers` demo customers with shipments over the last `years` years up to `today`.

    `owners` are the user ids of the account managers to spread customers over (about 5% get none).
    `first_index` offsets the per-customer random streams: pass the number of customers already
    generated to add different customers to an existing demo database.
    """
    generator = DemoGenerator(seed=seed, today=today or timezone.localdate(), years=years, owners=owners)
    counts = DemoCounts()
    tags = ensure_tags()
    counts.tags = len(tags)
    indexes = range(first_index, first_index + customers)
    for batch in _chunks(indexes, max(1, batch_size)):
        generator.write([generator.plan(index) for index in batch], tags, counts, progress)
    return counts
