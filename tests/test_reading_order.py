"""Reading order: columns read one after the other, rows of receipts and forms kept whole.

Layouts built by hand pin the rules down; the ground-truth line boxes of real pages (the eval
manifests: tracemonkey's two-column paper, SROIE receipts) check them at scale without OCR.
The same checks run on OCRed pages in tests/export/test_txt_order.py.
"""

from __future__ import annotations

import numpy as np

from conftest import manifest_items
from textlens.reading_order import reading_blocks, reading_order


def column_violations(boxes: list[list[float]], order: list[int], width: float) -> int:
    """Pairs (left-column line, right-column line) read right before left, within a band.

    Left lines end before the page's middle, right lines start after it; lines crossing the
    middle (titles, full-width figures' captions) cut the page into bands. Only lines of
    text (a quarter of the page wide) are checked: a chart's axis labels have no order.
    """
    mid = width / 2
    rank = {i: k for k, i in enumerate(order)}
    spans = sorted((b[1] + b[3]) / 2 for b in boxes if b[0] < mid < b[2])
    bands: dict[int, tuple[list[int], list[int]]] = {}
    for i, b in enumerate(boxes):
        if b[0] < mid < b[2] or b[2] - b[0] < width / 4:
            continue
        left, right = bands.setdefault(int(np.searchsorted(spans, (b[1] + b[3]) / 2)), ([], []))
        (left if b[2] <= mid else right).append(rank[i])
    return sum(sum(r < l for l in left for r in right) for left, right in bands.values())


def _boxes(item: dict) -> list[list[float]]:
    polys = [np.asarray(line["poly"], dtype=float) for line in item["lines"]]
    return [[p[:, 0].min(), p[:, 1].min(), p[:, 0].max(), p[:, 1].max()] for p in polys]


def _column(x0: int, top: int, rows: int, width: int = 400, pitch: int = 22) -> list[list[int]]:
    return [[x0, top + k * pitch, x0 + width, top + k * pitch + 16] for k in range(rows)]


def test_two_columns_under_a_full_width_title_read_column_by_column():
    title = [[150, 20, 850, 50]]
    left, right = _column(50, 100, 10), _column(520, 100, 10)
    footer = [[480, 400, 520, 416]]
    boxes = title + left + right + footer
    assert reading_order(boxes) == list(range(len(boxes)))


def test_a_receipt_keeps_each_key_with_its_value():
    boxes = []
    for k in range(8):  # long item names on the left, short prices far to the right
        boxes += [
            [40, 100 + 30 * k, 40 + 150 + 10 * k, 120 + 30 * k],
            [520, 101 + 30 * k, 580, 121 + 30 * k],
        ]
    blocks = reading_blocks(boxes)
    assert [i for b in blocks for i in b.indices] == list(range(16))
    assert all(len(row) == 2 for b in blocks for row in b.rows)


def test_a_full_width_table_above_the_columns_is_read_row_by_row():
    table = []
    for k in range(6):  # four narrow cells per row across the whole width
        table += [[60 + 230 * c, 40 + 22 * k, 120 + 230 * c, 56 + 22 * k] for c in range(4)]
    caption = [[300, 190, 700, 206]]
    left, right = _column(50, 240, 8), _column(520, 240, 8)
    boxes = table + caption + left + right
    assert reading_order(boxes) == list(range(len(boxes)))


def test_a_list_below_a_table_is_not_a_column_beside_it():
    intro = [[60, 20, 900, 40], [60, 46, 300, 66]]  # a paragraph ending in a short line
    table = []
    for k in range(8):  # a narrow table in the middle, three cells a row
        table += [[400 + 90 * c, 80 + 26 * k, 460 + 90 * c, 100 + 26 * k] for c in range(3)]
    bullets = [[80, 300 + 26 * k, 360, 320 + 26 * k] for k in range(3)]
    boxes = intro + table + bullets
    assert reading_order(boxes) == list(range(len(boxes)))


def test_paragraphs_break_at_indents_and_spacing():
    lines = [*_column(50, 100, 3), [80, 166, 450, 182], *_column(50, 188, 2), *_column(50, 260, 2)]
    blocks = reading_blocks(lines)
    assert [b.indices for b in blocks] == [[0, 1, 2], [3, 4, 5], [6, 7]]


def test_no_lines_no_blocks():
    assert reading_blocks([]) == [] and reading_order([]) == []


def test_tracemonkey_columns_never_interleave(eval_data):
    """Every page of the two-column paper, from the PDF's own line boxes."""
    checked = 0
    for item in manifest_items(eval_data, "pdf_digital"):
        if item["doc"] != "tracemonkey":
            continue
        boxes = _boxes(item)
        assert column_violations(boxes, reading_order(boxes), item["width"]) == 0, item["image"]
        checked += 1
    assert checked == 14


def test_receipt_rows_stay_whole(eval_data):
    """Lines side by side on a SROIE receipt row end up in one row of the reading order."""
    pairs = kept = 0
    for item in manifest_items(eval_data, "sroie"):
        boxes = _boxes(item)
        row_of = {
            i: (b, r)
            for b, block in enumerate(reading_blocks(boxes))
            for r, row in enumerate(block.rows)
            for i in row
        }
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                c = boxes[j]
                height = min(a[3] - a[1], c[3] - c[1])
                overlap = min(a[3], c[3]) - max(a[1], c[1])
                if overlap >= 0.7 * height:
                    pairs += 1
                    kept += row_of[i] == row_of[j]
    assert pairs > 1000 and kept / pairs >= 0.98
