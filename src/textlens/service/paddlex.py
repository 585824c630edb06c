"""POST /ocr and GET /health as PaddleX serving and the PP-OCRv5 hosted API define them.

Field for field: existing clients send the same JSON and read the same envelope. Failures use
the envelope too, with errorCode equal to the HTTP status. Parameter errors, including a body
that fails validation, answer 500 as the hosted API documents ("500: Parameter error"), not the
422 that PaddleX's own FastAPI server would send.
"""

from __future__ import annotations

from functools import partial
from pathlib import PurePosixPath
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from PIL import Image
from pydantic import BaseModel, Field

from ..config import Settings, with_call_overrides
from ..errors import InputError, TextlensError
from ..images import to_pil
from ..inputs import IMAGE_EXTENSIONS, Source, is_pdf
from ..pipeline import OCR
from ..result import OCRResult
from .encode import to_base64
from .errors import Face, documented
from .fetch import is_url
from .host import caller, host_of
from .runner import JobControl
from .uploads import charged_pages

router = APIRouter(tags=["PaddleX / PP-OCR"])

FACE = Face(
    "/ocr",
    500,
    lambda log_id, status, message, code: {
        "logId": log_id,
        "errorCode": status,
        "errorMsg": message,
    },
)

_PRUNED = ("input_path", "page_index")
_TYPE_NAMES = {0: "0 (PDF)", 1: "1 (image)"}


class InferenceParams(BaseModel):
    """PaddleX 3.0-beta clients' way to cap the detector's input."""

    maxLongSide: int | None = Field(
        None, gt=0, description="like textDetLimitSideLen with textDetLimitType max"
    )


class OcrOptions(BaseModel):
    """The pipeline options of seed 002's /ocr body, also a job's `optionalPayload`."""

    useDocOrientationClassify: bool | None = None
    useDocUnwarping: bool | None = None
    useTextlineOrientation: bool | None = None
    textDetLimitSideLen: int | None = Field(None, gt=0)
    textDetLimitType: Literal["min", "max"] | None = None
    textDetThresh: float | None = Field(None, gt=0, le=1)
    textDetBoxThresh: float | None = Field(None, gt=0, le=1)
    textDetUnclipRatio: float | None = Field(None, gt=0, le=10)
    textRecScoreThresh: float | None = Field(None, ge=0, le=1)
    visualize: bool | None = Field(
        None,
        description="return ocrImage, docPreprocessingImage "
        "and inputImage (JPEG, base64); absent "
        "or null: the server's setting",
    )
    inferenceParams: InferenceParams | None = None

    def overrides(self) -> dict[str, Any]:
        """The engine's per-call parameters this request sets."""
        values = {name: getattr(self, field) for field, name in _OVERRIDES.items()}
        if (
            self.inferenceParams
            and self.inferenceParams.maxLongSide
            and self.textDetLimitSideLen is None
        ):
            values["text_det_limit_side_len"] = self.inferenceParams.maxLongSide
            values["text_det_limit_type"] = self.textDetLimitType or "max"
        return {k: v for k, v in values.items() if v is not None}


class OcrRequest(OcrOptions):
    """The request body of seed 002 (PP-OCRv5 hosted API) and PaddleX serving."""

    file: str = Field(
        description="URL of an image or PDF (when the server allows URLs), or "
        "the file's base64. PDFs are read up to max_num_input_imgs "
        "pages (10 unless the server lifts it)."
    )
    fileType: Literal[0, 1] | None = Field(
        None, description="0 PDF, 1 image; inferred from the URL or the bytes when absent"
    )


_OVERRIDES = {
    "useDocOrientationClassify": "use_doc_orientation_classify",
    "useDocUnwarping": "use_doc_unwarping",
    "useTextlineOrientation": "use_textline_orientation",
    "textDetLimitSideLen": "text_det_limit_side_len",
    "textDetLimitType": "text_det_limit_type",
    "textDetThresh": "text_det_thresh",
    "textDetBoxThresh": "text_det_box_thresh",
    "textDetUnclipRatio": "text_det_unclip_ratio",
    "textRecScoreThresh": "text_rec_score_thresh",
}


class OcrPage(BaseModel):
    prunedResult: dict[str, Any] = Field(
        description="the engine's `res` JSON without input_path and page_index"
    )
    ocrImage: str | None = None
    docPreprocessingImage: str | None = None
    inputImage: str | None = None


class PageSize(BaseModel):
    width: int
    height: int


class ImageInfo(PageSize):
    type: Literal["image"] = "image"


class PdfInfo(BaseModel):
    numPages: int = Field(description="pages read (after the page cap)")
    pages: list[PageSize] = Field(description="each page's size in pixels as rendered")
    type: Literal["pdf"] = "pdf"


class OcrResult(BaseModel):
    ocrResults: list[OcrPage]
    dataInfo: ImageInfo | PdfInfo


class Envelope(BaseModel):
    """Every /ocr and /health answer; errors carry errorCode = HTTP status."""

    logId: str
    errorCode: int
    errorMsg: str


class OcrResponse(Envelope):
    errorCode: int = 0
    errorMsg: str = "Success"
    result: OcrResult


@router.get("/health", response_model=Envelope, summary="Is the service up?")
async def check_health(request: Request) -> Envelope:
    return Envelope(logId=request.state.log_id, errorCode=0, errorMsg="Healthy")


@router.post(
    "/ocr",
    response_model=OcrResponse,
    operation_id="infer",
    summary="OCR a file",
    responses=documented(Envelope, 403, 413, 429, 500, 503, 504),
)
async def infer(
    body: OcrRequest, request: Request, token: str | None = Depends(caller)
) -> OcrResponse:
    host = host_of(request)
    data = await host.read(body.file, "file")
    _check_file_type(body, data)
    settings = with_call_overrides(host.engine.settings, **body.overrides())
    cap = host.config.max_num_input_imgs
    visualize = host.config.visualize if body.visualize is None else body.visualize
    job = partial(_ocr_file, host.engine, data, settings, cap, visualize)
    checked, pages = charged_pages(data, "file", cap)
    if isinstance(checked, TextlensError):
        raise checked  # on /ocr a file that cannot be read is a parameter error: not charged
    result = await host.execute(request, token, pages, job)
    return OcrResponse(logId=request.state.log_id, result=result)


def _check_file_type(body: OcrRequest, data: bytes) -> None:
    """The declared type (fileType, else the URL's suffix) must be what the bytes are."""
    declared = body.fileType
    if declared is None and is_url(body.file):
        suffix = PurePosixPath(urlsplit(body.file).path).suffix.lower()
        declared = 0 if suffix == ".pdf" else 1 if suffix in IMAGE_EXTENSIONS else None
    actual = 0 if is_pdf(data) else 1
    if declared is not None and declared != actual:
        raise InputError(
            f"file: fileType is {_TYPE_NAMES[declared]} but the file is "
            f"{'a PDF' if actual == 0 else 'not a PDF'}"
        )


def _ocr_file(
    engine: OCR,
    data: bytes,
    settings: Settings,
    cap: int | None,
    visualize: bool,
    control: JobControl,
) -> OcrResult:
    """Runs in the OCR thread: every page, stopping early when the request is abandoned."""
    results, sizes = [], []
    source = Source(name="file", data=data)
    for page, result in engine.read(
        [source], settings, max_pdf_pages=cap, between_pages=control.check
    ):
        results.append(_page(result, visualize))
        sizes.append(PageSize(width=page.image.shape[1], height=page.image.shape[0]))
    if is_pdf(data):
        return OcrResult(ocrResults=results, dataInfo=PdfInfo(numPages=len(sizes), pages=sizes))
    return OcrResult(ocrResults=results, dataInfo=ImageInfo(**sizes[0].model_dump()))


def _page(result: OCRResult, visualize: bool) -> OcrPage:
    if not visualize:
        return OcrPage(prunedResult=pruned(result))
    encoded = {key: to_base64(image, "JPEG") for key, image in page_images(result).items()}
    return OcrPage(prunedResult=pruned(result), **encoded)


def pruned(result: OCRResult) -> dict[str, Any]:
    """prunedResult: the page's `res` JSON without input_path and page_index."""
    return {k: v for k, v in result.json["res"].items() if k not in _PRUNED}


def page_images(result: OCRResult) -> dict[str, Image.Image]:
    """A page's pictures by their OcrPage field (docPreprocessingImage only when a document
    preprocessing stage ran)."""
    drawn = result.img
    images = {"ocrImage": drawn["ocr_res_img"]}
    if "preprocessed_img" in drawn:
        images["docPreprocessingImage"] = drawn["preprocessed_img"]
    source = result.input_image if result.input_image is not None else result.image
    images["inputImage"] = to_pil(source)
    return images
