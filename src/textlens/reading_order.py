"""Reading order: text lines grouped into blocks and ordered as a person reads a page.

The detector hands over lines sorted top to bottom, which interleaves the columns of a
two-column paper row by row. Here a page is cut recursively. First across, at empty bands at
least two text heights tall (figures, listings and captions stand between such gaps). Then,
where a vertical gutter separates two columns of text, the lines that cross it (a title, an
abstract set full width, a footer) cut the region into bands, and each band is read left
column first, then right. A gutter is only taken for one between *columns of text*: on
receipts and forms the same kind of gutter runs between keys and their values, and reading all
keys before all values would tear every row apart. So two sides count as columns only when
both have text along the height they share, each is more than a row tall, and either their
lines do not pair up row by row or both are set like text (wide, many lines filling the
width); anything else is read row by row, left to right. Inside each region, rows are grouped
into blocks (paragraphs) where the spacing, the indent or the text size changes.

Everything works on axis-aligned boxes [x0, y0, x1, y1] in page pixels, so it serves any
list of lines; `OCRResult.blocks` applies it to a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_MIN_GUTTER = 1.0  # a gutter is at least one text height wide
_MIN_COLUMN_WIDTH = 8.0  # a column of text is at least this many text heights wide
_FILLED = 0.7  # a line fills its column when it is this share of the column's width
_FILLED_SHARE = 0.3  # in a column of text at least this share of lines fill it (figures
# and code listings in a column leave many lines short)
_MIN_COLUMN_LINES = 4  # sides sharing rows need this many lines to be columns of text
_PAIRED_SHARE = 0.25  # sides whose lines share rows this often may be a table, not columns
_SIDE_BY_SIDE = 0.5  # columns both have text along half the height they share
_SAME_ROW = 0.5  # two lines overlapping vertically by half the smaller height share a row
_RESIZED = 1.6  # text this much taller or smaller than its block starts a new one (detected
# heights of one font wobble by a third with ascenders, descenders and brackets)
_SLAB_GAP = 2.0  # empty bands this many text heights tall cut a region across
_EDGE_MARGIN = 0.15  # gutters are looked for away from the region's outer 15 %


@dataclass(frozen=True)
class Block:
    """A paragraph-like group of lines: its rows in reading order, each row left to right.

    Rows hold indices into the list of boxes that was ordered.
    """

    rows: tuple[tuple[int, ...], ...]

    @property
    def indices(self) -> list[int]:
        return [i for row in self.rows for i in row]


def reading_blocks(boxes: Sequence[Sequence[float]]) -> list[Block]:
    """Group lines (by their boxes) into blocks, in the order a person reads the page."""
    if not len(boxes):
        return []
    page = _Boxes(np.asarray(boxes, dtype=float).reshape(-1, 4))
    blocks: list[Block] = []
    for leaf in _regions(page, np.arange(len(page.b))):
        blocks.extend(_paragraphs(page, _rows(page, leaf)))
    return blocks


def reading_order(boxes: Sequence[Sequence[float]]) -> list[int]:
    """Indices of the lines in reading order."""
    return [i for block in reading_blocks(boxes) for i in block.indices]


class _Boxes:
    """The page's boxes with the measures every step needs."""

    def __init__(self, b: np.ndarray):
        self.b = b
        self.h = np.maximum(b[:, 3] - b[:, 1], 1.0)
        self.w = np.maximum(b[:, 2] - b[:, 0], 1.0)
        self.cx = (b[:, 0] + b[:, 2]) / 2
        self.cy = (b[:, 1] + b[:, 3]) / 2
        self.text_height = float(np.median(self.h))


def _regions(page: _Boxes, idx: np.ndarray) -> list[np.ndarray]:
    """Split lines into leaf regions in reading order, recursively: first into slabs at wide
    horizontal gaps across the whole region, then into columns within bands."""
    parts = _slabs(page, idx)
    if len(parts) == 1:
        parts = (_column_split(page, idx) if len(idx) >= 4 else None) or []
    if not parts:
        return [idx]
    return [leaf for part in parts for leaf in _regions(page, part)]


def _slabs(page: _Boxes, idx: np.ndarray) -> list[np.ndarray]:
    """The region cut at every empty horizontal band at least _SLAB_GAP text heights tall.

    Figures, code listings and their captions sit between such gaps, and whatever gutter
    they have (code | comments) must not be taken for the columns below them. The gap is
    wide enough that the row gaps of two columns set side by side never line up into one.
    """
    order = idx[np.argsort(page.b[idx, 1], kind="stable")]
    parts, start, bottom = [], 0, -np.inf
    for k, i in enumerate(order):
        if k and page.b[i, 1] - bottom >= _SLAB_GAP * page.text_height:
            parts.append(order[start:k])
            start = k
        bottom = max(bottom, page.b[i, 3])
    parts.append(order[start:])
    return parts


def _column_split(page: _Boxes, idx: np.ndarray) -> list[np.ndarray] | None:
    """The region cut at a gutter between columns of text, as parts in reading order.

    Candidate gutters are whitespace runs at least one text height wide that few lines
    cross; the least-crossed one that separates columns of text in some band wins. Lines
    that cross it (full-width spanners) cut the region into bands read top to bottom; a band
    whose sides are columns is read left side first, any other band (a full-width table
    above the columns, say) stays whole.
    """
    b = page.b[idx]
    x0, x1 = float(b[:, 0].min()), float(b[:, 2].max())
    step = max(page.text_height / 4, 1.0)
    xs = np.arange(x0 + _EDGE_MARGIN * (x1 - x0), x1 - _EDGE_MARGIN * (x1 - x0), step)
    if not len(xs):
        return None
    cross = ((b[:, 0][None, :] < xs[:, None]) & (b[:, 2][None, :] > xs[:, None])).sum(axis=1)
    left = (b[:, 2][None, :] <= xs[:, None]).sum(axis=1)
    right = (b[:, 0][None, :] >= xs[:, None]).sum(axis=1)
    ok = (left >= 2) & (right >= 2) & (cross <= (left + right) // 2)
    # runs of steps where no line starts or ends are whitespace running down the region
    changes = np.flatnonzero(np.diff(left * (len(idx) + 1) + right)) + 1
    candidates = []
    for start, stop in zip([0, *changes.tolist()], [*changes.tolist(), len(xs)]):
        mid = (start + stop - 1) // 2
        if ok[mid] and (stop - start) * step >= _MIN_GUTTER * page.text_height:
            candidates.append(
                (int(cross[mid]), -min(int(left[mid]), int(right[mid])), float(xs[mid]))
            )
    for _, _, x in sorted(candidates):
        parts = _bands(page, idx, x)
        if parts is not None:
            return parts
    return None


def _bands(page: _Boxes, idx: np.ndarray, gutter: float) -> list[np.ndarray] | None:
    """Parts in reading order for one gutter, or None when no band has columns of text."""
    b = page.b[idx]
    crossing = (b[:, 0] < gutter) & (b[:, 2] > gutter)
    spanners, others = idx[crossing], idx[~crossing]
    cuts = np.sort(page.cy[spanners])
    band_of = np.searchsorted(cuts, page.cy[others])
    span_of = np.searchsorted(cuts, page.cy[spanners], side="left")
    parts: list[np.ndarray] = []
    # sides that read as columns all the way down split every band (a band holding a figure
    # may not look like text by itself); otherwise each band is judged on its own
    everywhere = _columns_of_text(
        page, others[page.cx[others] < gutter], others[page.cx[others] >= gutter]
    )
    columns = False
    for k in range(len(cuts) + 1):
        band = others[band_of == k]
        left, right = band[page.cx[band] < gutter], band[page.cx[band] >= gutter]
        if len(left) and len(right) and (everywhere or _columns_of_text(page, left, right)):
            parts.extend((left, right))
            columns = True
        elif len(band):
            parts.append(band)
        group = spanners[span_of == k]
        if len(group):  # consecutive spanners (no band between them) are read together
            parts.append(group)
    return parts if columns else None


def _columns_of_text(page: _Boxes, left: np.ndarray, right: np.ndarray) -> bool:
    """Are two sides columns of text, rather than keys and values on shared rows?

    Both sides must stand side by side, each more than a row tall. Sides that do not share
    rows are then columns; sides that do only when both are set like text: wide, with many
    lines filling the side's width.
    """
    if len(_rows(page, left)) < 2 or len(_rows(page, right)) < 2:
        return False  # a "column" one row tall is a key and its value, say
    if not _side_by_side(page, left, right):
        return False
    if _paired_share(page, left, right) < _PAIRED_SHARE:
        return True
    return _text_like(page, left) and _text_like(page, right)


def _side_by_side(page: _Boxes, left: np.ndarray, right: np.ndarray) -> bool:
    """Do both sides have text over most of the height they share?

    A short line beside a table, with a list below the table, is not a column: along the
    table it leaves the left side empty.
    """
    top = max(page.b[left, 1].min(), page.b[right, 1].min())
    bottom = min(page.b[left, 3].max(), page.b[right, 3].max())
    if bottom <= top:
        return False
    return all(_covered(page, side, top, bottom) >= _SIDE_BY_SIDE for side in (left, right))


def _covered(page: _Boxes, side: np.ndarray, top: float, bottom: float) -> float:
    """Share of [top, bottom] within half a text height of a line of this side."""
    pad = page.text_height / 2
    spans = sorted((max(page.b[i, 1] - pad, top), min(page.b[i, 3] + pad, bottom)) for i in side)
    covered, reach = 0.0, top
    for start, end in spans:
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered / (bottom - top)


def _text_like(page: _Boxes, side: np.ndarray) -> bool:
    """A side set like a column of text: wide, and its lines mostly fill that width."""
    extent = page.b[side, 2].max() - page.b[side, 0].min()
    filled = float((page.w[side] >= _FILLED * extent).mean())
    return bool(
        len(side) >= _MIN_COLUMN_LINES
        and filled >= _FILLED_SHARE
        and extent >= _MIN_COLUMN_WIDTH * page.text_height
    )


def _paired_share(page: _Boxes, left: np.ndarray, right: np.ndarray) -> float:
    """Share of the smaller side's lines that sit on a row with a line of the other side."""
    few, many = (left, right) if len(left) <= len(right) else (right, left)
    bf, bm = page.b[few], page.b[many]
    overlap = np.minimum(bf[:, None, 3], bm[None, :, 3]) - np.maximum(
        bf[:, None, 1], bm[None, :, 1]
    )
    smaller = np.minimum(page.h[few][:, None], page.h[many][None, :])
    return float((overlap >= _SAME_ROW * smaller).any(axis=1).mean())


def _rows(page: _Boxes, idx: np.ndarray) -> list[list[int]]:
    """Lines of one region grouped into rows (top to bottom), each row left to right.

    A line joins a row when it overlaps the row's first line vertically by half the smaller
    height, so a slightly skewed key/value pair stays one row.
    """
    rows: list[list[int]] = []
    for i in sorted(idx.tolist(), key=lambda i: (page.cy[i], page.b[i, 0])):
        for row in reversed(rows[-3:]):  # only the last few rows can still be reached
            seed = row[0]
            overlap = min(page.b[i, 3], page.b[seed, 3]) - max(page.b[i, 1], page.b[seed, 1])
            if overlap >= _SAME_ROW * min(page.h[i], page.h[seed]):
                row.append(i)
                break
        else:
            rows.append([i])
    return [sorted(row, key=lambda i: page.b[i, 0]) for row in rows]


def _paragraphs(page: _Boxes, rows: list[list[int]]) -> list[Block]:
    """Cut a region's rows into blocks where spacing, indent or text size changes."""
    if not rows:
        return []
    top = np.array([min(page.b[i, 1] for i in r) for r in rows])
    bottom = np.array([max(page.b[i, 3] for i in r) for r in rows])
    height = np.array([float(np.median(page.h[r])) for r in rows])
    left = np.array([min(page.b[i, 0] for i in r) for r in rows])
    gaps = top[1:] - bottom[:-1]
    usual_gap = float(np.median(gaps)) if len(gaps) else 0.0
    margin = float(np.median(left))
    blocks: list[list[tuple[int, ...]]] = [[tuple(rows[0])]]
    for k in range(1, len(rows)):
        h = min(height[k], height[k - 1])
        spaced = gaps[k - 1] > max(usual_gap, 0.0) + 0.4 * h
        block_height = float(np.median([height[j] for j in range(k - len(blocks[-1]), k)]))
        resized = max(height[k], block_height) > _RESIZED * min(height[k], block_height)
        indented = left[k] - margin > 0.8 * h and abs(left[k - 1] - margin) <= 0.5 * h
        if spaced or resized or indented:
            blocks.append([])
        blocks[-1].append(tuple(rows[k]))
    return [Block(tuple(rows_)) for rows_ in blocks]
