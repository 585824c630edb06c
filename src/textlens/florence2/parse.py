"""Florence-2's generated strings -> text and regions in the original image's pixels.

The model writes places as location tokens: `<loc_N>`, N in 0..999, a bin of the image's width
(x) or height (y). A box is four of them (x1 y1 x2 y2), a text line's quadrilateral eight (four
corners), a polygon any even number, with `<sep>` between the polygons of one object and
`<poly>...</poly>` around each object where a task may give several. A label (a category, a
phrase, a line's text) comes before the places it names. The input was squashed to a square,
so a bin maps linearly back to the page (or the tile) it was read from: `Frame`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .result import Region
from .tasks import Task

BINS = 1000
# a location, a polygon separator or delimiter, any other tag (<s>, </s>, <pad>: dropped), text
_TOKENS = re.compile(r"<loc_(\d{1,3})>|(<sep>)|(<poly>)|(</poly>)|<[a-z_/]{1,30}>|([^<]+|<)")


@dataclass(frozen=True)
class Frame:
    """Where the image the model read lies on the page: its origin and size in page pixels."""

    x: float
    y: float
    width: float
    height: float

    def point(self, bx: int, by: int) -> tuple[float, float]:
        """A bin pair -> page pixels: the bin's centre, as the bins were cut."""
        return (
            round(self.x + (bx + 0.5) * self.width / BINS, 2),
            round(self.y + (by + 0.5) * self.height / BINS, 2),
        )


@dataclass
class _Instance:
    """One labelled thing the model wrote: its label and its runs of location bins (a new run
    at each `<sep>`)."""

    label: str = ""
    runs: list[list[int]] = field(default_factory=lambda: [[]])
    in_poly: bool = False

    @property
    def bins(self) -> list[int]:
        return [b for run in self.runs for b in run]


def _instances(text: str) -> tuple[list[_Instance], bool]:
    """The string as labelled instances, and whether it used `<poly>` delimiters."""
    out: list[_Instance] = []
    current = _Instance()
    used_poly = False

    def close() -> None:
        nonlocal current
        if current.label.strip() or current.bins:
            current.label = current.label.strip()
            out.append(current)
        current = _Instance()

    for match in _TOKENS.finditer(text):
        loc, sep, poly, end_poly, words = match.groups()
        if loc is not None:
            current.runs[-1].append(min(int(loc), BINS - 1))
        elif sep:
            current.runs.append([])
        elif poly:
            used_poly = True
            if current.bins:  # a second object of the same label
                label = current.label
                close()
                current.label = label
            current.in_poly = True
        elif end_poly:
            label = current.label
            close()
            current.label = label
        elif words is not None:
            if current.bins:  # text after places: the next instance's label
                close()
            current.label += words
    close()
    # a label carried over past the last </poly> with no places of its own is not an object
    return [i for i in out if i.bins or not i.in_poly], used_poly


def _box(points: list[tuple[float, float]]) -> list[float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return [min(xs), min(ys), max(xs), max(ys)]


def _boxes(inst: _Instance, frame: Frame) -> list[Region]:
    bins = inst.bins
    return [
        Region(inst.label, [*frame.point(*bins[i : i + 2]), *frame.point(*bins[i + 2 : i + 4])])
        for i in range(0, len(bins) - 3, 4)
    ]


def _quads(inst: _Instance, frame: Frame) -> list[Region]:
    bins = inst.bins
    regions = []
    for i in range(0, len(bins) - 7, 8):
        points = [frame.point(bins[j], bins[j + 1]) for j in range(i, i + 8, 2)]
        quad = [v for p in points for v in p]
        regions.append(Region(inst.label, _box(points), quad=quad))
    return regions


def _polygons(inst: _Instance, frame: Frame, label: str) -> list[Region]:
    polygons = []
    for run in inst.runs:
        points = [frame.point(run[j], run[j + 1]) for j in range(0, len(run) - 1, 2)]
        if len(points) >= 3:
            polygons.append(points)
    if not polygons:
        return []
    flat = [[v for p in poly for v in p] for poly in polygons]
    return [
        Region(inst.label or label, _box([p for poly in polygons for p in poly]), polygons=flat)
    ]


def parse(
    task: Task, text: str, frame: Frame, text_input: str | None = None
) -> tuple[str, list[Region]]:
    """The answer's text and its regions, placed on the page by `frame`.

    Text tasks answer with their text (and, where the model names the region it answers about,
    that region); the others with their regions and no text, except text lines, whose text is
    each line's. Incomplete places (a box with three numbers, where generation stopped) are
    dropped, never guessed.
    """
    instances, used_poly = _instances(text)
    if task.answer == "text":
        answer = "".join(i.label for i in instances).strip()
        return answer, [r for i in instances for r in _boxes(i, frame)]
    if task.answer == "quads":
        regions = [r for i in instances for r in _quads(i, frame)]
        return "\n".join(r.label for r in regions), regions
    polygons = task.answer == "polygons" or (task.answer == "boxes_or_polygons" and used_poly)
    if polygons:
        label = (text_input or "") if task.takes == "text" else ""
        return "", [r for i in instances for r in _polygons(i, frame, label)]
    return "", [r for i in instances for r in _boxes(i, frame)]
