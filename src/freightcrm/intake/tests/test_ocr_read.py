"""OCR on images rendered here (Pillow + a CJK font; no downloaded data), and the refusals of bad
uploads. The model tests (`ocr` marker) take a few seconds per image; the refusals need no model."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from freightcrm.intake.ocr import OcrProblem, extract, load_image, read_image
from freightcrm.intake.tests.ocr_images import Card, Licence, cjk_font_path, render_card, render_licence

needs_font = pytest.mark.skipif(
    cjk_font_path() is None,
    reason="no CJK font installed (apt-get install fonts-noto-cjk) to render test images",
)

LICENCE = Licence()
CARD = Card()


@pytest.mark.ocr
@needs_font
@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: render_licence(LICENCE), id="licence-png"),
        pytest.param(
            lambda: render_licence(LICENCE, angle=2.0, noise=0.02, seed=3, fmt="JPEG"),
            id="licence-tilted-noisy",
        ),
        pytest.param(lambda: as_pdf(render_licence(LICENCE)), id="licence-pdf-scan"),
    ],
)
def test_licence_fields_read_from_a_rendered_image(image) -> None:  # type: ignore[no-untyped-def]
    # when
    extracted = extract(read_image(image()))
    # then
    assert extracted.kind == "licence"
    assert extracted.value("name") == LICENCE.name
    assert extracted.value("uscc") == LICENCE.uscc
    assert extracted.value("legal_representative") == LICENCE.legal_representative
    assert extracted.value("address") == LICENCE.address
    assert extracted.value("registered_capital") == LICENCE.capital
    assert extracted.value("founded_on") == LICENCE.founded
    assert extracted.fields["uscc"].confidence > 0.9


@pytest.mark.ocr
@needs_font
@pytest.mark.parametrize(
    "image",
    [
        pytest.param(lambda: render_card(CARD), id="card-png"),
        pytest.param(
            lambda: render_card(CARD, angle=-3.0, noise=0.02, seed=5, fmt="WEBP"), id="card-tilted-noisy"
        ),
    ],
)
def test_card_fields_read_from_a_rendered_image(image) -> None:  # type: ignore[no-untyped-def]
    extracted = extract(read_image(image()))
    assert extracted.kind == "card"
    assert extracted.value("person") == CARD.person
    assert extracted.value("title") == CARD.title
    assert extracted.value("mobile") == CARD.mobile
    assert extracted.value("phone") == CARD.phone
    assert extracted.value("email") == CARD.email
    assert extracted.value("company") == CARD.company


def as_pdf(picture: bytes) -> bytes:
    """A picture as a scanner's one-page PDF (Pillow writes the page; 150 dpi)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(picture)).convert("RGB").save(out, format="PDF", resolution=150)
    return out.getvalue()


def _empty_pdf() -> bytes:
    import pypdfium2 as pdfium

    out = io.BytesIO()
    pdfium.PdfDocument.new().save(out)
    return out.getvalue()


def test_a_pdf_scan_is_read_as_its_first_page(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FREIGHTCRM_OCR_MAX_SIDE = 1600
    image = load_image(as_pdf(_png(1400, 1000)))
    assert image.mode == "RGB" and max(image.size) == 1600  # 200 dpi, trimmed to the longest side


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\n...", "PDF cannot be read"),
        (_empty_pdf(), "PDF cannot be read"),
        (b"PK\x03\x04 a word document", "not a readable image"),
        ("名称 上海恒通".encode(), "not a readable image"),
        (_png(40, 30), "too small"),
    ],
    ids=["empty", "damaged-pdf", "pdf-without-pages", "office-file", "text", "tiny"],
)
def test_bad_uploads_are_refused_with_a_message(data: bytes, message: str) -> None:
    with pytest.raises(OcrProblem, match=message):
        load_image(data)


def test_a_gif_is_refused_by_type() -> None:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, format="GIF")
    with pytest.raises(OcrProblem, match="GIF"):
        load_image(out.getvalue())


def test_too_large_a_file_is_refused_before_reading(settings) -> None:  # type: ignore[no-untyped-def]
    settings.FREIGHTCRM_MAX_OCR_BYTES = 1000
    with pytest.raises(OcrProblem, match="limit"):
        load_image(b"\xff\xd8" + b"0" * 2000)


def test_huge_photos_are_shrunk_and_exif_rotation_applied(settings) -> None:  # type: ignore[no-untyped-def]
    # given: a portrait photo stored landscape with the EXIF orientation "rotate 90°"
    settings.FREIGHTCRM_OCR_MAX_SIDE = 1000
    image = Image.new("RGB", (4000, 3000), "white")
    exif = image.getexif()
    exif[0x0112] = 6
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    # when
    loaded = load_image(out.getvalue())
    # then
    assert loaded.size == (750, 1000)
