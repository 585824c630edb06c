"""The PP-OCR hosted job API at /api/v2/ocr/jobs, as PaddleOCR's `PaddleOCRClient` speaks it.

Submit a document (multipart `file`, or JSON `fileUrl`) with `model`, `optionalPayload` (the
options of `/ocr`), `pageRanges` and `batchId`; poll `GET /jobs/{jobId}` for its state and
progress; when done, fetch `resultUrl.jsonUrl`, a JSONL with one line per page whose pictures
are links too. Answers use the `{"code": 0, "msg", "data"}` envelope, errors the same envelope
with `code` = the HTTP status the client maps (403 token, 400 request, 429 quota, 503 busy).
Everything a submit can be refused for is found before the job exists, and a refused submit
leaves no file behind: a job, once accepted, is charged and will run.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, StreamingResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.datastructures import UploadFile

from ...config import with_call_overrides
from ...errors import InputError
from ...files import atomic_write
from ...inputs import count_pages, is_pdf
from ..errors import Face, ServiceError, describe_validation, documented
from ..host import Host, caller, host_of
from ..paddlex import OcrOptions
from ..quota import QuotaBook, owner_key
from ..uploads import read as read_input
from .ppocr import INPUT, KIND, family_of, parse_page_ranges, picture_path, result_lines
from .store import CANCELED, DONE, FAILED, Job

logger = logging.getLogger("textlens.service")

JOBS_PATH = "/api/v2/ocr/jobs"
RESULT_FILE = "result.jsonl"
_COPY_CHUNK = 1024 * 1024

router = APIRouter(prefix=JOBS_PATH, tags=["PP-OCR jobs"])

FACE = Face(
    "/api/v2/ocr",
    400,
    lambda log_id, status, message, code: {
        "logId": log_id,
        "code": status,
        "msg": message,
        "data": None,
    },
)

_SUBMIT_DOC = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "model"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "model": {"type": "string", "example": "PP-OCRv6"},
                        "optionalPayload": {"type": "string", "description": "JSON object"},
                        "pageRanges": {"type": "string", "example": "1-3,7"},
                        "batchId": {"type": "string"},
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["fileUrl", "model"],
                    "properties": {
                        "fileUrl": {"type": "string"},
                        "model": {"type": "string"},
                        "optionalPayload": {"type": "object"},
                        "pageRanges": {"type": "string"},
                        "batchId": {"type": "string"},
                    },
                }
            },
        }
    }
}


class ErrorEnvelope(BaseModel):
    """Every refusal: `code` is the HTTP status (the client maps 401/403, 400, 429, 503/504)."""

    logId: str
    code: int
    msg: str
    data: None = None


class Progress(BaseModel):
    totalPages: int
    extractedPages: int
    startTime: str | None = Field(None, description="ISO 8601, UTC")
    endTime: str | None = None


class ResultUrl(BaseModel):
    jsonUrl: str = Field(description="pre-signed link to the JSONL result (no token needed)")


class JobData(BaseModel):
    """A job's status; `resultUrl` once it is done, `errorMsg` once it has failed."""

    jobId: str
    model: str
    state: Literal["pending", "running", "done", "failed"]
    extractProgress: Progress
    batchId: str | None = None
    resultUrl: ResultUrl | None = None
    errorMsg: str | None = None


class Submitted(BaseModel):
    jobId: str


class BatchData(BaseModel):
    batchId: str
    extractResult: list[JobData]


class _Envelope(BaseModel):
    code: int = 0
    msg: str = "Success"


class SubmitEnvelope(_Envelope):
    data: Submitted


class JobEnvelope(_Envelope):
    data: JobData


class BatchEnvelope(_Envelope):
    data: BatchData


@router.post(
    "",
    summary="Submit a document",
    openapi_extra=_SUBMIT_DOC,
    response_model=SubmitEnvelope,
    responses=documented(ErrorEnvelope, 400, 403, 413, 429),
)
async def submit(request: Request, token: str | None = Depends(caller)) -> SubmitEnvelope:
    host = host_of(request)
    key = owner_key(token)
    fields, upload = await _read_submit(request)
    family = family_of(_text(fields, "model") or "PP-OCRv6")
    options = _options(fields.get("optionalPayload"))
    overrides = options.overrides()
    with_call_overrides(host.engine.settings, **overrides)  # a bad value is refused now
    batch_id = _text(fields, "batchId")
    if await asyncio.to_thread(host.jobs.unfinished, key, KIND) >= host.config.max_jobs_per_token:
        raise ServiceError(
            429,
            f"this token already has {host.config.max_jobs_per_token} unfinished jobs "
            "(max_jobs_per_token); wait for one to finish",
            {"Retry-After": "30"},
        )
    job_id = host.jobs.new_id()
    folder = host.jobs.files(job_id)
    charged_at: datetime | None = None  # set once the pages are charged
    try:
        name = await _store_input(host, fields, upload, folder / INPUT)
        path = folder / INPUT
        count = await asyncio.to_thread(count_pages, path, name)
        with path.open("rb") as handle:
            pdf = is_pdf(handle.read(1024))
        pages = parse_page_ranges(_text(fields, "pageRanges"), count)
        request.state.pages = len(pages)
        if host.quota is not None and token is not None:
            charged_at = datetime.now(UTC)
            await asyncio.to_thread(host.quota.charge, token, len(pages), charged_at)
        params = {
            "model": _text(fields, "model") or "PP-OCRv6",
            "family": family,
            "overrides": overrides,
            "visualize": host.config.visualize if options.visualize is None else options.visualize,
            "file_name": name,
            "is_pdf": pdf,
            "pages": pages,
        }
        await asyncio.to_thread(host.jobs.create, job_id, KIND, params, len(pages), key, batch_id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        if charged_at is not None and token is not None and host.quota is not None:
            await _refund(host.quota, token, len(pages), charged_at)
        raise
    host.worker.wake()
    return SubmitEnvelope(data=Submitted(jobId=job_id))


async def _refund(quota: QuotaBook, token: str, pages: int, charged_at: datetime) -> None:
    """Give back a charge for a job that was never stored; a refund that fails too (the same
    database down) is logged, the job's own error still answered."""
    try:
        await asyncio.to_thread(quota.refund, token, pages, charged_at)
    except Exception:
        logger.exception("could not refund %d pages for a job that was never stored", pages)


async def _read_submit(request: Request) -> tuple[dict[str, Any], UploadFile | None]:
    """The submit's fields, and its uploaded file when it came as multipart."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=16)
        upload = form.get("file")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        if not isinstance(upload, UploadFile):
            raise InputError("file: a multipart submit needs its document in the field `file`")
        return fields, upload
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # nested past Python's stack
        raise InputError(
            "the body must be JSON with fileUrl, or multipart/form-data with file"
        ) from None
    if not isinstance(body, dict) or not isinstance(body.get("fileUrl"), str):
        raise InputError("fileUrl: required (or send the file as multipart/form-data)")
    return body, None


def _text(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{name}: must be a string")
    return value


def _options(raw: Any) -> OcrOptions:
    """optionalPayload, as an object (JSON submit) or a JSON string (multipart)."""
    if raw is None or raw == "":
        return OcrOptions.model_validate({})
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):  # nested past Python's stack
            raise InputError("optionalPayload: not a JSON object") from None
    if not isinstance(raw, dict):
        raise InputError("optionalPayload: must be a JSON object")
    try:
        return OcrOptions.model_validate(raw)
    except ValidationError as exc:
        raise InputError(f"optionalPayload: {describe_validation(exc.errors())}") from None


async def _store_input(
    host: Host, fields: dict[str, Any], upload: UploadFile | None, target: Any
) -> str:
    """Write the document to the job's folder; the name it is known by."""
    if upload is not None:
        try:
            await asyncio.to_thread(_copy, upload, target)
        except OSError as exc:  # a full disk: the caller removes what was written
            raise ServiceError(503, f"cannot store the upload ({exc.strerror or exc})") from None
        if target.stat().st_size == 0:
            raise InputError("file: the file is empty")
        return upload.filename or "file"
    url = fields["fileUrl"]
    if host.fetcher is None:
        raise InputError(
            "fileUrl: URL inputs are disabled on this server (allow_url_inputs: false); "
            "upload the file instead (multipart field `file`)"
        )
    data = await read_input(url, "fileUrl", host.fetcher)
    await asyncio.to_thread(atomic_write, target, data)
    return url.rsplit("/", 1)[-1] or "fileUrl"


def _copy(upload: UploadFile, target: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    upload.file.seek(0)
    with target.open("wb") as out:
        shutil.copyfileobj(upload.file, out, _COPY_CHUNK)


def _owned(host: Host, token: str | None, job_id: str) -> Job:
    """The caller's job; 404 for one that does not exist or is another token's."""
    job = host.jobs.owned(job_id, KIND, owner_key(token))
    if job is None:
        raise ServiceError(404, f"no job {job_id}")
    return job


def _iso(stamp: float | None) -> str | None:
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat()


def _status(request: Request, host: Host, job: Job) -> JobData:
    data = JobData(
        jobId=job.id,
        model=job.params["model"],
        state=FAILED if job.state == CANCELED else job.state,  # type: ignore[arg-type]
        extractProgress=Progress(
            totalPages=job.total_pages,
            extractedPages=job.done_pages,
            startTime=_iso(job.started),
            endTime=_iso(job.finished),
        ),
        batchId=job.batch_id,
    )
    if job.state == DONE:
        data.resultUrl = ResultUrl(jsonUrl=_link(request, host, job.id, RESULT_FILE))
    elif job.state in (FAILED, CANCELED):
        data.errorMsg = job.error or "the job was canceled"
    return data


def _link(request: Request, host: Host, job_id: str, name: str) -> str:
    """An absolute pre-signed link to one of a job's files."""
    path = f"{JOBS_PATH}/{job_id}/{name}"
    return f"{str(request.base_url).rstrip('/')}{path}?{host.signer.query(path)}"


@router.get(
    "/batch/{batch_id}",
    summary="The jobs of a batch",
    response_model=BatchEnvelope,
    response_model_exclude_none=True,
    responses=documented(ErrorEnvelope, 400, 403, 404),
)
async def batch_status(
    batch_id: str, request: Request, token: str | None = Depends(caller)
) -> BatchEnvelope:
    host = host_of(request)
    jobs = await asyncio.to_thread(host.jobs.batch, batch_id, KIND, owner_key(token))
    if not jobs:
        raise ServiceError(404, f"no batch {batch_id}")
    return BatchEnvelope(
        data=BatchData(
            batchId=batch_id, extractResult=[_status(request, host, job) for job in jobs]
        )
    )


@router.get(
    "/{job_id}",
    summary="A job's state, progress and result link",
    response_model=JobEnvelope,
    response_model_exclude_none=True,
    responses=documented(ErrorEnvelope, 400, 403, 404),
)
async def job_status(
    job_id: str, request: Request, token: str | None = Depends(caller)
) -> JobEnvelope:
    host = host_of(request)
    job = await asyncio.to_thread(_owned, host, token, job_id)
    return JobEnvelope(data=_status(request, host, job))


def _signed_job(request: Request, job_id: str, name: str) -> tuple[Host, Job]:
    """The job behind a pre-signed link (no token: the signature is the credential)."""
    host = host_of(request)
    path = f"{JOBS_PATH}/{job_id}/{name}"
    host.signer.check(
        path, request.query_params.get("expires"), request.query_params.get("signature")
    )
    job = host.jobs.get(job_id)
    if job is None or job.state != DONE:
        raise ServiceError(404, f"job {job_id} has no result (it was deleted or is not done)")
    return host, job


@router.get(
    f"/{{job_id}}/{RESULT_FILE}",
    summary="A done job's JSONL (pre-signed link)",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/jsonl": {}}},
        **documented(ErrorEnvelope, 400, 403, 404),
    },
)
async def job_result(job_id: str, request: Request) -> StreamingResponse:
    host, job = _signed_job(request, job_id, RESULT_FILE)

    def lines() -> Iterator[str]:
        yield from result_lines(
            job,
            host.jobs.pages(job.id),
            lambda name: _link(request, host, job.id, name),
        )

    return StreamingResponse(lines(), media_type="application/jsonl")


@router.get(
    "/{job_id}/pages/{seq}/{name}",
    summary="A page's picture (pre-signed link)",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, **documented(ErrorEnvelope, 400, 403, 404)},
)
async def job_picture(job_id: str, seq: int, name: str, request: Request) -> FileResponse:
    host, job = _signed_job(request, job_id, f"pages/{seq}/{name}")
    path = picture_path(host.jobs, job.id, seq, name)
    if path is None or not path.is_file():
        raise ServiceError(404, f"job {job_id} has no picture pages/{seq}/{name}")
    return FileResponse(path, media_type="image/jpeg")
