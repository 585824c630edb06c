import itertools

import cv2
import numpy as np

from textlens.stages.long_lines import MAX_RATIO, pieces

SENTENCE = (
    "The quick brown fox jumps over the lazy dog while seven wizards quietly box "
    "jugs of liquor near the old harbour wall, and the invoice for 12 crates of pears "
    "came to 48.50 before tax was added by the clerk who kept the books that spring, "
    "and the receipt was filed away in a drawer"
)


def rendered(text: str, ink: int = 0, paper: int = 255) -> np.ndarray:
    (w, h), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.8, 2)
    line = np.full((h + base + 6, w + 16, 3), paper, np.uint8)
    cv2.putText(line, text, (8, h + 3), cv2.FONT_HERSHEY_SIMPLEX, 0.8, (ink,) * 3, 2, cv2.LINE_AA)
    return line


def test_a_short_line_stays_whole():
    line = rendered("Total 12.50")
    assert pieces(line) == [(0, line.shape[1])]


def test_a_long_line_is_cut_only_in_blank_columns_and_within_reach():
    line = rendered(SENTENCE)
    h, w = line.shape[:2]
    assert w > 1.5 * MAX_RATIO * h
    ranges = pieces(line)
    assert len(ranges) >= 2 and ranges[0][0] == 0 and ranges[-1][1] == w
    ink = (line.min(axis=2) < 128).sum(axis=0)
    for (_, end), (start, _) in itertools.pairwise(ranges):
        assert end == start and ink[end] == 0  # a cut lies between words
    assert all(x1 - x0 <= MAX_RATIO * h for x0, x1 in ranges[:-1])


def test_light_text_on_a_dark_band_is_cut_too():
    line = rendered(SENTENCE, ink=255, paper=30)
    assert len(pieces(line)) >= 2


def test_a_line_without_word_gaps_is_left_whole():
    line = rendered(SENTENCE.replace(" ", ""))
    assert pieces(line) == [(0, line.shape[1])]
