"""Images of business licences and cards rendered with Pillow and a CJK font, for the OCR tests and
the OCR benchmark: no downloaded data, and the true field values known for every image."""

from __future__ import annotations

import io
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


def cjk_font_path() -> str | None:
    """A font file that draws Chinese, or None (the OCR tests skip then)."""
    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return candidate
    if shutil.which("fc-list"):
        listed = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            ["fc-list", ":lang=zh", "file"],  # noqa: S607 - fc-list from PATH is what fontconfig offers
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in listed.splitlines():
            path = line.split(":", 1)[0].strip()
            if path:
                return path
    return None


@dataclass
class Licence:
    name: str = "上海恒通国际物流有限公司"
    uscc: str = "91310115MA1K4CN12W"
    kind: str = "有限责任公司（自然人投资或控股）"
    legal_representative: str = "王建国"
    capital_text: str = "伍佰万元整"
    capital: str = "500"
    founded_text: str = "2016年03月08日"
    founded: str = "2016-03-08"
    address: str = "上海市浦东新区张江路1388号3幢201室"
    scope: str = "国内货物运输代理，普通货物仓储服务，道路货物运输，装卸搬运。"


@dataclass
class Card:
    company: str = "深圳顺达供应链管理有限公司"
    person: str = "李晓明"
    title: str = "销售经理"
    mobile: str = "13812345678"
    phone: str = "0755-86661234"
    email: str = "lixm@shunda-scm.com"
    address: str = "深圳市南山区科技园南区高新南七道18号"
    website: str = "www.shunda-scm.com"
    extra: dict[str, str] = field(default_factory=dict)


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = cjk_font_path()
    if path is None:
        raise RuntimeError("no CJK font installed (apt-get install fonts-noto-cjk)")
    return ImageFont.truetype(path, size)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


def _finish(image: Image.Image, *, angle: float, noise: float, seed: int, fmt: str) -> bytes:
    rng = random.Random(seed)
    if noise:
        pixels = image.load()
        assert pixels is not None
        width, height = image.size
        for _ in range(int(width * height * noise)):
            x, y = rng.randrange(width), rng.randrange(height)
            shade = rng.randrange(90, 200)
            pixels[x, y] = (shade, shade, shade)
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(235, 235, 230))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 88} if fmt == "JPEG" else {}))
    return out.getvalue()


def render_licence(
    licence: Licence, *, angle: float = 0.0, noise: float = 0.0, seed: int = 1, fmt: str = "PNG"
) -> bytes:
    """A licence in the national layout: code at the top, two columns of label/value pairs."""
    image = Image.new("RGB", (1400, 1000), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 1380, 980), outline=(170, 60, 40), width=6)
    draw.text((560, 60), "营 业 执 照", font=_font(64), fill=(30, 30, 30))
    body = _font(30)
    label = _font(30)
    draw.text((80, 190), f"统一社会信用代码 {licence.uscc}", font=body, fill=(20, 20, 20))
    left = [
        ("名　　称", licence.name),
        ("类　　型", licence.kind),
        ("法定代表人", licence.legal_representative),
    ]
    right = [
        ("注册资本", licence.capital_text),
        ("成立日期", licence.founded_text),
        ("营业期限", f"{licence.founded_text}至不约定期限"),
        ("住　　所", licence.address),
    ]
    y = 290
    for caption, value in left:
        draw.text((80, y), caption, font=label, fill=(20, 20, 20))
        for i, part in enumerate(_wrap(value, 13)):
            draw.text((250, y + i * 42), part, font=body, fill=(20, 20, 20))
        y += 42 * len(_wrap(value, 13)) + 30
    draw.text((80, y), "经营范围", font=label, fill=(20, 20, 20))
    for i, part in enumerate(_wrap(licence.scope, 13)):
        draw.text((250, y + i * 42), part, font=body, fill=(20, 20, 20))
    y = 290
    for caption, value in right:
        draw.text((760, y), caption, font=label, fill=(20, 20, 20))
        for i, part in enumerate(_wrap(value, 12)):
            draw.text((910, y + i * 42), part, font=body, fill=(20, 20, 20))
        y += 42 * len(_wrap(value, 12)) + 30
    draw.text((900, 880), "登记机关　2023年05月10日", font=_font(26), fill=(20, 20, 20))
    return _finish(image, angle=angle, noise=noise, seed=seed, fmt=fmt)


def render_card(
    card: Card, *, angle: float = 0.0, noise: float = 0.0, seed: int = 1, fmt: str = "PNG"
) -> bytes:
    """A business card: company on top, the person large with the title beside, contact lines below."""
    image = Image.new("RGB", (1050, 600), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 1050, 18), fill=(20, 90, 160))
    draw.text((60, 50), card.company, font=_font(36), fill=(20, 90, 160))
    draw.text((60, 150), card.person, font=_font(60), fill=(10, 10, 10))
    draw.text((60 + 64 * len(card.person) + 30, 178), card.title, font=_font(30), fill=(60, 60, 60))
    small = _font(28)
    lines = [
        f"手机：{card.mobile[:3]} {card.mobile[3:7]} {card.mobile[7:]}",
        f"电话：{card.phone}",
        f"邮箱：{card.email}",
        f"地址：{card.address}",
        card.website,
    ]
    for i, text in enumerate(lines):
        draw.text((60, 290 + i * 52), text, font=small, fill=(40, 40, 40))
    return _finish(image, angle=angle, noise=noise, seed=seed, fmt=fmt)
