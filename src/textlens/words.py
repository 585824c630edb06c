"""Word boxes from the recogniser's CTC alignment (PaddleOCR's return_word_box).

Each character comes with the span of the crop's width it was read from. CTC emits a
character on one or two time steps, somewhere inside its ink, so those spans are much
narrower than the characters (a digit gets a box a few pixels wide). Each character is
therefore given the whole stretch up to the midpoints between its centre and its neighbours',
and the line's first and last characters half a character pitch beyond their spans. (Not to
the line's ends: the detector pads each line by about half its height, and on tracemonkey's
pages against the PDF's own word boxes the half pitch fits better, horizontal IoU 0.92 vs
0.91, and 0.83 with the bare CTC spans.) Latin words are runs of characters between spaces;
each CJK character is a word of its own. A word's box is the part of the line's quadrilateral
its characters cover.
"""

from __future__ import annotations

import itertools
import re

import numpy as np

from .result import Word

# East Asian characters (kana, ideographs, hangul syllables, full-width forms): each gets a word
# box of its own, and the recogniser's gap rule never puts a space next to one.
CJK = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
    r"\uff00-\uffef]"
)


def _point(quad: np.ndarray, f: float, vertical: bool) -> np.ndarray:
    """The two points at fraction f along the line's reading direction (top and bottom edge)."""
    tl, tr, br, bl = quad
    if vertical:  # the crop was turned: reading runs down the quad's left and right edges
        return np.array([tl + f * (bl - tl), tr + f * (br - tr)])
    return np.array([tl + f * (tr - tl), bl + f * (br - bl)])


def _axis(quad: np.ndarray, vertical: bool) -> tuple[np.ndarray, np.ndarray]:
    """Where a quad's reading direction starts (mid start edge), and its vector to the end."""
    start = _point(quad, 0.0, vertical).mean(axis=0)
    return start, _point(quad, 1.0, vertical).mean(axis=0) - start


def reframe(
    spans: tuple[tuple[float, float], ...], read_quad: np.ndarray, quad: np.ndarray, vertical: bool
) -> tuple[tuple[float, float], ...]:
    """Spans measured along the crop that was read (`read_quad`) as fractions along the line's
    reported box (`quad`), which the detector grows less (stages/detection.py)."""
    origin, along = _axis(read_quad, vertical)
    base, axis = _axis(quad, vertical)
    length = float(axis @ axis) or 1.0

    def onto(f: float) -> float:
        return float(np.clip((origin + f * along - base) @ axis / length, 0.0, 1.0))

    return tuple((onto(s), onto(e)) for s, e in spans)


def char_extents(spans: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
    """Each character's stretch of the line (fractions of its length), gap-free.

    Neighbours meet halfway between the centres of their CTC spans; the first and last
    characters reach half a character pitch out, within the line.
    """
    if len(spans) < 2:  # a lone character: the line's box is the best guess there is
        return [(0.0, 1.0)] * len(spans)
    starts = np.array([s for s, _ in spans])
    ends = np.array([e for _, e in spans])
    centres = (starts + ends) / 2
    pitch = max(float(np.median(np.diff(centres))), float(np.median(ends - starts)))
    first = max(0.0, starts[0] - pitch / 2)
    last = min(1.0, ends[-1] + pitch / 2)
    cuts = np.concatenate(([first], (centres[:-1] + centres[1:]) / 2, [last]))
    return [(float(a), float(b)) for a, b in itertools.pairwise(cuts)]


def _groups(text: str) -> list[list[int]]:
    """Character indices of each word: Latin runs between spaces, CJK characters alone."""
    groups: list[list[int]] = []
    current: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or CJK.match(ch):
            if current:
                groups.append(current)
            current = []
            if not ch.isspace():
                groups.append([i])
        else:
            current.append(i)
    if current:
        groups.append(current)
    return groups


def word_boxes(
    text: str,
    spans: tuple[tuple[float, float], ...],
    quad: np.ndarray,
    vertical: bool = False,
    flipped: bool = False,
    read_quad: np.ndarray | None = None,
) -> list[Word]:
    """Split a recognised line into words placed on the page; `read_quad` is the crop the
    spans were measured on, where it is not the line's `quad`."""
    if len(spans) != len(text):
        return []
    if flipped:  # the crop was read upside down: fractions run from the other end
        spans = tuple((1.0 - e, 1.0 - s) for s, e in spans)
    if read_quad is not None:
        spans = reframe(spans, read_quad, quad, vertical)
    if flipped:  # characters come in reading order, last first along the quad
        text_order = sorted(range(len(text)), key=lambda i: spans[i][0])
        extents = dict(zip(text_order, char_extents(tuple(spans[i] for i in text_order))))
    else:
        extents = dict(enumerate(char_extents(spans)))
    words = []
    for group in _groups(text):
        start = min(extents[i][0] for i in group)
        end = max(extents[i][1] for i in group)
        points = np.vstack([_point(quad, start, vertical), _point(quad, end, vertical)])
        box = [
            int(np.floor(points[:, 0].min())),
            int(np.floor(points[:, 1].min())),
            int(np.ceil(points[:, 0].max())),
            int(np.ceil(points[:, 1].max())),
        ]
        words.append(Word("".join(text[i] for i in group), box))
    return words
