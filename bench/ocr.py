"""`python -m bench.ocr`: OCR time per image and field accuracy on rendered licences and cards.

Renders `--images` business licences and as many cards (Pillow + the Noto CJK font; different
companies, people, capitals written in words or digits, tilts of up to 3° and speckle noise, JPEG
and PNG), reads each through `intake.ocr.read_image` and extracts the fields, and records the model's
load time, the reading time per image (p50/p95/max) and, per field, the share read exactly right.

    python -m bench.ocr --images 6
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict
from typing import Any

from bench.common import machine_info, setup_django, summary, write_result

COMPANIES = [
    ("上海恒通国际物流有限公司", "上海市浦东新区张江路1388号3幢201室"),
    ("广州市白云区迅达货运代理有限公司", "广东省广州市白云区机场路128号"),
    ("南京鼎盛冷链仓储有限公司", "江苏省南京市江宁区秣陵街道胜太路66号"),
    ("成都蓉欧供应链管理有限公司", "四川省成都市青白江区物流大道88号"),
    ("武汉长江快运股份有限公司", "湖北省武汉市东西湖区走马岭街道新城十路9号"),
    ("天津港联集装箱运输有限公司", "天津市滨海新区东疆港区亚洲路6975号"),
    ("郑州中原陆港物流有限公司", "河南省郑州市经开区第八大街166号"),
    ("杭州运通仓储服务有限公司", "浙江省杭州市余杭区仓前街道文一西路998号"),
]
PEOPLE = ["王建国", "陈静", "刘洋", "张伟", "李娜", "赵磊", "周敏", "孙浩"]
TITLES = ["销售经理", "调度主管", "总经理", "客服专员", "物流总监", "业务代表", "运营经理", "财务主管"]
CAPITALS = [
    ("伍佰万元整", "500"),
    ("1000万元人民币", "1000"),
    ("壹仟贰佰万元整", "1200"),
    ("人民币300.00万元", "300"),
]


def _uscc(rng: random.Random) -> str:
    from stdnum.cn import uscc

    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    base = "91" + rng.choice(["310115", "440106", "320115", "510113", "420112", "120116"])
    base += "".join(rng.choice(alphabet) for _ in range(9))
    return base + uscc.calc_check_digit(base)


def build_set(count: int, seed: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """(label, image, true fields) for `count` licences and `count` cards."""
    from freightcrm.intake.tests.ocr_images import Card, Licence, render_card, render_licence

    rng = random.Random(seed)
    images = []
    for i in range(count):
        name, address = COMPANIES[i % len(COMPANIES)]
        capital_text, capital = CAPITALS[i % len(CAPITALS)]
        year, month, day = rng.randint(1998, 2022), rng.randint(1, 12), rng.randint(1, 28)
        licence = Licence(
            name=name,
            uscc=_uscc(rng),
            legal_representative=PEOPLE[i % len(PEOPLE)],
            capital_text=capital_text,
            capital=capital,
            founded_text=f"{year}年{month:02d}月{day:02d}日",
            founded=f"{year}-{month:02d}-{day:02d}",
            address=address,
        )
        angle = [0.0, 1.5, -2.0, 3.0][i % 4]
        noise = 0.02 if i % 2 else 0.0
        fmt = "JPEG" if i % 2 else "PNG"
        truth = {
            "name": licence.name,
            "uscc": licence.uscc,
            "legal_representative": licence.legal_representative,
            "address": licence.address,
            "registered_capital": licence.capital,
            "founded_on": licence.founded,
        }
        images.append(
            (f"licence-{i}", render_licence(licence, angle=angle, noise=noise, seed=i, fmt=fmt), truth)
        )
        person = PEOPLE[(i + 3) % len(PEOPLE)]
        domain = f"co{i}-logistics.com"
        card = Card(
            company=name,
            person=person,
            title=TITLES[i % len(TITLES)],
            mobile=f"13{rng.randint(5, 9)}{rng.randint(10_000_000, 99_999_999)}",
            phone=f"021-{rng.randint(5_000_0000, 6_999_9999)}",
            email=f"contact{i}@{domain}",
            address=address,
            website=f"www.{domain}",
        )
        truth = {
            "person": card.person,
            "title": card.title,
            "mobile": card.mobile,
            "phone": card.phone,
            "email": card.email,
            "company": card.company,
        }
        images.append((f"card-{i}", render_card(card, angle=-angle, noise=noise, seed=i, fmt=fmt), truth))
    return images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--images", type=int, default=6, help="licences, and as many cards")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()
    setup_django()
    from django.conf import settings

    from freightcrm.intake import ocr

    started = time.perf_counter()
    ocr._engine()
    load_seconds = time.perf_counter() - started
    right: dict[str, list[bool]] = defaultdict(list)
    timings: dict[str, list[float]] = defaultdict(list)
    misses: list[dict[str, Any]] = []
    for label, image, truth in build_set(options.images, options.seed):
        kind = label.split("-")[0]
        started = time.perf_counter()
        lines = ocr.read_image(image)
        read_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        extracted = ocr.extract(lines)
        timings[f"{kind}_read"].append(read_ms)
        timings["extract"].append((time.perf_counter() - started) * 1000)
        right[f"{kind}_kind"].append(extracted.kind == kind)
        for name, value in truth.items():
            ok = extracted.value(name) == value
            right[f"{kind}.{name}"].append(ok)
            if not ok:
                misses.append(
                    {"image": label, "field": name, "expected": value, "read": extracted.value(name)}
                )
        hits = sum(extracted.value(name) == value for name, value in truth.items())
        print(f"{label}: {read_ms / 1000:.1f} s, {hits}/{len(truth)} fields right")
    fields = {name: round(sum(values) / len(values), 3) for name, values in sorted(right.items())}
    all_fields = [ok for name, values in right.items() if "." in name for ok in values]
    result = {
        "machine": machine_info(),
        "sizes": {"licences": options.images, "cards": options.images},
        "settings": {
            "max_side": settings.FREIGHTCRM_OCR_MAX_SIDE,
            "threads": settings.FREIGHTCRM_OCR_THREADS,
        },
        "model_load_s": round(load_seconds, 2),
        "timings": {name: summary(values) for name, values in timings.items()},
        "field_accuracy": fields,
        "all_fields_accuracy": round(sum(all_fields) / len(all_fields), 3),
        "misses": misses,
    }
    path = write_result(f"ocr-{options.images}", result)
    print(path)
    print({"load_s": result["model_load_s"], "all_fields": result["all_fields_accuracy"]})
    for name, value in result["timings"].items():
        print(name, value)
    for miss in misses:
        print(miss)


if __name__ == "__main__":
    main()
