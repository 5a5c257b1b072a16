"""OCR intake: read a photo or scan of a business licence (营业执照) or a business card, and pull its
fields out of the text lines, each with a confidence a person can judge before confirming.

Reading (`read_image`) is slow (1–4 s per image on a small CPU) and runs in a background task; the
extraction (`extract_licence`, `extract_card`) is plain text work on the lines, fast and testable
without the model. Field confidence = the OCR line's own confidence × how sure the parse is (a USCC
whose check character passes is sure; one repaired from O/I look-alikes less so; a name without a
company ending less so), so the form can highlight what a person should look at.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from freightcrm.core.errors import ApplicationError
from freightcrm.core.validators import (
    normalise_phone,
    normalise_uscc,
    to_half_width,
    validate_mobile,
    validate_phone,
    validate_uscc,
)

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "BMP": "bmp", "TIFF": "tif"}
LOW_CONFIDENCE = 0.8  # below this the form highlights the field for a closer look


class OcrProblem(ApplicationError):
    """The upload cannot be read as an image of a document; the message says what to do instead."""

    code = "bad_image"


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class OcrLine:
    """One line of text the model found: its text, its confidence (0–1) and its box (4 corners,
    clockwise from top left, in pixels of the image as read)."""

    text: str
    confidence: float
    box: tuple[tuple[float, float], ...]

    @property
    def left(self) -> float:
        return min(x for x, _y in self.box)

    @property
    def right(self) -> float:
        return max(x for x, _y in self.box)

    @property
    def top(self) -> float:
        return min(y for _x, y in self.box)

    @property
    def bottom(self) -> float:
        return max(y for _x, y in self.box)

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2

    def as_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "box": [list(p) for p in self.box],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OcrLine:
        return cls(
            text=str(data["text"]),
            confidence=float(data["confidence"]),
            box=tuple((float(x), float(y)) for x, y in data["box"]),
        )


_engine_lock = threading.Lock()


@cache
def _engine() -> Any:
    """The model, loaded once per process (about a second). Calls are serialised by `_engine_lock`:
    the engine keeps per-call state, and on a small machine parallel calls only compete for cores."""
    from rapidocr_onnxruntime import RapidOCR

    threads = settings.FREIGHTCRM_OCR_THREADS
    return RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1)


PDF_DPI = 200  # a scanned page rendered at this resolution (then trimmed to FREIGHTCRM_OCR_MAX_SIDE)


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def load_image(source: Path | bytes) -> Any:
    """The upload as an upright RGB Pillow image no larger than `FREIGHTCRM_OCR_MAX_SIDE`; of a PDF
    (a scanner's usual output), its first page.

    Raises `OcrProblem` for empty, too large, unsupported (office files, GIFs) or broken files.
    """
    from PIL import Image

    data = source.read_bytes() if isinstance(source, Path) else bytes(source)
    limit = settings.FREIGHTCRM_MAX_OCR_BYTES
    if not data:
        raise OcrProblem(_("The file is empty. Choose the photo or scan of the licence or card again."))
    if len(data) > limit:
        raise OcrProblem(
            _(
                "The file is %(size).1f MB; the limit is %(limit).1f MB. "
                "Take the photo at a lower resolution."
            ),
            params={"size": len(data) / 2**20, "limit": limit / 2**20},
        )
    image = _pdf_page(data) if is_pdf(data) else _picture(data)
    image = image.convert("RGB")
    if min(image.size) < 64:
        raise OcrProblem(
            _("The image is only %(width)s×%(height)s pixels, too small to read. Upload a sharper photo."),
            params={"width": image.width, "height": image.height},
        )
    side = settings.FREIGHTCRM_OCR_MAX_SIDE
    if max(image.size) > side:
        image.thumbnail((side, side), Image.Resampling.LANCZOS)
    return image


def _picture(data: bytes) -> Any:
    from PIL import Image, ImageOps, UnidentifiedImageError

    image: Image.Image
    try:
        opened = Image.open(io.BytesIO(data))
        image = opened
        if opened.format not in IMAGE_FORMATS:
            raise OcrProblem(
                _(
                    "Files of type %(format)s cannot be read. "
                    "Upload a JPEG, PNG or WebP image, or a PDF scan."
                ),
                params={"format": opened.format or "?"},
            )
        opened.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError) as error:
        if isinstance(error, Image.DecompressionBombError):
            raise OcrProblem(
                _("The image has too many pixels to read safely. Take the photo at a lower resolution.")
            ) from error
        raise OcrProblem(
            _(
                "The file is not a readable image (it may be damaged or of another type). "
                "Upload a JPEG, PNG or WebP image."
            )
        ) from error
    return ImageOps.exif_transpose(image) or image


def _pdf_page(data: bytes) -> Any:
    """The first page of a PDF, rendered by PDFium (pypdfium2) at `PDF_DPI`, its long side at most
    `FREIGHTCRM_OCR_MAX_SIDE` pixels whatever size the page claims."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if "password" in str(error).lower():
            raise OcrProblem(
                _("The PDF is protected by a password. Remove the password, or upload a photo of the page.")
            ) from error
        raise OcrProblem(
            _("The PDF cannot be read (it may be damaged). Upload a JPEG or PNG photo of the page instead.")
        ) from error
    try:
        page = document[0]  # (PDFium refuses a document without pages as damaged)
        width, height = page.get_size()
        scale = min(PDF_DPI / 72, settings.FREIGHTCRM_OCR_MAX_SIDE / max(width, height, 1.0))
        return page.render(scale=scale).to_pil()
    except (pdfium.PdfiumError, IndexError) as error:
        raise OcrProblem(
            _("The PDF cannot be read (it may be damaged). Upload a JPEG or PNG photo of the page instead.")
        ) from error
    finally:
        document.close()


def page_png(image: Any) -> bytes:
    """`image` as PNG bytes: what is kept of a PDF upload (its first page, as read)."""
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def image_format(data: bytes) -> str:
    """The file suffix for an accepted image (`jpg`, `png`, …), for keeping the upload."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return IMAGE_FORMATS.get(image.format or "", "bin")


def read_image(source: Path | bytes) -> list[OcrLine]:
    """The text lines of an image, in reading order (top to bottom, then left to right)."""
    import numpy as np

    image = load_image(source)
    pixels = np.asarray(image)[:, :, ::-1].copy()  # the engine expects OpenCV's BGR order
    with _engine_lock:
        result, _elapsed = _engine()(pixels)
    lines = [
        OcrLine(
            text=str(text).strip(), confidence=float(score), box=tuple((float(x), float(y)) for x, y in box)
        )
        for box, text, score in (result or [])
        if str(text).strip()
    ]
    return reading_order(lines)


def reading_order(lines: Iterable[OcrLine]) -> list[OcrLine]:
    """Rows top to bottom (lines whose middles lie within half a line height share a row), each left
    to right."""
    ordered = sorted(lines, key=lambda line: line.middle)
    rows: list[list[OcrLine]] = []
    for line in ordered:
        if rows and abs(rows[-1][0].middle - line.middle) < rows[-1][0].height / 2:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda item: item.left)]


# ---------------------------------------------------------------------------------------------
# Extraction


@dataclass
class Field:
    value: str
    confidence: float
    source: str  # the OCR text the value came from

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE


@dataclass
class Extracted:
    kind: str  # "licence" or "card"
    fields: dict[str, Field] = field(default_factory=dict)
    extra: dict[str, list[str]] = field(default_factory=dict)  # more mobiles, phones found on a card

    def value(self, name: str) -> str:
        found = self.fields.get(name)
        return found.value if found else ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extracted:
        return cls(
            kind=data.get("kind", ""),
            fields={name: Field(**item) for name, item in data.get("fields", {}).items()},
            extra=data.get("extra", {}),
        )


def _put(extracted: Extracted, name: str, value: str, confidence: float, source: str) -> None:
    """Keep the more confident of two readings of one field."""
    value = value.strip()
    if not value:
        return
    current = extracted.fields.get(name)
    if current is None or confidence > current.confidence:
        extracted.fields[name] = Field(value=value, confidence=round(confidence, 3), source=source)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", to_half_width(text))


PUNCTUATION = ":：;；,，.。、·|丨/ "

LICENCE_LABELS: tuple[tuple[str, str], ...] = (
    # (label as printed, with spaces removed; field, "" = a label whose value we do not keep)
    ("统一社会信用代码", "uscc"),
    ("社会信用代码", "uscc"),
    ("注册号", ""),
    ("企业名称", "name"),
    ("单位名称", "name"),
    ("名称", "name"),
    ("类型", "company_type"),
    ("组成形式", "company_type"),
    ("法定代表人", "legal_representative"),
    ("执行事务合伙人", "legal_representative"),
    ("负责人", "legal_representative"),
    ("经营者", "legal_representative"),
    ("投资人", "legal_representative"),
    ("注册资本", "registered_capital"),
    ("注册资金", "registered_capital"),
    ("出资额", "registered_capital"),
    ("成立日期", "founded_on"),
    ("注册日期", "founded_on"),
    ("营业期限", ""),
    ("合伙期限", ""),
    ("主要经营场所", "address"),
    ("经营场所", "address"),
    ("营业场所", "address"),
    ("住所", "address"),
    ("经营范围", "business_scope"),
    ("登记机关", ""),
    ("发照日期", ""),
    ("住", "address"),  # 住　　所 with 所 lost (seen on rendered licences); after every longer label
)
MULTI_LINE = {"name", "company_type", "address", "business_scope", ""}


def _label_of(text: str, labels: Sequence[tuple[str, str]]) -> tuple[str, str, str] | None:
    """(label, field, rest of the line) when the line starts with a label."""
    squeezed = _squeeze(text)
    for label, name in labels:
        if squeezed.startswith(label):
            return label, name, squeezed[len(label) :].lstrip(PUNCTUATION)
    return None


def _same_row(a: OcrLine, b: OcrLine) -> bool:
    overlap = min(a.bottom, b.bottom) - max(a.top, b.top)
    return overlap > 0.5 * min(a.height, b.height)


def _labelled_values(
    lines: Sequence[OcrLine], labels: Sequence[tuple[str, str]]
) -> list[tuple[str, str, float, str]]:
    """(field, value, confidence, source text) for each label found, wherever its value is printed.

    A value is on the label's own line ("名称 上海…"), or the nearest line to its right on the same
    row (two columns), or, failing that, the line below it. A multi-line value continues on the
    following lines that start within the value's column and follow closely below.
    """
    lines = _join_spaced_labels(lines, labels)
    labelled = {index: _label_of(line.text, labels) for index, line in enumerate(lines)}
    used: set[int] = set()
    found: list[tuple[str, str, float, str]] = []
    for index, line in enumerate(lines):
        hit = labelled[index]
        if hit is None:
            continue
        used.add(index)
        label, name, rest = hit
        parts = [(line, rest)] if rest else []
        if not parts:
            beside = [
                (other.left, j)
                for j, other in enumerate(lines)
                if j not in used and labelled[j] is None and other.left > line.left and _same_row(line, other)
            ]
            below = [
                (other.top, j)
                for j, other in enumerate(lines)
                if j not in used
                and labelled[j] is None
                and other.top > line.middle
                and other.top - line.bottom < line.height
                and abs(other.left - line.left) < 2 * line.height
            ]
            chosen = min(beside)[1] if beside else (min(below)[1] if below else None)
            if chosen is None:
                continue
            used.add(chosen)
            parts = [(lines[chosen], lines[chosen].text.strip().lstrip(PUNCTUATION))]
        if name in MULTI_LINE:
            first = parts[0][0]
            column_left = line.left - line.height
            column_right = max(first.right, line.right)
            previous = first
            while True:
                following = [
                    (other.top, j)
                    for j, other in enumerate(lines)
                    if j not in used
                    and labelled[j] is None
                    and other.top > previous.middle
                    and other.top - previous.bottom < 0.8 * previous.height
                    and column_left <= other.left < column_right
                    and not _beside_a_label(other, lines, labelled)
                ]
                if not following:
                    break
                j = min(following)[1]
                used.add(j)
                parts.append((lines[j], lines[j].text.strip()))
                previous = lines[j]
        value = "".join(text for _line, text in parts)
        confidence = min(part.confidence for part, _text in parts)
        found.append((name, value, confidence, " / ".join(part.text for part, _text in parts)))
    return found


def _beside_a_label(line: OcrLine, lines: Sequence[OcrLine], labelled: dict[int, Any]) -> bool:
    """Whether a label stands just left of `line` on its row: then `line` is that label's value,
    not the continuation of the value above (类型 below 名称 in the same column)."""
    return any(
        labelled[j] is not None
        and other.right <= line.left + line.height
        and line.left - other.right < 3 * line.height
        and _same_row(line, other)
        for j, other in enumerate(lines)
    )


def _join_spaced_labels(lines: Sequence[OcrLine], labels: Sequence[tuple[str, str]]) -> list[OcrLine]:
    """Join the characters of a spaced-out label that the model read as separate boxes (名　　称 →
    名, 称) into one line, so it is recognised as a label."""
    texts = [label for label, _name in labels]
    joined: list[OcrLine] = []
    for line in lines:
        previous = joined[-1] if joined else None
        text = _squeeze(line.text)
        if (
            previous is not None
            and len(text) <= 2
            and _same_row(previous, line)
            and 0 <= line.left - previous.right < 3 * line.height
            and any(label.startswith(_squeeze(previous.text) + text) for label in texts)
        ):
            joined[-1] = OcrLine(
                text=_squeeze(previous.text) + text,
                confidence=min(previous.confidence, line.confidence),
                box=(
                    (previous.left, min(previous.top, line.top)),
                    (line.right, min(previous.top, line.top)),
                    (line.right, max(previous.bottom, line.bottom)),
                    (previous.left, max(previous.bottom, line.bottom)),
                ),
            )
        else:
            joined.append(line)
    return joined


# Values


USCC_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1"})


def parse_uscc(text: str) -> tuple[str, float] | None:
    """The USCC in `text` and how sure it is: 1.0 when the check character passes as read; 0.85 when
    it passes only after reading the look-alikes O as 0 and I as 1 (letters a USCC never contains);
    0.4 for an 18-character code that still fails (shown, for a person to correct)."""
    candidate = re.sub(r"[^0-9A-Z]", "", normalise_uscc(text))
    windows = [candidate[i : i + 18] for i in range(max(len(candidate) - 17, 0))]
    for certainty, transform in (
        (1.0, lambda code: code),
        (0.85, lambda code: code.translate(USCC_LOOK_ALIKES)),
    ):
        for window in windows:
            code = transform(window)
            try:
                validate_uscc(code)
            except ValidationError:
                continue
            return code, certainty
    return (windows[0], 0.4) if len(windows) == 1 else None


CHINESE_DIGITS = {
    **dict.fromkeys("零〇", 0),
    **dict.fromkeys("一壹", 1),
    **dict.fromkeys("二贰貳两", 2),
    **dict.fromkeys("三叁參", 3),
    **dict.fromkeys("四肆", 4),
    **dict.fromkeys("五伍", 5),
    **dict.fromkeys("六陆陸", 6),
    **dict.fromkeys("七柒", 7),
    **dict.fromkeys("八捌", 8),
    **dict.fromkeys("九玖", 9),
}
CHINESE_UNITS = {**dict.fromkeys("十拾", 10), **dict.fromkeys("百佰", 100), **dict.fromkeys("千仟", 1000)}
CHINESE_SECTIONS = {**dict.fromkeys("万萬", 10_000), **dict.fromkeys("亿億", 100_000_000)}


def chinese_number(text: str) -> int | None:
    """伍佰万 → 5000000, 一千二百三十 → 1230, 拾万 → 100000; None when `text` holds other characters."""
    if not text or any(
        ch not in CHINESE_DIGITS and ch not in CHINESE_UNITS and ch not in CHINESE_SECTIONS for ch in text
    ):
        return None
    total = section = digit = 0
    for ch in text:
        if ch in CHINESE_DIGITS:
            digit = CHINESE_DIGITS[ch]
        elif ch in CHINESE_UNITS:
            section += (digit or 1) * CHINESE_UNITS[ch]
            digit = 0
        else:
            scale = CHINESE_SECTIONS[ch]
            total = (total + section + digit) * scale if scale > 10_000 else total + (section + digit) * scale
            section = digit = 0
    return total + section + digit


def parse_capital(text: str) -> tuple[str, float] | None:
    """Registered capital in CNY 10k (the archive's unit): "伍佰万元整", "500万元人民币", "人民币500.00万元",
    "5000000元" → "500". Another currency is read as written, with low certainty (a person decides)."""
    squeezed = _squeeze(text).replace(",", "")
    certainty = 1.0 if not re.search(r"美元|港元|欧元|日元|USD|HKD|EUR", squeezed) else 0.5
    number = re.search(r"(\d+(?:\.\d+)?)(万|亿)?", squeezed)
    if number:
        try:
            amount = Decimal(number.group(1))
        except InvalidOperation:
            return None
        unit = number.group(2)
        if unit == "亿":
            amount *= 10_000
        elif unit is None:
            amount /= 10_000
    else:
        words = re.search(
            r"[零〇一壹二贰貳两三叁參四肆五伍六陆陸七柒八捌九玖十拾百佰千仟万萬亿億]+", squeezed
        )
        value = chinese_number(words.group(0)) if words else None
        if value is None:
            return None
        amount = Decimal(value) / 10_000
    text_amount = format(amount.quantize(Decimal("0.01")).normalize(), "f")
    return text_amount, certainty


def parse_date(text: str) -> tuple[str, float] | None:
    """2016年3月8日, 2016-03-08, 2016.3.8, 2016/3/8 → "2016-03-08". A stray digit before the year
    (a frame line read as 1) is dropped."""
    squeezed = _squeeze(text)
    match = re.search(r"(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})", squeezed)
    if not match:
        return None
    try:
        day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return day.isoformat(), 1.0 if match.start() == 0 else 0.9


PERSON_NAME = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
COMPANY_ENDING = re.compile(r"(公司|集团|厂|商行|中心|合作社|事务所|分公司|门市部|经营部|店)\)?）?$")
COMPANY_WORD = re.compile(r"公司|集团|有限|股份|厂$|商行|事务所|合作社|Co\.|Ltd", re.IGNORECASE)
ADDRESS_WORD = re.compile(r"[省市区县镇乡].*[路街道号弄巷村室楼幢栋层]|[路街道]\d|\d+号")


def _certainty(name: str, value: str) -> tuple[str, float]:
    if name == "name":
        return value, 1.0 if COMPANY_ENDING.search(value) else 0.7
    if name == "legal_representative":
        value = value.strip(PUNCTUATION)
        return value, 1.0 if PERSON_NAME.match(value) else 0.6
    if name == "address":
        return value, 1.0 if ADDRESS_WORD.search(value) else 0.7
    return value, 1.0


def extract_licence(lines: Sequence[OcrLine]) -> Extracted:
    """The fields of a business licence (营业执照): name, USCC, legal representative, address,
    registered capital (CNY 10k), founding date (ISO), company type, business scope."""
    extracted = Extracted(kind="licence")
    for name, value, confidence, source in _labelled_values(lines, LICENCE_LABELS):
        if not name:
            continue
        parsed: tuple[str, float] | None
        if name == "uscc":
            parsed = parse_uscc(value)
        elif name == "registered_capital":
            parsed = parse_capital(value)
        elif name == "founded_on":
            parsed = parse_date(value)
        else:
            parsed = _certainty(name, value)
        if parsed:
            _put(extracted, name, parsed[0], confidence * parsed[1], source)
    if "uscc" not in extracted.fields:  # the code printed without its label (or the label misread)
        for line in lines:
            parsed = parse_uscc(line.text)
            if parsed and parsed[1] > 0.4:
                _put(extracted, "uscc", parsed[0], line.confidence * parsed[1] * 0.9, line.text)
    return extracted


# Business cards

CARD_LABELS: tuple[tuple[str, str], ...] = (
    ("手机", "mobile"),
    ("移动电话", "mobile"),
    ("mobile", "mobile"),
    ("mob", "mobile"),
    ("电话", "phone"),
    ("座机", "phone"),
    ("tel", "phone"),
    ("传真", ""),
    ("fax", ""),
    ("邮箱", "email"),
    ("电子邮件", "email"),
    ("e-mail", "email"),
    ("email", "email"),
    ("地址", "address"),
    ("address", "address"),
    ("add", "address"),
    ("网址", "website"),
    ("网站", "website"),
    ("web", "website"),
    ("公司", "company"),
    ("职务", "title"),
    ("姓名", "person"),
    ("qq", ""),
    ("微信", ""),
)
TITLE_WORD = re.compile(
    r"(总经理|副总|经理|总监|主管|董事长|董事|主任|专员|工程师|顾问|代表|总裁|助理|部长|科长|组长|"
    r"业务员|客服|调度|会计|出纳|秘书|合伙人|创始人|CEO|CFO|COO|CTO|Manager|Director)"
)
EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
WEBSITE = re.compile(r"(?:https?://)?(?:www\.)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+|https?://[A-Za-z0-9.\-]+")
MOBILE = re.compile(r"(?<!\d)(?:\+?86)?(1[3-9]\d{9})(?!\d)")
LANDLINE = re.compile(r"(?<![\d])(0\d{2,3}-?\d{7,8}|[48]00-?\d{3}-?\d{4})(?![\d])")


def _card_label(text: str) -> tuple[str, str] | None:
    """(field, rest) when a card line starts with a label (手机：…, Tel: …, 邮箱 …)."""
    squeezed = _squeeze(text)
    lowered = squeezed.lower()
    for label, name in CARD_LABELS:
        if lowered.startswith(label):
            rest = squeezed[len(label) :]
            if label.isascii() and rest[:1].isalpha() and rest[:1].isascii():
                continue  # "address" is not "add" + "ress"; "telephone" still works via its digits
            return name, rest.lstrip(PUNCTUATION + ".")
    return None


def _numbers(text: str) -> tuple[list[str], list[str]]:
    """(mobiles, landlines) written in `text`, normalised the archive's way."""
    compact = re.sub(r"(?<=\d)[\s.]+(?=\d)", "", to_half_width(text))
    compact = re.sub(r"\((\d{3,4})\)", r"\1-", compact)
    mobiles, landlines = [], []
    for match in MOBILE.finditer(re.sub(r"(?<=\d)-(?=\d)", "", compact)):  # 139-0571-1234
        try:
            validate_mobile(match.group(1))
        except ValidationError:
            continue
        mobiles.append(normalise_phone(match.group(1)))
    for match in LANDLINE.finditer(compact):
        try:
            validate_phone(match.group(1))
        except ValidationError:
            continue
        landlines.append(normalise_phone(match.group(1)))
    return mobiles, landlines


def extract_card(lines: Sequence[OcrLine]) -> Extracted:
    """The fields of a business card: person, title, mobile(s), phone, e-mail, company, address,
    website. Labelled lines are read by their label; the rest by what they look like (the company
    by its ending, the person as the largest short Chinese line, the title by its words)."""
    extracted = Extracted(kind="card")
    mobiles: list[str] = []
    landlines: list[str] = []
    unlabelled: list[OcrLine] = []
    for index, line in enumerate(lines):
        hit = _card_label(line.text)
        name, rest = hit if hit else ("?", line.text)
        if name == "":
            continue  # fax, QQ, WeChat: not archive fields
        line_mobiles, line_landlines = _numbers(rest)
        if name in {"mobile", "phone", "?"}:
            mobiles += line_mobiles
            landlines += line_landlines
            if name == "mobile" and line_mobiles:
                _put(extracted, "mobile", line_mobiles[0], line.confidence, line.text)
            if name == "phone" and line_landlines:
                _put(extracted, "phone", line_landlines[0], line.confidence, line.text)
            elif name == "phone" and line_mobiles and not line_landlines:
                _put(extracted, "mobile", line_mobiles[0], line.confidence * 0.9, line.text)
            if name != "?" or line_mobiles or line_landlines:
                continue
        email = EMAIL.search(to_half_width(rest).replace(" ", ""))
        if email and name in {"email", "?"}:
            _put(
                extracted,
                "email",
                email.group(0).lower(),
                line.confidence * (1.0 if name == "email" else 0.95),
                line.text,
            )
            continue
        website = WEBSITE.search(to_half_width(rest).replace(" ", ""))
        if website and name in {"website", "?"}:
            _put(extracted, "website", website.group(0).lower(), line.confidence, line.text)
            continue
        if name == "address":
            value = rest
            following = lines[index + 1] if index + 1 < len(lines) else None
            if (
                following is not None
                and _card_label(following.text) is None
                and following.top - line.bottom < 0.8 * line.height
                and abs(following.left - line.left) < 6 * line.height
                and not EMAIL.search(following.text)
                and not WEBSITE.search(following.text)
                and not any(_numbers(following.text))
            ):
                value += following.text.strip()
            _, certainty = _certainty("address", value)
            _put(extracted, "address", value, line.confidence * certainty, line.text)
            continue
        if name in {"company", "title", "person"}:
            _put(extracted, name, rest, line.confidence, line.text)
            continue
        unlabelled.append(line)
    _card_by_shape(extracted, [line for line in unlabelled if line.text.strip()])
    mobiles = list(dict.fromkeys(mobiles))
    landlines = list(dict.fromkeys(landlines))
    if mobiles and "mobile" not in extracted.fields:
        _put(extracted, "mobile", mobiles[0], 0.9, mobiles[0])
    if landlines and "phone" not in extracted.fields:
        _put(extracted, "phone", landlines[0], 0.9, landlines[0])
    extracted.extra = {
        "mobiles": [m for m in mobiles if m != extracted.value("mobile")],
        "phones": [p for p in landlines if p != extracted.value("phone")],
    }
    return extracted


def _card_by_shape(extracted: Extracted, lines: list[OcrLine]) -> None:
    """Company, person, title and address from lines without a label."""
    rest: list[OcrLine] = []
    for line in lines:
        text = line.text.strip()
        if COMPANY_WORD.search(text) and len(text) >= 4 and "company" not in extracted.fields:
            _put(
                extracted,
                "company",
                text,
                line.confidence * (1.0 if COMPANY_ENDING.search(text) else 0.8),
                text,
            )
        elif ADDRESS_WORD.search(_squeeze(text)) and len(text) >= 8:
            _put(extracted, "address", text, line.confidence * 0.9, text)
        else:
            rest.append(line)
    people: list[tuple[float, OcrLine, str, str]] = []
    for line in rest:
        text = _squeeze(line.text)
        title = TITLE_WORD.search(text)
        if title and title.start() >= 2 and PERSON_NAME.match(text[: title.start()][:4]):
            # name and title read as one line: "李晓明 销售经理"
            split = line.text.split()
            if len(split) >= 2 and PERSON_NAME.match(split[0]):
                people.append((line.height, line, split[0], "".join(split[1:])))
                continue
        if PERSON_NAME.match(text) and not TITLE_WORD.search(text):
            people.append((line.height, line, text, ""))
        elif title and "title" not in extracted.fields:
            _put(extracted, "title", text, line.confidence * 0.95, line.text)
    if people and "person" not in extracted.fields:
        people.sort(key=lambda item: -item[0])
        tallest = people[0]
        alone = len(people) == 1 or people[1][0] < 0.8 * tallest[0]
        _put(
            extracted, "person", tallest[2], tallest[1].confidence * (1.0 if alone else 0.7), tallest[1].text
        )
        if tallest[3]:
            _put(extracted, "title", tallest[3], tallest[1].confidence, tallest[1].text)


def guess_kind(lines: Sequence[OcrLine]) -> str:
    """ "licence" when the text reads like a business licence, else "card"."""
    text = "".join(_squeeze(line.text) for line in lines)
    if "营业执照" in text or "统一社会信用代码" in text:
        return "licence"
    labels = sum(
        1 for label in ("名称", "法定代表人", "注册资本", "成立日期", "住所", "经营范围") if label in text
    )
    return "licence" if labels >= 3 else "card"


def extract(lines: Sequence[OcrLine], kind: str = "") -> Extracted:
    """The fields for `kind` ("licence", "card", or "" to decide by the text)."""
    kind = kind or guess_kind(lines)
    return extract_licence(lines) if kind == "licence" else extract_card(lines)
