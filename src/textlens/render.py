"""Drawing results: boxes over the page, and the text where each line stood.

PaddleOCR users expect `ocr_res_img` to show the page with its boxes on the left and the
recognised text set in the same places on the right.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .images import to_pil

if TYPE_CHECKING:
    from .result import OCRResult

_PALETTE = [
    (230, 25, 75),
    (60, 180, 75),
    (0, 130, 200),
    (245, 130, 48),
    (145, 30, 180),
    (70, 240, 240),
    (240, 50, 230),
    (128, 128, 0),
    (0, 128, 128),
    (170, 110, 40),
]
_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


@lru_cache(maxsize=64)
def font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """A font of about `size` pixels: a system CJK font if present, else Pillow's own."""
    for candidate in _FONT_CANDIDATES:
        try:
            return ImageFont.truetype(candidate, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def draw_boxes(image: Image.Image, polys: list[np.ndarray], width: int = 2) -> Image.Image:
    """A copy of the page with each polygon outlined in a cycling colour."""
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    for i, poly in enumerate(polys):
        points = [tuple(map(float, p)) for p in np.asarray(poly)]
        draw.polygon(points, outline=_PALETTE[i % len(_PALETTE)], width=width)
    return out


def draw_result(result: OCRResult) -> Image.Image:
    """Page with boxes on the left, the recognised text in place on the right."""
    page = to_pil(result.image)
    left = draw_boxes(page, [line.poly for line in result.lines])
    right = Image.new("RGB", page.size, (255, 255, 255))
    draw = ImageDraw.Draw(right)
    for i, line in enumerate(result.lines):
        x0, y0, x1, y1 = line.box
        colour = _PALETTE[i % len(_PALETTE)]
        draw.rectangle((x0, y0, x1, y1), outline=colour, width=1)
        size = max(8, int((y1 - y0) * 0.8))
        draw.text((x0 + 1, y0), line.text, fill=(0, 0, 0), font=font(size))
    canvas = Image.new("RGB", (page.width * 2, page.height), (255, 255, 255))
    canvas.paste(left, (0, 0))
    canvas.paste(right, (page.width, 0))
    return canvas
