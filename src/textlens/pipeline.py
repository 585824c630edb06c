"""The OCR engine: builds each stage once and runs pages through them in order.

document orientation -> unwarping -> text detection -> text-line orientation -> recognition.
This module only wires stages and applies settings; each stage's work lives in `stages/`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from . import config as config_mod
from .allocator import return_large_buffers
from .config import Settings
from .geometry import crop_quad, is_vertical, quad_size, reading_sort, rotate_page
from .inputs import Page, Source, iter_sources, read_pages
from .models import resolve as resolve_model
from .result import Line, OCRResult
from .runtime import Runtime, check_device, default_threads, resolve_precision
from .stages.detection import DetParams, TextDetector
from .stages.doc_orientation import DocOrientation
from .stages.recognition import RecParams, TextRecognizer
from .stages.textline_orientation import TextlineOrientation
from .stages.unwarp import Unwarper
from .words import word_boxes


class OCR:
    """PaddleOCR's General OCR pipeline on OpenVINO or onnxruntime (runtime.py).

    Build it once and reuse it: models load here (the optional stages on first use).
    Parameters are PaddleOCR's; `config` is a PaddleX-style pipeline YAML.
    """

    def __init__(self, config: str | Path | None = None, **params: Any):
        self.settings: Settings = config_mod.resolve(config, **params)
        s = self.settings
        check_device(s.inference_backend, s.device)
        return_large_buffers()
        self.runtime = Runtime(
            s.inference_backend,
            s.cpu_threads or default_threads(),
            resolve_precision(s.inference_backend, s.precision, s.device),
            s.device,
        )
        det = resolve_model(s.det_model, s.text_detection_model_dir)
        rec = resolve_model(s.rec_model, s.text_recognition_model_dir)
        self.detector = TextDetector(det.path, self.runtime)
        self.recognizer = TextRecognizer(rec.path, rec.characters or (), self.runtime)
        self._optional: dict[str, Any] = {}
        self._lock = threading.Lock()  # one page at a time per engine: models are shared
        for name in ("doc_orientation", "unwarper", "textline"):
            if self._wanted(name, s):
                self._stage(name)

    @staticmethod
    def _wanted(name: str, s: Settings) -> bool:
        return {
            "doc_orientation": s.use_doc_orientation_classify,
            "unwarper": s.use_doc_unwarping,
            "textline": s.use_textline_orientation,
        }[name]

    def _stage(self, name: str) -> Any:
        """An optional stage, built the first time any call needs it."""
        if name not in self._optional:
            s = self.settings
            if name == "doc_orientation":
                m = resolve_model(
                    s.doc_orientation_classify_model_name, s.doc_orientation_classify_model_dir
                )
                self._optional[name] = DocOrientation(m.path, self.runtime)
            elif name == "unwarper":
                m = resolve_model(s.doc_unwarping_model_name, s.doc_unwarping_model_dir)
                self._optional[name] = Unwarper(m.path, self.runtime)
            else:
                m = resolve_model(
                    s.textline_orientation_model_name, s.textline_orientation_model_dir
                )
                self._optional[name] = TextlineOrientation(
                    m.path, self.runtime, s.textline_orientation_batch_size
                )
        return self._optional[name]

    def read(
        self,
        sources: Iterable[Source],
        settings: Settings | None = None,
        *,
        max_pdf_pages: int | None = None,
        between_pages: Callable[[], None] | None = None,
    ) -> Generator[tuple[Page, OCRResult], None, None]:
        """The one page loop every face runs (API, CLI, service): each page with its result.

        Each page is decoded while the one before it is read (unless that one is huge), and no
        earlier (at most two pages are in memory); a PDF gives its first `max_pdf_pages` pages
        (all by default).
        `between_pages` runs before each page is read: a request that was abandoned raises
        there, so its work stops at a page boundary. A page that fails to decode raises where
        it would have come out, after the pages before it.
        """
        s = settings or self.settings
        for page in read_pages(sources, s.pdf_dpi, max_pdf_pages):
            if between_pages is not None:
                between_pages()
            yield page, self.process(page, s)

    def predict_iter(self, input: Any, **overrides: Any) -> Iterator[OCRResult]:
        """Results one page at a time, as `read` gives them."""
        settings = config_mod.with_call_overrides(self.settings, **overrides)
        for _, result in self.read(iter_sources(input), settings):
            yield result

    def predict(self, input: Any, **overrides: Any) -> list[OCRResult]:
        """All results as a list (one per page); prefer predict_iter for long documents."""
        return list(self.predict_iter(input, **overrides))

    def process(self, page: Page, settings: Settings | None = None) -> OCRResult:
        """Run the pipeline on one decoded page."""
        s = settings or self.settings
        with self._lock:
            image, angle = self._preprocess(page.image, s)
            det = DetParams(
                s.text_det_limit_side_len,
                s.text_det_limit_type,
                s.det_value("thresh"),
                s.det_value("box_thresh"),
                s.det_value("unclip_ratio"),
                s.det_value("box_unclip_ratio"),
                s.text_det_max_side_limit,
                s.text_det_input_shape,
            )
            found = self.detector(image, det)
            order = reading_sort(found.boxes)
            quads = [found.boxes[i] for i in order]
            read_quads = [found.crops[i] for i in order]
            det_scores = [found.scores[i] for i in order]
            crops = [crop_quad(image, q) for q in read_quads]
            angles = [-1] * len(crops)
            if s.use_textline_orientation and crops:
                crops, angles = self._stage("textline")(crops)
            rec = RecParams(s.text_recognition_batch_size, s.text_rec_input_shape)
            recognised = self.recognizer(crops, rec) if crops else []
        lines = []
        for r, q, read_q, a in zip(recognised, quads, read_quads, angles):
            if not r.text.strip() or r.score < s.text_rec_score_thresh:
                continue
            line = Line(r.text, r.score, q)
            if s.return_word_box:
                vertical = is_vertical(*quad_size(read_q))
                line.words = word_boxes(
                    r.text, r.spans, q, vertical=vertical, flipped=a == 1, read_quad=read_q
                )
            lines.append(line)
        return OCRResult(
            name=page.name,
            input_path=page.input_path,
            page_index=page.page_index,
            image=image,
            settings=s,
            lines=lines,
            dt_polys=quads,
            dt_scores=det_scores,
            textline_orientation_angles=angles,
            doc_angle=angle,
            input_image=page.image if s.use_doc_preprocessor else None,
            ext=page.ext,
            return_word_box=s.return_word_box,
            dpi=page.dpi,
        )

    def _preprocess(self, image: np.ndarray, s: Settings) -> tuple[np.ndarray, int]:
        """Document preprocessing: undo the page's turn, then flatten it."""
        angle = -1
        if s.use_doc_orientation_classify:
            angle, _ = self._stage("doc_orientation")(image)
            image = rotate_page(image, angle)
        if s.use_doc_unwarping:
            image = self._stage("unwarper")(image)
        return image, angle
