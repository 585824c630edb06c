"""The typed answer of one Florence-2 task on one page, and its OCRResult for the OCR tasks.

Every task answers with the same two things: a text (a caption, the page's text, a region's
category; empty for pure detection) and regions, each a label with a box, and a quadrilateral
(text lines) or polygons (segmentation) where the task gives them, all in the pixels of the page
as it was decoded (EXIF orientation applied). The OCR tasks also convert to textlens's OCRResult,
so the exporters, the reading order and the service's OCR faces read them as they read PP-OCR's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from ..config import Settings
from ..files import atomic_write
from ..images import encode, format_for, to_pil
from ..render import _PALETTE, font
from ..result import RESULT_SUFFIX, Line, OCRResult, page_stem
from .tasks import OCR_TASKS

# Florence-2 scores nothing it writes; OCRResult's lines need a score, and every line the model
# wrote is one it stands by, so each gets this one (hOCR's x_wconf 100, ALTO's WC 1).
LINE_SCORE = 1.0


@dataclass
class Region:
    """One thing the model placed on the page."""

    label: str  # category, phrase, description, or a text line's text ("" for a proposal)
    box: list[float]  # x1, y1, x2, y2 in page pixels
    quad: list[float] | None = None  # text lines: x1, y1, ..., x4, y4 clockwise from top-left
    polygons: list[list[float]] = field(default_factory=list)  # each x1, y1, x2, y2, ...

    @property
    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "box": self.box}
        if self.quad is not None:
            out["quad"] = self.quad
        if self.polygons:
            out["polygons"] = self.polygons
        return out


@dataclass
class Florence2Result:
    """One task's answer on one page."""

    task: str  # the task token, "<OD>"
    text: str
    regions: list[Region]
    name: str  # stem of the input, for output files
    input_path: str | None
    page_index: int | None
    image: np.ndarray  # the page, BGR, as decoded
    text_input: str | None = None
    generated: list[str] = field(default_factory=list)  # what the model wrote (one per tile)
    ext: str = ".png"
    dpi: float | None = None

    @property
    def file_stem(self) -> str:
        return page_stem(self.name, self.page_index)

    @property
    def size(self) -> tuple[int, int]:
        return self.image.shape[1], self.image.shape[0]

    @property
    def json(self) -> dict[str, Any]:
        width, height = self.size
        return {
            "res": {
                "input_path": self.input_path,
                "page_index": self.page_index,
                "task": self.task,
                "text_input": self.text_input,
                "width": width,
                "height": height,
                "text": self.text,
                "regions": [r.json for r in self.regions],
                "generated": self.generated,
            }
        }

    def to_string(self, indent: int = 4) -> str:
        return json.dumps(self.json, indent=indent, ensure_ascii=False)

    def print(self, indent: int = 4) -> None:
        print(self.to_string(indent))

    def save_to_json(self, save_path: str | Path) -> Path:
        """Write the JSON; a folder gets `<stem>_res.json`. Written atomically."""
        target = Path(save_path)
        if target.suffix.lower() != ".json":
            target = target / f"{self.file_stem}{RESULT_SUFFIX}"
        atomic_write(target, self.to_string().encode("utf-8"))
        return target

    def draw(self) -> Image.Image:
        """The page with every region outlined (its polygons, quad or box) and labelled."""
        page = to_pil(self.image).convert("RGB")
        draw = ImageDraw.Draw(page)
        for i, region in enumerate(self.regions):
            colour = _PALETTE[i % len(_PALETTE)]
            shapes = region.polygons or ([region.quad] if region.quad else [])
            for shape in shapes:
                draw.polygon(list(zip(shape[0::2], shape[1::2])), outline=colour, width=2)
            if not shapes:
                draw.rectangle(region.box, outline=colour, width=2)
            if region.label:
                size = max(10, min(32, int((region.box[3] - region.box[1]) * 0.6)))
                draw.text((region.box[0] + 2, region.box[1]), region.label, colour, font(size))
        return page

    def save_to_img(self, save_path: str | Path) -> Path:
        """Write the drawing; a folder gets `<stem>_florence_img.<ext>`."""
        target = Path(save_path)
        if not target.suffix or target.is_dir():
            target = target / f"{self.file_stem}_florence_img{self.ext}"
        atomic_write(target, encode(self.draw(), format_for(target.suffix)))
        return target

    def to_ocr(self) -> OCRResult:
        """The OCR tasks' answer as an OCRResult: a line per text line the model placed
        (<OCR_WITH_REGION>, or <OCR> read in tiles), else one line spanning the page for the
        text of <OCR>, which places none."""
        placed = [r for r in self.regions if r.quad is not None]
        if placed:
            polys = [np.asarray(r.quad, dtype=np.float32).reshape(4, 2) for r in placed]
            lines = [Line(r.label, LINE_SCORE, p) for r, p in zip(placed, polys)]
        elif self.task in OCR_TASKS:
            width, height = self.size
            page = np.array([[0, 0], [width, 0], [width, height], [0, height]], np.float32)
            lines = [Line(self.text, LINE_SCORE, page)] if self.text.strip() else []
        else:
            raise ValueError(f"{self.task} is not an OCR task: it has no OCRResult")
        return OCRResult(
            name=self.name,
            input_path=self.input_path,
            page_index=self.page_index,
            image=self.image,
            settings=Settings(),
            lines=lines,
            dt_polys=[line.poly for line in lines],
            dt_scores=[LINE_SCORE] * len(lines),
            textline_orientation_angles=[-1] * len(lines),
            ext=self.ext,
            dpi=self.dpi,
        )
