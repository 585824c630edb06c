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
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Literal, get_args

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from ..errors import TextlensError
from ..florence2 import Florence2, Florence2Result
from ..florence2.tasks import TASKS, check_input, find
from ..images import to_pil
from ..inputs import Source
from ..pipeline import OCR
from ..render import draw_boxes
from ..result import OCRResult
from .encode import to_base64
from .errors import DEFAULT_FACE, Detail, Face, ServiceError, documented
from .host import caller, host_of
from .runner import Abandoned, JobControl
from .uploads import charged_pages

router = APIRouter(tags=["Florence-2 OCR"])
logger = logging.getLogger(__name__)

FACE = Face("/predictions", 422, DEFAULT_FACE.body)
MAX_IMAGES = 50
# seed 000's two tasks, which PP-OCR answers too, then every other task of Florence-2's
Task = Literal[
    "OCR",
    "OCR_WITH_REGION",
    "CAPTION",
    "DETAILED_CAPTION",
    "MORE_DETAILED_CAPTION",
    "OD",
    "DENSE_REGION_CAPTION",
    "REGION_PROPOSAL",
    "CAPTION_TO_PHRASE_GROUNDING",
    "REFERRING_EXPRESSION_SEGMENTATION",
    "REGION_TO_SEGMENTATION",
    "OPEN_VOCABULARY_DETECTION",
    "REGION_TO_CATEGORY",
    "REGION_TO_DESCRIPTION",
    "REGION_TO_OCR",
]
OCR_TASKS = ("OCR", "OCR_WITH_REGION")
assert set(get_args(Task)) == {task.name for task in TASKS.values()}


class PredictionInput(BaseModel):
    images: list[str] = Field(
        min_length=1,
        max_length=MAX_IMAGES,
        description="1 to 50 images (JPG, PNG, WEBP, BMP, TIFF) or PDFs: "
        "base64, data URIs, or URLs when the server allows "
        "them",
    )
    task: Task = Field(
        "OCR",
        description="OCR: text only; OCR_WITH_REGION: text and boxes; the others (Florence-2's "
        "prompt tasks) need the server's Florence-2 engine",
    )
    text_input: str | None = Field(
        None,
        description="the task's phrase (CAPTION_TO_PHRASE_GROUNDING, ...) or region "
        "(REGION_TO_*: x1,y1,x2,y2 in the image's pixels)",
    )
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
    text: str = Field(description="the line's text, or the region's label")
    bbox: list[float] = Field(description="[x1, y1, x2, y2] in the image's pixels")
    polygons: list[list[float]] | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="segmentation tasks: the outlines, each [x1, y1, x2, y2, ...]",
    )


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
    engine = engine_for(host.florence_engine, body.input)
    cap = host.config.max_num_input_imgs
    inputs, counts = await read_inputs(body.input.images, host.read, cap)

    def job(control: JobControl) -> str:
        return ocr_output(engine, inputs, body.input, cap, control.check)

    output = await host.execute(request, token, sum(counts), job)
    return PredictionResponse(
        id=request.state.log_id,
        output=output,
        metrics={"predict_time": round(time.monotonic() - started, 3)},
    )


def engine_for(engine: OCR | Florence2, params: PredictionInput) -> OCR | Florence2:
    """The engine, once it is known to answer the task: PP-OCR reads the two OCR tasks only;
    a task's text input is checked here, before anything is charged."""
    if isinstance(engine, OCR):
        if params.task not in OCR_TASKS:
            raise ServiceError(
                422,
                f"task {params.task} needs the Florence-2 engine: start the server with "
                "--engine florence2 (this one reads OCR and OCR_WITH_REGION)",
            )
        if params.text_input:
            raise ServiceError(422, f"task {params.task} takes no text_input")
    check_input(find(params.task), params.text_input)
    return engine


Inputs = list[tuple[str, bytes | TextlensError]]  # (label, the file or why it is unreadable)


async def read_inputs(
    images: list[str], read: Callable[[str, str], Awaitable[bytes]], cap: int | None
) -> tuple[Inputs, list[int]]:
    """Every image read by `read(text, label)`, or why it could not be (kept for its page's
    error), and the pages each costs: counted here, before any OCR, so that they can be charged.
    """
    labels = [f"images[{i}]" for i in range(len(images))]
    read_all = await asyncio.gather(
        *(_read(read, text, label) for text, label in zip(images, labels))
    )
    charged = [charged_pages(item, label, cap) for item, label in zip(read_all, labels)]
    inputs = [(label, item) for label, (item, _) in zip(labels, charged)]
    return inputs, [pages for _, pages in charged]


async def _read(
    read: Callable[[str, str], Awaitable[bytes]], text: str, label: str
) -> bytes | TextlensError:
    """The file's bytes, or the reason it could not be read (kept for that page's error)."""
    try:
        return await read(text, label)
    except TextlensError as exc:
        return exc


def ocr_output(
    engine: OCR | Florence2,
    inputs: Inputs,
    params: PredictionInput,
    cap: int | None,
    between_pages: Callable[[], None],
) -> str:
    """Runs in the OCR thread: the deployment's output string, a page object per image or PDF
    page, failures included. `between_pages` raises Abandoned to stop at a page boundary."""
    out: list[dict] = []

    def add(**fields: Any) -> None:
        out.append(PageOutput(page=len(out) + 1, type=params.task, **fields).model_dump())

    for label, item in inputs:
        try:
            if isinstance(item, TextlensError):
                raise item
            source = Source(name=label, data=item)
            for result in _results(engine, source, params, cap, between_pages):
                add(**page_fields(result, params.task, params.include_image))
        except Abandoned:
            raise
        except TextlensError as exc:
            add(error=str(exc))
        except Exception:  # a bug of ours on one input must not cost the others
            logger.exception("%s: unexpected error", label)
            add(error=f"{label}: internal error on this input")
    return output_string(params.task, out)


def _results(
    engine: OCR | Florence2,
    source: Source,
    params: PredictionInput,
    cap: int | None,
    between_pages: Callable[[], None],
) -> Iterator[OCRResult | Florence2Result]:
    """A source's results from either engine, read as its own page loop reads them."""
    if isinstance(engine, OCR):
        for _, result in engine.read([source], max_pdf_pages=cap, between_pages=between_pages):
            yield result
        return
    token = find(params.task).token
    for _, answer in engine.read(
        [source], token, params.text_input, max_pdf_pages=cap, between_pages=between_pages
    ):
        yield answer


def output_string(task: str, pages: list[dict[str, Any]]) -> str:
    """The deployment's `output`: a JSON string of the page objects, under two names."""
    output = {"task": task, "total_pages": len(pages), "results": pages, "pages": pages}
    return json.dumps(output, ensure_ascii=False)


def page_fields(
    result: OCRResult | Florence2Result, task: str, include_image: bool
) -> dict[str, object]:
    """The fields of one page object that the engine fills in: OCR tasks as OCRResults
    (either engine's), Florence-2's other tasks as their text and labelled regions."""
    if isinstance(result, Florence2Result):
        if task not in OCR_TASKS:
            found = [
                Region(text=r.label, bbox=r.box, polygons=r.polygons or None)
                for r in result.regions
            ]
            image = to_base64(result.draw(), "PNG") if include_image else None
            return {"text": result.text, "regions": found, "image_base64": image}
        result = result.to_ocr()
    if task == "OCR":
        return {"text": result.text}
    image = None
    if include_image:
        drawn = draw_boxes(to_pil(result.image), [line.poly for line in result.lines])
        image = to_base64(drawn, "PNG")
    return {"text": result.text, "regions": regions(result), "image_base64": image}
