"""Pages built by hand, for testing exporters on layouts chosen to the pixel."""

from __future__ import annotations

import numpy as np

from textlens.config import resolve
from textlens.result import Line, OCRResult
from textlens.words import word_boxes


def made_page(
    lines: list[tuple[str, list[int]]],
    size: tuple[int, int] = (1000, 800),
    score: float = 0.9,
    name: str = "made",
) -> OCRResult:
    """A page built by hand: (text, [x0, y0, x1, y1]) lines with evenly spread words."""
    width, height = size
    made = []
    for text, (x0, y0, x1, y1) in lines:
        quad = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
        spans = tuple((i / len(text), (i + 1) / len(text)) for i in range(len(text)))
        made.append(Line(text, score, quad, word_boxes(text, spans, quad)))
    image = np.full((height, width, 3), 255, dtype=np.uint8)
    return OCRResult(
        name=name,
        input_path=None,
        page_index=None,
        image=image,
        settings=resolve(),
        lines=made,
        dt_polys=[l.poly for l in made],
        dt_scores=[score] * len(made),
        textline_orientation_angles=[-1] * len(made),
        return_word_box=True,
    )
