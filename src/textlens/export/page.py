"""What the exporters read off a page beyond its lines: resolution, words, confidences.

A page's resolution fixes the physical size of a PDF page and hOCR's scan_res. Decoding sets
it (`OCRResult.dpi`): pages rendered from a PDF carry the engine's `pdf_dpi`; an image carries
its own DPI when it records one (PNG pHYs, JPEG JFIF/EXIF, TIFF). A page without one (an
array, an image that records none) is taken at 72 dpi, so one pixel is one point.
"""

from __future__ import annotations

from ..geometry import is_vertical, quad_size
from ..result import Line, OCRResult, Word
from ..words import word_boxes

DEFAULT_DPI = 72.0


def page_dpi(result: OCRResult) -> float:
    """The page's resolution in dots per inch (see the module's docstring for the rules)."""
    return result.dpi or DEFAULT_DPI


def words_of(line: Line) -> list[Word]:
    """A line's words: the recogniser's when it placed them, else spread over the line.

    Results made without return_word_box have no word boxes; characters are then taken as
    evenly spaced along the line, which is close for print and keeps every word placeable.
    """
    if line.words or not line.text.strip():
        return line.words
    n = len(line.text)
    even = tuple((i / n, (i + 1) / n) for i in range(n))
    return word_boxes(line.text, even, line.poly, vertical=is_vertical(*quad_size(line.poly)))


def union_box(lines: list[Line]) -> list[int]:
    """The box around a group of lines."""
    boxes = [line.box for line in lines]
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]
