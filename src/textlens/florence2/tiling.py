"""Cutting a large page into overlapping tiles for OCR, and keeping each text line once.

Florence-2 reads a square of 768 pixels (1024 on request): a 300-dpi Letter scan (2550 x 3300)
squashed into it loses most of each character. Tiles of at most `size` pixels, overlapping by
`overlap`, are read instead, each at the model's full resolution. Every tile owns a core, the
part of the page nearer to it than to its neighbours (the cores partition the page), and a line
is kept from the tile whose core holds its centre: a line cut by one tile's edge lies whole in
the neighbour that keeps it, as long as the overlap is wider than the line is tall.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .parse import Frame
from .result import Region


@dataclass(frozen=True)
class Tile:
    frame: Frame  # where the tile lies on the page
    core: tuple[float, float, float, float]  # x1, y1, x2, y2: the part of the page it owns

    def owns(self, region: Region) -> bool:
        x1, y1, x2, y2 = region.box
        cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
        left, top, right, bottom = self.core
        return left <= cx < right and top <= cy < bottom


def _spans(length: int, size: int, overlap: int) -> list[tuple[int, int, float, float]]:
    """Tiles along one side: (start, end) of each, and (start, end) of its core."""
    if length <= size:
        return [(0, length, 0.0, math.inf)]
    count = math.ceil((length - overlap) / (size - overlap))
    step = (length - size) / (count - 1)
    starts = [round(i * step) for i in range(count)]
    spans = []
    for i, start in enumerate(starts):
        end = start + size
        core_start = -math.inf if i == 0 else (start + starts[i - 1] + size) / 2
        core_end = math.inf if i == count - 1 else (end + starts[i + 1]) / 2
        spans.append((start, end, core_start, core_end))
    return spans


def tiles(width: int, height: int, size: int, overlap: int) -> list[Tile]:
    """The tiles of a page, row by row; one tile (the whole page) when it fits in one."""
    out = []
    for y0, y1, cy0, cy1 in _spans(height, size, overlap):
        for x0, x1, cx0, cx1 in _spans(width, size, overlap):
            out.append(Tile(Frame(x0, y0, x1 - x0, y1 - y0), (cx0, cy0, cx1, cy1)))
    return out


def merge(tiled: list[tuple[Tile, list[Region]]]) -> list[Region]:
    """Each tile's regions that lie in its core: every line once, from the tile that holds it."""
    return [r for tile, regions in tiled for r in regions if tile.owns(r)]
