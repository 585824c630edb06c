"""Searchable PDF: the pages with an invisible text layer placed word by word.

A document OCRed from a PDF keeps that PDF's own pages, the text layer laid onto each (see
pdf_overlay); anything else gets one image page per result, sized from the image and its
resolution (see page.page_dpi), the text layer drawn with it. Every
word is drawn in text render mode 3 (neither filled nor stroked: invisible, yet extractable and
selectable), in reading order, with a font size that makes the font's ascent-to-descent height
match the word box and a horizontal scaling that makes its advance match the box's width; so
`pdftotext -bbox` finds each word where it stands on the image.

Fonts: reportlab's own Bitstream Vera, embedded as a subset with a ToUnicode map, for words it
covers (Latin-1 and common punctuation); reportlab's Adobe CID fonts (STSong-Light, and
HYSMyeongJo-Medium for Hangul) for the rest. CID fonts are not embedded: since the text is
never drawn only their character codes matter, which poppler maps to Unicode through the
standard CMaps (its poppler-data package).
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from functools import cache

import numpy as np

from ..extras import require
from ..images import encode, to_pil
from ..result import OCRResult, Word
from .page import page_dpi, words_of
from .pdf_overlay import overlay, source_pdf

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


@dataclass(frozen=True)
class _Font:
    name: str
    ascent: float  # fractions of the font size, as poppler reads them from the font
    descent: float  # negative
    covers: frozenset[int] | None  # code points with a glyph; None: anything


@cache
def _fonts() -> tuple[_Font, _Font, _Font]:
    """Register the text layer's fonts with reportlab once: (Latin, CJK, Hangul)."""
    import reportlab
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    vera = TTFont(
        "TextlensVera", os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")
    )
    pdfmetrics.registerFont(vera)
    fonts = [
        _Font(
            "TextlensVera",
            vera.face.ascent / 1000,
            vera.face.descent / 1000,
            frozenset(vera.face.charToGlyph),
        )
    ]
    for name in ("STSong-Light", "HYSMyeongJo-Medium"):
        cid = UnicodeCIDFont(name)
        pdfmetrics.registerFont(cid)
        fonts.append(_Font(name, cid.face.ascent / 1000, cid.face.descent / 1000, None))
    return fonts[0], fonts[1], fonts[2]


def _font_for(text: str) -> _Font:
    latin, cjk, hangul = _fonts()
    if latin.covers is not None and all(ord(ch) in latin.covers for ch in text):
        return latin
    return hangul if _HANGUL.search(text) else cjk


def _image_reader(image: np.ndarray):
    """The page as a JPEG reportlab embeds as is (grey when the page has no colour)."""
    from reportlab.lib.utils import ImageReader

    jpeg = encode(to_pil(image, grey_if_colourless=True), "JPEG")
    return ImageReader(io.BytesIO(jpeg))


def _place(text_object, word: Word, height: float, scale: float, page_height: float) -> None:
    """Set one word invisibly over its box, `height` points tall and centred on it.

    Box in pixels, `scale` points per pixel.
    """
    from reportlab.pdfbase.pdfmetrics import stringWidth

    font = _font_for(word.text)
    x0, y0, x1, y1 = (v * scale for v in word.box)
    size = max(height, 0.5) / (font.ascent - font.descent)
    baseline = (y0 + y1) / 2 + (font.ascent + font.descent) / 2 * size
    natural = stringWidth(word.text, font.name, size)
    text_object.setFont(font.name, size)
    text_object.setHorizScale(100.0 * max(x1 - x0, 0.5) / natural if natural > 0 else 100.0)
    text_object.setTextOrigin(x0, page_height - baseline)
    text_object.textOut(word.text)


def to_pdf(results: list[OCRResult]) -> bytes:
    """The document's searchable PDF: the original pages of a PDF that is still at hand (see
    pdf_overlay), else one image page per result; the invisible text layer on top of each."""
    require("export", "the pdf format")
    source = source_pdf(results)
    drawn = _draw(results, images=source is None)
    return drawn if source is None else overlay(source, results, drawn)


def _draw(results: list[OCRResult], images: bool) -> bytes:
    """One page per result, sized to its image at its resolution, holding the text layer
    over the image (`images`) or the text layer alone, for pdf_overlay to put onto the
    original pages."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pageCompression=1, invariant=1)
    pdf.setCreator("textlens")
    if results:
        pdf.setTitle(results[0].name)
    for result in results:
        scale = 72.0 / page_dpi(result)
        height, width = result.image.shape[:2]
        page_w, page_h = width * scale, height * scale
        pdf.setPageSize((page_w, page_h))
        if images:
            pdf.drawImage(_image_reader(result.image), 0, 0, page_w, page_h)
        text_object = pdf.beginText()
        text_object.setTextRenderMode(3)
        for block in result.blocks:
            # one text size per block: poppler groups lines into blocks (and so reads
            # columns apart) only when their sizes agree, and detected heights wobble
            height = scale * float(
                np.median([line.box[3] - line.box[1] for row in block for line in row])
            )
            for row in block:
                for line in row:
                    words = words_of(line)
                    for k, word in enumerate(words):
                        if k == len(words) - 1 and word.text.endswith("-"):
                            word = Word(word.text[:-1] + "\u2010", word.box)
                        _place(text_object, word, height, scale, page_h)
        pdf.drawText(text_object)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
