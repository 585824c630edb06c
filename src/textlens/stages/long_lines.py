"""Long text lines are cut at word gaps into pieces the recogniser reads at full resolution.

A recogniser sees a crop scaled to 48 px high; a line longer than 60:1 would be fed at 2300+ px
wide (far past the widths the network was trained on), and squeezing it instead narrows every
character. Cutting it is safe only where no character is: between words. So cuts go at the
widest run of blank columns (no ink across the line's height) that is at least a word space
wide, as far along as a piece may reach; a line with no such gap (dense CJK, a rule drawn under
the text) is left whole and squeezed as before. (At 40:1, cuts fell inside words set in a
typewriter font, "sak ura", and inside comma lists without spaces, each joined with a space;
a 60:1 piece reads as well.)
"""

from __future__ import annotations

import cv2
import numpy as np

MAX_RATIO = 60.0  # a piece is at most 60 times as wide as the line is high
_MIN_GAP = 0.15  # a cut needs a blank run this many line heights wide (a word space is ~0.2)
_MIN_PIECE = 0.5  # ... placed no earlier than half a piece's reach, so pieces stay long


def pieces(crop: np.ndarray) -> list[tuple[int, int]]:
    """Column ranges [x0, x1) covering the crop: one range unless it is too long and has gaps."""
    h, w = crop.shape[:2]
    reach = int(MAX_RATIO * h)
    if w <= reach:
        return [(0, w)]
    blank = _blank_columns(crop)
    out, x0 = [], 0
    while w - x0 > reach:
        cut = _cut_in(blank, x0 + int(_MIN_PIECE * reach), x0 + reach, max(2, int(_MIN_GAP * h)))
        if cut is None:
            break
        out.append((x0, cut))
        x0 = cut
    out.append((x0, w))
    return out


def _blank_columns(crop: np.ndarray) -> np.ndarray:
    """True where a column holds (next to) no ink. Ink is the minority side of an Otsu threshold,
    so light text on a dark band works too; a pixel or two of a neighbouring line's descender
    does not close a gap."""
    gray = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    _, dark = cv2.threshold(gray, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = dark if dark.mean() < 0.5 else 1 - dark
    return ink.sum(axis=0) <= ink.shape[0] // 25


def _cut_in(blank: np.ndarray, lo: int, hi: int, min_gap: int) -> int | None:
    """The middle of the widest blank run (at least min_gap wide) centred in [lo, hi), or None;
    among equally wide runs the last, so pieces are as long as allowed."""
    window = np.concatenate(([False], blank[lo:hi], [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(window))
    starts, ends = edges[::2], edges[1::2]
    widths = ends - starts
    if not len(widths) or widths.max() < min_gap:
        return None
    best = len(widths) - 1 - int(np.argmax(widths[::-1]))
    return lo + int((starts[best] + ends[best]) // 2)
