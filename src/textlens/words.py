"""Word boxes from the recogniser's CTC alignment (PaddleOCR's return_word_box).

Each character comes with the span of the crop's width it was read from. Latin words are runs
of characters between spaces; each CJK character is a word of its own. A word's box is the part
of the line's quadrilateral between its first character's start and its last one's end.
"""
from __future__ import annotations

import re

import numpy as np

from .result import Word

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _point(quad: np.ndarray, f: float, vertical: bool) -> np.ndarray:
    """The two points at fraction f along the line's reading direction (top and bottom edge)."""
    tl, tr, br, bl = quad
    if vertical:  # the crop was turned: reading runs down the quad's left and right edges
        return np.array([tl + f * (bl - tl), tr + f * (br - tr)])
    return np.array([tl + f * (tr - tl), bl + f * (br - bl)])


def word_boxes(text: str, spans: tuple[tuple[float, float], ...], quad: np.ndarray,
               vertical: bool = False, flipped: bool = False) -> list[Word]:
    """Split a recognised line into words placed on the page."""
    if len(spans) != len(text):
        return []
    if flipped:  # the crop was read upside down: fractions run from the other end
        spans = tuple((1.0 - e, 1.0 - s) for s, e in spans)
    groups: list[list[int]] = []
    current: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or _CJK.match(ch):
            if current:
                groups.append(current)
            current = []
            if not ch.isspace():
                groups.append([i])
        else:
            current.append(i)
    if current:
        groups.append(current)
    words = []
    for group in groups:
        start = min(spans[i][0] for i in group)
        end = max(spans[i][1] for i in group)
        points = np.vstack([_point(quad, start, vertical), _point(quad, end, vertical)])
        box = [int(np.floor(points[:, 0].min())), int(np.floor(points[:, 1].min())),
               int(np.ceil(points[:, 0].max())), int(np.ceil(points[:, 1].max()))]
        words.append(Word("".join(text[i] for i in group), box))
    return words
