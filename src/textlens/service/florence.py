"""POST /predictions: the Florence-2 Advanced OCR deployment's contract (seed 000).

A Replicate/Cog-style body `{"input": {images, task, include_image}}`; the answer's `output` is
a JSON *string* that clients parse, holding one page object per image. Each image is one page,
and an image that cannot be read gives its page an `error` while the others succeed, as the
deployment promises: one bad scan in a batch of fifty loses nothing else.
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import partial
from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..errors import InputError, TextlensError
from ..inputs import Source, pages
from ..pipeline import OCR
from ..render import draw_boxes
from ..result import OCRResult
from .encode import page_image, to_base64
from .errors import DEFAULT_FACE, Detail, Face, documented
from .host import Host, caller, host_of
from .runner import JobControl
from .uploads import is_pdf

router = APIRouter(tags=["Florence-2 OCR"])
logger = logging.getLogger(__name__)

FACE = Face("/predictions", 422, DEFAULT_FACE.body)
MAX_IMAGES = 50
Task = Literal["OCR", "OCR_WITH_REGION"]


class PredictionInput(BaseModel):
    images: list[str] = Field(min_length=1, max_length=MAX_IMAGES,
                              description="1 to 50 images (JPG, PNG, WEBP, BMP, TIFF): base64, "
                                          "data URIs, or URLs when the server allows them")
    task: Task = Field("OCR", description="OCR: text only; OCR_WITH_REGION: text and boxes")
    include_image: bool = Field(False, description="with OCR_WITH_REGION: a PNG (base64) of "
                                                   "each page with its boxes drawn")


class PredictionRequest(BaseModel):
    input: PredictionInput


class PredictionResponse(BaseModel):
    id: str = Field(description="the request's logId")
    status: Literal["succeeded"] = "succeeded"
    output: str = Field(description='JSON string: {"task", "total_pages", "results": [page], '
                                    '"pages": [page]}')
    error: None = None
    metrics: dict[str, float]


class Region(BaseModel):
    text: str
    bbox: list[float] = Field(description="[x1, y1, x2, y2] in the image's pixels")


class PageOutput(BaseModel):
    """One page object of the output string."""

    page: int = Field(description="1-based position of the image in the request")
    type: Task
    text: str = ""
    regions: list[Region] = Field(default_factory=list)
    image_base64: str | None = None
    error: str | None = None


def regions(result: OCRResult) -> list[Region]:
    """A page's text lines as Florence regions: text and axis-aligned box."""
    return [Region(text=line.text, bbox=[float(v) for v in line.box]) for line in result.lines]


def first_page(data: bytes, label: str) -> Source:
    """An image input as an engine source; PDFs belong to /ocr."""
    if is_pdf(data):
        raise InputError(f"{label}: a PDF; this endpoint takes images (send PDFs to /ocr)")
    return Source(name=label, data=data)


@router.post("/predictions", response_model=PredictionResponse, summary="Florence-2 style OCR",
             responses=documented(Detail, 403, 413, 422, 429, 503, 504))
async def predict(body: PredictionRequest, request: Request,
                  token: str | None = Depends(caller)) -> PredictionResponse:
    started = time.monotonic()
    host = host_of(request)
    task = body.input.task
    inputs = await asyncio.gather(*(_read(host, text, f"images[{i}]")
                                    for i, text in enumerate(body.input.images)))
    job = partial(_ocr_images, host.engine, inputs, task, body.input.include_image)
    results = await host.execute(request, token, len(inputs), job)
    output = {"task": task, "total_pages": len(results), "results": results, "pages": results}
    return PredictionResponse(id=request.state.log_id,
                              output=json.dumps(output, ensure_ascii=False),
                              metrics={"predict_time": round(time.monotonic() - started, 3)})


async def _read(host: Host, text: str, label: str) -> bytes | TextlensError:
    """The image's bytes, or the reason it could not be read (kept for that page's error)."""
    try:
        return await host.read(text, label)
    except TextlensError as exc:
        return exc


def _ocr_images(engine: OCR, inputs: list[bytes | TextlensError], task: Task,
                include_image: bool, control: JobControl) -> list[dict]:
    """Runs in the OCR thread: one page object per image, failures included."""
    out = []
    for number, item in enumerate(inputs, start=1):
        control.check()
        out.append(_page(engine, number, item, task, include_image).model_dump())
    return out


def _page(engine: OCR, number: int, item: bytes | TextlensError, task: Task,
          include_image: bool) -> PageOutput:
    try:
        if isinstance(item, TextlensError):
            raise item
        source = first_page(item, f"images[{number - 1}]")
        result = engine.process(next(pages(source)))
    except TextlensError as exc:
        return PageOutput(page=number, type=task, error=str(exc))
    except Exception:  # a bug of ours on one image must not cost the other pages
        logger.exception("images[%d]: unexpected error", number - 1)
        return PageOutput(page=number, type=task, error="internal error on this image")
    if task == "OCR":
        return PageOutput(page=number, type=task, text=result.text)
    image = None
    if include_image:
        drawn = draw_boxes(page_image(result.image), [line.poly for line in result.lines])
        image = to_base64(drawn, "PNG")
    return PageOutput(page=number, type=task, text=result.text, regions=regions(result),
                      image_base64=image)
