"""POST /predictions: the Florence-2 Advanced OCR deployment's contract (seed 000).

A Replicate/Cog-style body `{"input": {images, task, include_image}}`; the answer's `output` is
a JSON *string* that clients parse, holding one page object per page read. An image is one page;
a PDF (which the deployment asks clients to turn into images first) is taken as its pages, up to
max_num_input_imgs. An input that cannot be read gives its page an `error` while the others
succeed, as the deployment promises: one bad scan in a batch of fifty loses nothing else.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..errors import TextlensError
from ..images import to_pil
from ..inputs import Source
from ..pipeline import OCR
from ..render import draw_boxes
from ..result import OCRResult
from .encode import to_base64
from .errors import DEFAULT_FACE, Detail, Face, documented
from .host import Host, caller, host_of
from .runner import Abandoned, JobControl
from .uploads import charged_pages

router = APIRouter(tags=["Florence-2 OCR"])
logger = logging.getLogger(__name__)

FACE = Face("/predictions", 422, DEFAULT_FACE.body)
MAX_IMAGES = 50
Task = Literal["OCR", "OCR_WITH_REGION"]


class PredictionInput(BaseModel):
    images: list[str] = Field(
        min_length=1,
        max_length=MAX_IMAGES,
        description="1 to 50 images (JPG, PNG, WEBP, BMP, TIFF) or PDFs: "
        "base64, data URIs, or URLs when the server allows "
        "them",
    )
    task: Task = Field("OCR", description="OCR: text only; OCR_WITH_REGION: text and boxes")
    include_image: bool = Field(
        False, description="with OCR_WITH_REGION: a PNG (base64) of each page with its boxes drawn"
    )


class PredictionRequest(BaseModel):
    input: PredictionInput


class PredictionResponse(BaseModel):
    id: str = Field(description="the request's logId")
    status: Literal["succeeded"] = "succeeded"
    output: str = Field(
        description='JSON string: {"task", "total_pages", "results": [page], "pages": [page]}'
    )
    error: None = None
    metrics: dict[str, float]


class Region(BaseModel):
    text: str
    bbox: list[float] = Field(description="[x1, y1, x2, y2] in the image's pixels")


class PageOutput(BaseModel):
    """One page object of the output string."""

    page: int = Field(description="1-based position of the page among all pages read")
    type: Task
    text: str = ""
    regions: list[Region] = Field(default_factory=list)
    image_base64: str | None = None
    error: str | None = None


def regions(result: OCRResult) -> list[Region]:
    """A page's text lines as Florence regions (text and axis-aligned box), listed in the
    reading order of `text`, so that a client joining their texts reads the page the same way."""
    return [
        Region(text=line.text, bbox=[float(v) for v in line.box])
        for block in result.blocks
        for row in block
        for line in row
    ]


@router.post(
    "/predictions",
    response_model=PredictionResponse,
    summary="Florence-2 style OCR",
    responses=documented(Detail, 403, 413, 422, 429, 503, 504),
)
async def predict(
    body: PredictionRequest, request: Request, token: str | None = Depends(caller)
) -> PredictionResponse:
    started = time.monotonic()
    host = host_of(request)
    task = body.input.task
    labels = [f"images[{i}]" for i in range(len(body.input.images))]
    read = await asyncio.gather(
        *(_read(host, text, label) for text, label in zip(body.input.images, labels))
    )
    inputs, counts = zip(
        *(
            charged_pages(item, label, host.config.max_num_input_imgs)
            for item, label in zip(read, labels)
        )
    )
    job = partial(
        _ocr_inputs,
        host.engine,
        list(zip(labels, inputs)),
        task,
        body.input.include_image,
        host.config.max_num_input_imgs,
    )
    results = await host.execute(request, token, sum(counts), job)
    output = {"task": task, "total_pages": len(results), "results": results, "pages": results}
    return PredictionResponse(
        id=request.state.log_id,
        output=json.dumps(output, ensure_ascii=False),
        metrics={"predict_time": round(time.monotonic() - started, 3)},
    )


async def _read(host: Host, text: str, label: str) -> bytes | TextlensError:
    """The file's bytes, or the reason it could not be read (kept for that page's error)."""
    try:
        return await host.read(text, label)
    except TextlensError as exc:
        return exc


def _ocr_inputs(
    engine: OCR,
    inputs: list[tuple[str, bytes | TextlensError]],
    task: Task,
    include_image: bool,
    cap: int | None,
    control: JobControl,
) -> list[dict]:
    """Runs in the OCR thread: a page object per image or PDF page, failures included."""
    out: list[dict] = []

    def add(**fields: Any) -> None:
        out.append(PageOutput(page=len(out) + 1, type=task, **fields).model_dump())

    for label, item in inputs:
        try:
            if isinstance(item, TextlensError):
                raise item
            source = Source(name=label, data=item)
            for _, result in engine.read([source], max_pdf_pages=cap, between_pages=control.check):
                add(**_page_fields(result, task, include_image))
        except Abandoned:
            raise
        except TextlensError as exc:
            add(error=str(exc))
        except Exception:  # a bug of ours on one input must not cost the others
            logger.exception("%s: unexpected error", label)
            add(error=f"{label}: internal error on this input")
    return out


def _page_fields(result: OCRResult, task: Task, include_image: bool) -> dict[str, object]:
    """The fields of one page object that OCR fills in."""
    if task == "OCR":
        return {"text": result.text}
    image = None
    if include_image:
        drawn = draw_boxes(to_pil(result.image), [line.poly for line in result.lines])
        image = to_base64(drawn, "PNG")
    return {"text": result.text, "regions": regions(result), "image_base64": image}
