"""The page loop of a job: its planned pages read in order, each one failing alone.

A job plans its pages when it is submitted (which input, which page of it), so that it can be
charged, resumed from any page, and read in bounded memory. Reading goes through the engine's
one page loop (OCR.read, with read-ahead), one input at a time, from the input's file on disk;
a page that cannot be decoded is reported where it would have come out, and the loop goes on
with the next page rather than losing the rest of the input.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from pathlib import Path

from ...config import Settings
from ...errors import TextlensError
from ...inputs import Page, Source
from ...pipeline import OCR
from ...result import OCRResult

# (input, page): the input's position in the job, the page (or frame) of it
Planned = tuple[int, int]


def read_planned(
    engine: OCR,
    settings: Settings,
    plan: Sequence[Planned],
    input_path: Callable[[int], Path],
    input_name: Callable[[int], str],
) -> Iterator[tuple[Page, OCRResult] | TextlensError]:
    """Each planned page's page and result, or the error that page (alone) fails with."""
    for index, group in groupby(plan, key=lambda planned: planned[0]):
        remaining = [page for _, page in group]
        while remaining:
            name = input_name(index)
            source = Source(
                name=name, path=str(input_path(index)), selection=tuple(remaining), alias=name
            )
            try:
                for read in engine.read([source], settings):
                    remaining.pop(0)
                    yield read
            except TextlensError as exc:
                remaining.pop(0)
                yield exc
