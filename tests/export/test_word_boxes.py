"""Word boxes on real pages against the PDF's own word boxes (`pdftotext -bbox`).

The recogniser's CTC spans alone give boxes narrower than the words (mean horizontal IoU
about 0.83 on these pages); widened to the neighbours' midpoints they fit far better.
"""

from __future__ import annotations

from statistics import mean

import pytest

from export.measures import pdf_words

pytestmark = pytest.mark.slow  # OCRs real pages


def _x_iou(a: list[float], b: list[float]) -> float:
    inter = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    return inter / (max(a[2], b[2]) - min(a[0], b[0]))


def test_word_boxes_cover_the_printed_words(tracemonkey, tracemonkey_pdf):
    overlaps = []
    for k, result in enumerate(tracemonkey, 1):
        truth = pdf_words(tracemonkey_pdf, k, result.settings.pdf_dpi / 72)
        for line in result.lines:
            for word in line.words:
                same = [
                    box
                    for text, box in truth
                    if text == word.text and box[1] < word.box[3] and word.box[1] < box[3]
                ]
                if same:
                    overlaps.append(max(_x_iou(box, word.box) for box in same))
    print(f"{len(overlaps)} words, mean horizontal IoU {mean(overlaps):.3f}")
    assert len(overlaps) > 1500 and mean(overlaps) >= 0.88
