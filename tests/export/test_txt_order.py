"""The txt output of a two-column paper read as a person reads it (issue 5).

Reference: poppler's own reading of the original PDF (`pdftotext`, its text layer in order).
Baseline: `pdftotext -layout` run on our searchable PDF, i.e. our own lines in the order a
layout-preserving extractor gives them. Our txt must do at least as well, and never interleave
the columns.
"""

from __future__ import annotations

import dataclasses

import pytest

from export.measures import cer, pdftotext
from test_reading_order import column_violations
from textlens.export import EXPORTERS
from textlens.export.text import page_text
from textlens.result import OCRResult

pytestmark = pytest.mark.slow  # OCRs real pages


def _order(result: OCRResult) -> list[int]:
    index = {id(line): i for i, line in enumerate(result.lines)}
    return [index[id(line)] for block in result.blocks for row in block for line in row]


def test_txt_cer_no_worse_than_pdftotext_layout(tracemonkey, tracemonkey_pdf, tmp_path):
    txt_pages = EXPORTERS["txt"][1](tracemonkey).decode("utf-8").split("\f")
    ours_pdf = tmp_path / "ours.pdf"
    # image pages (no source PDF to keep), so -layout reads our lines, not the PDF's own text
    image_pages = [dataclasses.replace(result, input_path=None) for result in tracemonkey]
    ours_pdf.write_bytes(EXPORTERS["pdf"][1](image_pages))
    for k, (_result, txt) in enumerate(zip(tracemonkey, txt_pages), 1):
        reference = pdftotext(tracemonkey_pdf, k)
        ours = cer(reference, txt)
        layout = cer(reference, pdftotext(ours_pdf, k, "-layout"))
        print(f"page {k}: CER txt {ours:.4f}, pdftotext -layout of our lines {layout:.4f}")
        assert ours <= layout and ours < 0.05


def test_columns_never_interleave(tracemonkey):
    for result in tracemonkey:
        boxes = [line.box for line in result.lines]
        width = result.image.shape[1]
        assert column_violations(boxes, _order(result), width) == 0
        # the check has teeth: the detector's top-to-bottom order interleaves the columns
        assert column_violations(boxes, list(range(len(boxes))), width) > 100


def test_text_and_txt_follow_the_same_reading_order(tracemonkey):
    for result in tracemonkey:
        assert result.text == page_text(result).replace("\n\n", "\n")
        assert result.text.splitlines()[0].startswith(("Trace-based", "Hence"))
