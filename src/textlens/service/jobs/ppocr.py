"""What a PP-OCR job is: its models, its page ranges, its pages' results and its JSONL.

A page's stored result is what `/ocr` answers for that page (prunedResult, and the pictures
when visualize is on), with the pictures written as JPEG files beside the job instead of base64
in the row, so that a thousand-page job's rows stay small and the pictures are served as files.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ...config import with_call_overrides
from ...errors import InputError, TextlensError
from ...files import atomic_write
from ...images import encode
from ...pipeline import OCR
from ..paddlex import page_images, pruned
from .pages import read_planned
from .store import Job, JobStore

KIND = "ppocr"
INPUT = "input"  # the job's document, in its folder
# The hosted API's OCR models and the textlens family that reads each; PP-OCRv5-latin's
# languages are read by PP-OCRv6 (textlens ships no PP-OCRv5 Latin recogniser).
MODELS = {"PP-OCRv6": "PP-OCRv6", "PP-OCRv5": "PP-OCRv5", "PP-OCRv5-latin": "PP-OCRv6"}
DOCUMENT_PARSING_MODELS = (
    "PP-StructureV3",
    "PaddleOCR-VL",
    "PaddleOCR-VL-1.5",
    "PaddleOCR-VL-1.6",
)
# a page's pictures: the OcrPage field -> its file name under pages/<seq>/
PICTURES = {
    "ocrImage": "ocr.jpg",
    "docPreprocessingImage": "preprocessed.jpg",
    "inputImage": "input.jpg",
}


def family_of(model: str) -> str:
    """The textlens family for a hosted-API model name; InputError for any other."""
    if model in MODELS:
        return MODELS[model]
    if model in DOCUMENT_PARSING_MODELS:
        raise InputError(
            f"model: {model} is a document-parsing model, which textlens does not serve; "
            f"use an OCR model: {', '.join(MODELS)}"
        )
    raise InputError(f"model: unknown model {model!r}; use one of {', '.join(MODELS)}")


def parse_page_ranges(text: str | None, count: int) -> list[int]:
    """`"1-3,7"` (1-based, inclusive) as sorted 0-based pages of a `count`-page document."""
    if text is None or not text.strip():
        return list(range(count))
    chosen: set[int] = set()
    for part in text.split(","):
        first, dash, last = part.strip().partition("-")
        if not first.strip().isdigit() or (dash and not last.strip().isdigit()):
            raise InputError(
                f"pageRanges: {part.strip()!r} is not a page or a range like 1-3 (pages count "
                "from 1)"
            )
        start, end = int(first), int(last) if dash else int(first)
        if start < 1 or end < start:
            raise InputError(f"pageRanges: {part.strip()!r} is not a range of pages from 1 up")
        if end > count:
            raise InputError(
                f"pageRanges: page {end} is past the end of the document ({count} page(s))"
            )
        chosen.update(range(start - 1, end))
    return sorted(chosen)


class PpocrHandler:
    """Reads a PP-OCR job's pages (worker.Handler)."""

    kind = KIND

    def __init__(self, store: JobStore, engine_for: Callable[[str], OCR]):
        self.store = store
        self.engine_for = engine_for

    def pages(self, job: Job, start: int) -> Iterator[dict[str, Any]]:
        p = job.params
        engine = self.engine_for(p["family"])
        settings = with_call_overrides(engine.settings, **p["overrides"])
        folder = self.store.files(job.id)
        plan = [(0, page) for page in p["pages"][start:]]
        reads = read_planned(
            engine, settings, plan, lambda _: folder / INPUT, lambda _: p["file_name"]
        )
        for seq, read in enumerate(reads, start):
            if isinstance(read, TextlensError):  # this page cannot be read: it fails alone
                yield {"prunedResult": {}, "errorMsg": str(read), "pictures": []}
                continue
            page, result = read
            height, width = page.image.shape[:2]
            yield {
                "prunedResult": pruned(result),
                "width": width,
                "height": height,
                "pictures": _save_pictures(folder, seq, result) if p["visualize"] else [],
            }


def _save_pictures(folder: Path, seq: int, result: Any) -> list[str]:
    """Write the page's pictures; the OcrPage fields they fill."""
    target = folder / "pages" / str(seq)
    target.mkdir(parents=True, exist_ok=True)
    images = page_images(result)
    for field, image in images.items():
        atomic_write(target / PICTURES[field], encode(image, "JPEG"))
    return list(images)


def picture_path(store: JobStore, job_id: str, seq: int, name: str) -> Path | None:
    """The file behind a picture link, None for a name that is not a picture."""
    if name not in PICTURES.values():
        return None
    return store.files(job_id) / "pages" / str(seq) / name


def result_lines(
    job: Job, pages: Iterator[tuple[int, dict[str, Any]]], link: Callable[[str], str]
) -> Iterator[str]:
    """The JSONL result: one line per page, `{"result": {"dataInfo", "ocrResults": [page]}}`.

    The client merges every line's dataInfo; the last line carries every page's size, which is
    only known once the pages have been read.
    """
    is_pdf = job.params["is_pdf"]
    sizes: list[dict[str, int]] = []
    for last, (seq, body) in _flag_last(pages):
        sizes.append({"width": body.get("width", 0), "height": body.get("height", 0)})
        page: dict[str, Any] = {"prunedResult": body["prunedResult"]}
        for field in PICTURES:
            page[field] = (
                link(f"pages/{seq}/{PICTURES[field]}") if field in body["pictures"] else None
            )
        if "errorMsg" in body:
            page["errorMsg"] = body["errorMsg"]
        if is_pdf:
            info: dict[str, Any] = {"type": "pdf", "numPages": job.total_pages}
            if last:
                info["pages"] = sizes
        else:
            info = {"type": "image", **sizes[-1]}
        yield json.dumps({"result": {"dataInfo": info, "ocrResults": [page]}}, ensure_ascii=False)
        yield "\n"


def _flag_last(items: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[tuple[bool, Any]]:
    """Each item with whether it is the last one."""
    previous = next(items, None)
    for item in items:
        yield False, previous
        previous = item
    if previous is not None:
        yield True, previous
