"""The one result type: a page, its text lines, and (on request) their words.

Every face of textlens reads this: `.json` is PaddleOCR's `{"res": {...}}` layout (the keys of
its print() list), exporters and servers read the typed lines. Nothing here runs a model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .config import Settings
from .files import atomic_write
from .geometry import quad_to_box
from .images import encode, format_for, to_pil
from .reading_order import reading_blocks

RESULT_SUFFIX = "_res.json"  # a page's JSON is `<page stem>_res.json`, as PaddleOCR names it
SCORE_DIGITS = 6  # decimals a score is saved with (rec_scores, dt_scores)


def page_stem(name: str, page_index: int | None) -> str:
    """PaddleOCR's naming of a page's files: `<stem>` for an image, `<stem>_<page_index>` for a
    page of a PDF or a multi-frame image."""
    return name if page_index is None else f"{name}_{page_index}"


@dataclass
class Word:
    """A word (or a CJK character) of a line, placed by the recogniser's CTC alignment."""

    text: str
    box: list[int]  # x_min, y_min, x_max, y_max in page pixels


@dataclass
class Line:
    """One recognised text line."""

    text: str
    score: float
    poly: np.ndarray  # 4 x 2, clockwise from top-left, page pixels
    words: list[Word] = field(default_factory=list)

    def __post_init__(self) -> None:
        # held as saved, so that an exporter writes the same from a result and its reload
        self.score = round(float(self.score), SCORE_DIGITS)

    @property
    def box(self) -> list[int]:
        return quad_to_box(self.poly)


@dataclass
class OCRResult:
    """The OCR of one page."""

    name: str  # stem used for output files
    input_path: str | None
    page_index: int | None
    image: np.ndarray  # the page as detected (after orientation / unwarping), BGR
    settings: Settings
    lines: list[Line]
    dt_polys: list[np.ndarray]
    dt_scores: list[float]
    textline_orientation_angles: list[int]
    doc_angle: int = -1  # -1 when orientation classification did not run
    input_image: np.ndarray | None = None  # the page before preprocessing, when it ran
    ext: str = ".png"
    return_word_box: bool = False
    dpi: float | None = None  # the page's resolution, as decoding found it (inputs.Page.dpi)

    @property
    def text(self) -> str:
        """The page's text in reading order: one row per line, lines sharing a row joined."""
        return "\n".join(
            " ".join(line.text for line in row) for block in self.blocks for row in block
        )

    @cached_property
    def blocks(self) -> list[list[list[Line]]]:
        """The lines in reading order, grouped into blocks (paragraphs) and rows.

        Columns are read one after the other and rows left to right (see reading_order).
        """
        return [
            [[self.lines[i] for i in row] for row in block.rows]
            for block in reading_blocks([line.box for line in self.lines])
        ]

    @property
    def file_stem(self) -> str:
        return page_stem(self.name, self.page_index)

    @classmethod
    def from_json(
        cls,
        data: Mapping[str, Any] | str | Path,
        image: np.ndarray | str | Path | None = None,
        pdf_dpi: int | None = None,
    ) -> OCRResult:
        """The result a saved `.json` records, rebuilt to export or show again without OCR:
        its `.json`, lines, words and reading order come out as they were saved.

        `data` is `.json` (or its inner `res`), its JSON text, or a `*_res.json` file. The JSON
        holds no pixels, so the page comes from `image` (a BGR array or an image file) when
        given; else, when preprocessing ran, from the `<stem>_preprocessed_img.<ext>` that
        save_to_img wrote beside the file; else from decoding `input_path` again (a PDF at
        `pdf_dpi`, which the JSON does not record: pass the one it was OCRed at if not the
        default). An InputError says which image is missing. `dpi` is the input's as decoding
        finds it, else the standing-in image's (a saved PNG records none). See reload.py.
        """
        from .reload import load  # reload reads this module's types

        return load(data, image, pdf_dpi)

    @cached_property
    def json(self) -> dict[str, Any]:
        s = self.settings
        res: dict[str, Any] = {
            "input_path": self.input_path,
            "page_index": self.page_index,
            "model_settings": {
                "use_doc_preprocessor": s.use_doc_preprocessor,
                "use_textline_orientation": s.use_textline_orientation,
            },
        }
        if s.use_doc_preprocessor:
            res["doc_preprocessor_res"] = {
                "input_path": None,
                "page_index": None,
                "model_settings": {
                    "use_doc_orientation_classify": s.use_doc_orientation_classify,
                    "use_doc_unwarping": s.use_doc_unwarping,
                },
                "angle": self.doc_angle // 90 if self.doc_angle >= 0 else -1,
            }
        res.update(
            {
                "dt_polys": [np.asarray(p).astype(int).tolist() for p in self.dt_polys],
                "dt_scores": [round(float(v), SCORE_DIGITS) for v in self.dt_scores],
                "text_det_params": {
                    "limit_side_len": s.text_det_limit_side_len,
                    "limit_type": s.text_det_limit_type,
                    "thresh": s.det_value("thresh"),
                    "max_side_limit": s.text_det_max_side_limit,
                    "box_thresh": s.det_value("box_thresh"),
                    "unclip_ratio": s.det_value("unclip_ratio"),
                },
                "text_type": "general",
                "textline_orientation_angles": list(self.textline_orientation_angles),
                "text_rec_score_thresh": s.text_rec_score_thresh,
                "return_word_box": self.return_word_box,
                "rec_texts": [line.text for line in self.lines],
                "rec_scores": [line.score for line in self.lines],
                "rec_polys": [line.poly.astype(int).tolist() for line in self.lines],
                "rec_boxes": [line.box for line in self.lines],
            }
        )
        if self.return_word_box:
            res["text_word"] = [[w.text for w in line.words] for line in self.lines]
            res["text_word_region"] = [[w.box for w in line.words] for line in self.lines]
        return {"res": res}

    @property
    def img(self) -> dict[str, Image.Image]:
        """Visualisations: `ocr_res_img`, and `preprocessed_img` when preprocessing ran."""
        from .render import draw_result

        images = {"ocr_res_img": draw_result(self)}
        if self.settings.use_doc_preprocessor:
            images["preprocessed_img"] = to_pil(self.image)
        return images

    def to_string(
        self, format_json: bool = True, indent: int = 4, ensure_ascii: bool = False
    ) -> str:
        if not format_json:
            return str(self.json)
        return json.dumps(self.json, indent=indent, ensure_ascii=ensure_ascii)

    def print(self, format_json: bool = True, indent: int = 4, ensure_ascii: bool = False) -> None:
        print(self.to_string(format_json, indent, ensure_ascii))

    def save_to_json(
        self, save_path: str | Path, indent: int = 4, ensure_ascii: bool = False
    ) -> Path:
        """Write the JSON; a folder gets `<stem>_res.json`. Written atomically."""
        target = Path(save_path)
        if target.suffix.lower() != ".json":
            target = target / f"{self.file_stem}{RESULT_SUFFIX}"
        atomic_write(
            target, json.dumps(self.json, indent=indent, ensure_ascii=ensure_ascii).encode("utf-8")
        )
        return target

    def save_to_img(self, save_path: str | Path) -> list[Path]:
        """Write the visualisations; a folder gets `<stem>_<key>.<ext>` for each."""
        target = Path(save_path)
        written = []
        for key, image in self.img.items():
            if target.suffix and not target.is_dir():
                path = (
                    target
                    if key == "ocr_res_img"
                    else target.with_name(f"{target.stem}_{key}{target.suffix}")
                )
            else:
                path = target / f"{self.file_stem}_{key}{self.ext}"
            atomic_write(path, encode(image, format_for(path.suffix)))
            written.append(path)
        return written
