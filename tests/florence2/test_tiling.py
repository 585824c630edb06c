"""Tiles of a large page: they cover it, their cores partition it, each line is kept once."""

from __future__ import annotations

from itertools import pairwise

from textlens.florence2.result import Region
from textlens.florence2.tiling import merge, tiles


def test_a_page_that_fits_is_one_tile():
    [tile] = tiles(700, 900, 1024, 128)
    assert (tile.frame.width, tile.frame.height) == (700, 900)


def test_tiles_cover_a_300_dpi_page_with_the_overlap_asked_for():
    cut = tiles(2550, 3300, 1024, 128)
    assert len(cut) == 3 * 4
    assert all(t.frame.width == t.frame.height == 1024 for t in cut)
    xs = sorted({t.frame.x for t in cut})
    assert xs[0] == 0 and xs[-1] + 1024 == 2550
    assert all(b - a <= 1024 - 128 for a, b in pairwise(xs))


def test_every_point_of_the_page_belongs_to_exactly_one_core():
    cut = tiles(2550, 3300, 1024, 128)
    for x in range(0, 2550, 37):
        for y in range(0, 3300, 41):
            point = Region("", [x, y, x, y])
            assert sum(t.owns(point) for t in cut) == 1


def test_a_line_read_by_two_tiles_is_kept_once():
    cut = tiles(2000, 800, 1024, 200)
    line = Region("TOTAL", [950.0, 100.0, 1050.0, 130.0])
    assert len(merge([(t, [line]) for t in cut])) == 1
