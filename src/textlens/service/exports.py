"""POST /export and POST /reading-order: a result the service gave, as a document or in order.

`/ocr` and the jobs API answer PaddleOCR's JSON, page by page; the document formats of
`textlens ocr --format` (txt, md, hOCR, ALTO, searchable PDF) were CLI-only. A client (the web
page among them) sends back what it got, each page's `prunedResult`, with the original file
when it still has it, and gets the document. Nothing is read again: the exporters rebuild each
page as `textlens export` does (OCRResult.from_json), so the service's documents are the CLI's.

The page pixels come from the original file (re-rendered at the engine's pdf_dpi, so a PDF
keeps its own pages in the searchable PDF) or, per page, from `image`: the page as the
detector saw it, which a page that was turned or unwarped needs. `/reading-order` gives the
order every text output follows, so that a client can list a page's lines as the txt reads.
Neither touches an engine, so they run beside the OCR thread, not on it, and charge no pages.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from ..errors import InputError, TextlensError
from ..export import EXPORTERS
from ..extras import MissingExtra
from ..inputs import is_pdf
from ..reading_order import reading_blocks
from ..reload import load_document, read_record
from ..result import OCRResult
from .errors import Detail, ServiceError, documented
from .host import caller, host_of
from .uploads import decode_base64

router = APIRouter(tags=["Export"])

Format = Literal["txt", "md", "hocr", "alto", "pdf"]
MEDIA_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "hocr": "text/html; charset=utf-8",
    "alto": "application/xml",
    "pdf": "application/pdf",
}


class ExportPage(BaseModel):
    prunedResult: dict[str, Any] = Field(
        description="the page's prunedResult, as /ocr or a job's JSONL gave it"
    )
    image: str | None = Field(
        None,
        description="base64 of the page as the detector saw it (docPreprocessingImage when "
        "orientation or unwarping ran); absent: the page comes from `file`",
    )
    pageIndex: int | None = Field(
        None, ge=0, description="0-based page of `file`; absent: the page's position"
    )


class ExportRequest(BaseModel):
    format: Format
    pages: list[ExportPage] = Field(min_length=1, max_length=10_000)
    file: str | None = Field(
        None, description="base64 of the document the pages were read from (its pages are kept)"
    )
    name: str = Field("document", max_length=200, description="the file name, less its suffix")


class OrderRequest(BaseModel):
    boxes: list[list[float]] = Field(
        max_length=100_000, description="[x0, y0, x1, y1] of each line, in page pixels"
    )


class OrderResponse(BaseModel):
    blocks: list[list[list[int]]] = Field(
        description="blocks (paragraphs) in reading order, each a list of rows, each row the "
        "indices of its boxes from left to right"
    )


_DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {media.split(";")[0]: {} for media in MEDIA_TYPES.values()},
        "description": "the document, as an attachment",
    }
}


@router.post(
    "/export",
    summary="A result as txt, Markdown, hOCR, ALTO or searchable PDF",
    response_class=Response,
    responses={**_DOCUMENT, **documented(Detail, 403, 413, 422, 501)},
)
async def export_document(
    body: ExportRequest, request: Request, token: str | None = Depends(caller)
) -> Response:
    pdf_dpi = host_of(request).engine.settings.pdf_dpi
    content = await asyncio.to_thread(_export, body, pdf_dpi)
    suffix = EXPORTERS[body.format][0]
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in body.name) or "document"
    return Response(
        content,
        media_type=MEDIA_TYPES[body.format],
        headers={"Content-Disposition": f'attachment; filename="{name}{suffix}"'},
    )


@router.post(
    "/reading-order",
    summary="Lines in the order a person reads them (the txt export's order)",
    response_model=OrderResponse,
    responses=documented(Detail, 403, 413, 422),
)
async def order(body: OrderRequest, token: str | None = Depends(caller)) -> OrderResponse:
    if any(len(box) != 4 for box in body.boxes):
        raise InputError("boxes: each box is [x0, y0, x1, y1]")
    blocks = reading_blocks(body.boxes)
    return OrderResponse(blocks=[[list(row) for row in block.rows] for block in blocks])


def _export(body: ExportRequest, pdf_dpi: int) -> bytes:
    with tempfile.TemporaryDirectory(prefix="textlens-export-") as folder:
        try:
            results = _results(body, Path(folder), pdf_dpi)
            return EXPORTERS[body.format][1](results)
        except MissingExtra as exc:
            raise ServiceError(501, str(exc)) from None
        except TextlensError as exc:  # name what the client sent, not the server's copies
            raise InputError(str(exc).replace(f"{folder}/", "")) from None


def _results(body: ExportRequest, folder: Path, pdf_dpi: int) -> list[OCRResult]:
    """The pages rebuilt as results, their pixels from `file` or their own `image`."""
    input_path = None
    several = len(body.pages) > 1
    if body.file is not None:
        data = decode_base64(body.file, "file")
        several = several or is_pdf(data)
        input_path = folder / "file"
        input_path.write_bytes(data)
    records = []
    for i, page in enumerate(body.pages):
        index = page.pageIndex if page.pageIndex is not None else i if several else None
        res = {
            **page.prunedResult,
            "input_path": None if input_path is None else str(input_path),
            "page_index": index,
        }
        try:
            records.append(read_record({"res": res}))
        except InputError as exc:
            reason = str(exc).removeprefix("the result: ")
            raise InputError(f"pages[{i}].prunedResult: {reason}") from None
    images = [_image(page, i, folder) for i, page in enumerate(body.pages)]
    if input_path is not None and not any(images):
        return load_document(records, pdf_dpi)  # a PDF rendered once for all its pages
    results = []
    for i, (record, image) in enumerate(zip(records, images)):
        if image is None and input_path is None:
            raise InputError(f"pages[{i}]: needs its image, or the request its file")
        results.append(OCRResult.from_json({"res": record.res}, image=image, pdf_dpi=pdf_dpi))
    return results


def _image(page: ExportPage, i: int, folder: Path) -> Path | None:
    if page.image is None:
        return None
    path = folder / f"pages[{i}].image"
    path.write_bytes(decode_base64(page.image, f"pages[{i}].image"))
    return path
