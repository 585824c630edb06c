"""Replicate's HTTP API for the Florence-2 OCR deployment (seed 000): Replicate's own client
(`replicate.Client(base_url=...)`) runs it here by changing only its base URL.

The prediction is POST /predictions's, input and output string alike; what differs is when. A
prediction is read and charged its pages (429 over quota, or past max_jobs_per_token unfinished
ones) at creation, answered at once (201, `starting`), then run as a job (jobs/florence.py) of
the job store: in the background, a page at a time on a worker's OCR thread between other
requests, visible to every worker, and resumed after a restart from its last stored page.

`Prefer: wait` (60 s) or `Prefer: wait=n` (1 to 60) holds the answer until the prediction ends
or the time is up. An unfinished prediction is then answered as `starting`, whether or not it is
processing, as Replicate does: the client's run() takes any other status as final, and would
return no output instead of polling for it.

One engine answers every `owner/name` and every version id that Replicate's naming allows
(lowercase letters, digits, `-`, `_`, `.`), as the OpenAI face answers every model name: a
prediction records the ones it was created with, and `replicate.run("any/name:latest")` works
as the deployment's own example writes it.

Files: POST /v1/files stores an upload (uploaded_files.FileStore) and answers its `urls.get`. An
input naming `<any host>/v1/files/<id>` is read from that store, never fetched (a Replicate file
URL needs Replicate's token, so fetching one could never be what a client meant), whatever
allow_url_inputs says: that is how the client sends a local file by default. Inline inputs are
shown in the prediction's `input` by their size, not repeated in every poll.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import mimetypes
import re
import shutil
import time
from datetime import UTC, datetime
from functools import partial
from http import HTTPStatus
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import InputError
from ..florence2 import Florence2
from ..pipeline import OCR
from . import florence
from .errors import Face, ServiceError, documented
from .fetch import is_url
from .host import Host, caller, host_of
from .jobs.florence import KIND, output, plan_inputs
from .jobs.store import CANCELED, DONE, FAILED, PENDING, RUNNING, Job
from .openai import model_id
from .quota import owner_key, token_key
from .uploaded_files import FileStore, StoredFile, new_id

router = APIRouter(tags=["Replicate-compatible"])
logger = logging.getLogger(__name__)

FILES_PATH = "/v1/files"
MODEL = "textlens/florence-2-ocr"  # the model of a prediction whose version names none
COG_VERSION = "0.9.0"  # of the schema's shape; >= 0.3.9, so no output is taken as an iterator
MAX_WAIT_S = 60
WAIT_MARGIN_S = 0.25  # the client reads for wait + 0.5 s: answer inside that

_FILE_URL = re.compile(r"https?://[^/?#]+(?:/[^?#]*)?/v1/files/(?P<id>[a-z0-9]+)")
_PREFER_WAIT = re.compile(r"(?:^|[\s,;])wait(?:\s*=\s*(?P<seconds>\d{1,6}))?(?=$|[\s,;])", re.I)
NAME = r"[a-z0-9][a-z0-9._-]{0,99}"  # Replicate's rule for owners, models (and our versions)
_VERSION_REF = re.compile(rf"(?:(?P<model>{NAME}/{NAME})(?::(?P<id>{NAME}))?|(?P<bare>{NAME}))")
_TITLES = {401: "Unauthenticated", 404: "Not found", 422: "Input validation failed"}
# not-found messages echo no id: nothing a client sent is reflected into an answer
_NO_FILE = "no such file here (unknown, deleted, expired, or another token's)"
_STARTED = time.time()
Status = Literal["starting", "processing", "succeeded", "failed", "canceled"]
_STATUS: dict[str, Status] = {
    PENDING: "starting",
    RUNNING: "processing",
    DONE: "succeeded",
    FAILED: "failed",
    CANCELED: "canceled",
}
WAIT_POLL_S = 0.1  # how often a `Prefer: wait` request looks at its prediction


def _owns(path: str) -> bool:
    """/v1/predictions..., /v1/files... and /v1/models/{owner}/{name}...; the rest of /v1
    (/v1/models, /v1/models/{id}, /v1/chat/completions) is the OpenAI face's."""
    parts = path.strip("/").split("/")
    if len(parts) < 2 or parts[0] != "v1":
        return False
    return parts[1] in ("predictions", "files") or (parts[1] == "models" and len(parts) >= 4)


def _problem(log_id: str, status: int, message: str, code: str | None) -> dict[str, Any]:
    """RFC 7807 problem details, which the client's ReplicateError reads."""
    try:
        title = _TITLES.get(status) or HTTPStatus(status).phrase
    except ValueError:  # no standard status (499: the client went away)
        title = "Error"
    return {"title": title, "detail": message, "status": status, "instance": f"urn:uuid:{log_id}"}


FACE = Face("/v1", 422, _problem, auth_status=401, owns=_owns)


class Problem(BaseModel):
    title: str
    detail: str
    status: int
    instance: str = Field(description="urn:uuid:<logId> of the request, as in the server log")


class ModelPredictionRequest(BaseModel):
    input: florence.PredictionInput
    webhook: str | None = Field(None, description="accepted; this server sends no webhooks")
    webhook_completed: str | None = Field(None, description="accepted; not called")
    webhook_events_filter: list[str] | None = Field(None, description="accepted; not used")
    stream: bool | None = Field(None, description="accepted; the output is not streamed")


class VersionPredictionRequest(ModelPredictionRequest):
    version: str = Field(
        pattern=f"^{_VERSION_REF.pattern}$",
        description="a version id, `owner/name` or `owner/name:id`: any names this engine",
    )


class PredictionUrls(BaseModel):
    get: str
    cancel: str


class PredictionBody(BaseModel):
    id: str
    model: str = Field(description="owner/name")
    version: str
    input: dict[str, Any]
    output: str | None = Field(
        description="once succeeded: the JSON string POST /predictions gives"
    )
    logs: str = ""
    error: str | None
    status: Status
    created_at: str
    started_at: str | None
    completed_at: str | None
    urls: PredictionUrls
    metrics: dict[str, float] = Field(description="predict_time, total_time once finished")


class VersionBody(BaseModel):
    id: str
    created_at: str
    cog_version: str
    openapi_schema: dict[str, Any]


class VersionPage(BaseModel):
    previous: str | None = None
    next: str | None = None
    results: list[VersionBody]


class ModelBody(BaseModel):
    url: str
    owner: str
    name: str
    description: str
    visibility: Literal["public"] = "public"
    github_url: str | None = None
    paper_url: str | None = None
    license_url: str | None = None
    run_count: int = Field(default=0, description="not counted")
    cover_image_url: str | None = None
    default_example: None = None
    latest_version: VersionBody


class FileUrls(BaseModel):
    get: str = Field(description="name it in a prediction's input to read the file")


class FileBody(BaseModel):
    id: str
    name: str
    content_type: str
    size: int
    etag: str
    checksums: dict[str, str]
    metadata: dict[str, Any]
    created_at: str
    expires_at: str
    urls: FileUrls


Name = Annotated[
    str, Path(pattern=f"^{NAME}$", description="lowercase letters, digits, `-`, `_`, `.`")
]
_WAIT = Header(
    None,
    description="`wait` (60 s) or `wait=n` (1 to 60 s): answer once the prediction ends or the "
    "time is up (then as `starting`)",
)
_OPENAPI_SCHEMA = {
    "openapi": "3.0.2",
    "info": {"title": "Cog", "version": "0.1.0"},
    "paths": {},
    "components": {
        "schemas": {
            "Input": {**florence.PredictionInput.model_json_schema(), "title": "Input"},
            "Output": {
                "title": "Output",
                "type": "string",
                "description": 'JSON string: {"task", "total_pages", "results": [page], '
                '"pages": [page]}',
            },
        }
    },
}
_MULTIPART = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["content"],
                    "properties": {
                        "content": {"type": "string", "format": "binary"},
                        "metadata": {"type": "string", "description": "a JSON object"},
                    },
                }
            }
        },
    }
}


def _files(request: Request) -> FileStore:
    """This worker's handle on the uploaded files (shared by all workers)."""
    state = request.app.state
    if not hasattr(state, "replicate_files"):
        config = host_of(request).config
        state.replicate_files = FileStore(config.jobs_dir, config.job_retention_s)
    return state.replicate_files


def _owner(token: str | None) -> str:
    return "" if token is None else token_key(token)


def version_id(engine: OCR | Florence2) -> str:
    """The one version: this release of textlens with its engine's models."""
    return hashlib.sha256(f"textlens {__version__} {model_id(engine)}".encode()).hexdigest()


def wait_seconds(prefer: str | None) -> float | None:
    """How long `Prefer: wait[=n]` asks to hold the answer; None when it asks for no wait."""
    match = _PREFER_WAIT.search(prefer or "")
    if match is None:
        return None
    return min(max(int(match["seconds"] or MAX_WAIT_S), 1), MAX_WAIT_S)


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@router.post(
    "/v1/predictions",
    status_code=201,
    response_model=PredictionBody,
    summary="Create a prediction (Replicate)",
    responses=documented(Problem, 401, 413, 422, 429),
)
async def create_prediction(
    body: VersionPredictionRequest,
    request: Request,
    prefer: str | None = _WAIT,
    token: str | None = Depends(caller),
) -> PredictionBody:
    ref = _VERSION_REF.fullmatch(body.version)
    assert ref is not None  # the field's pattern
    model = ref["model"] or MODEL
    version = ref["id"] or ref["bare"] or version_id(host_of(request).florence_engine)
    return await _create(request, token, model, version, body.input, prefer)


@router.post(
    "/v1/models/{owner}/{name}/predictions",
    status_code=201,
    response_model=PredictionBody,
    summary="Create a prediction of a model (Replicate)",
    responses=documented(Problem, 401, 413, 422, 429),
)
async def create_model_prediction(
    owner: Name,
    name: Name,
    body: ModelPredictionRequest,
    request: Request,
    prefer: str | None = _WAIT,
    token: str | None = Depends(caller),
) -> PredictionBody:
    version = version_id(host_of(request).florence_engine)
    return await _create(request, token, f"{owner}/{name}", version, body.input, prefer)


@router.get(
    "/v1/predictions/{prediction_id}",
    response_model=PredictionBody,
    summary="Get a prediction (Replicate)",
    responses=documented(Problem, 401, 404, 422),
)
async def get_prediction(
    prediction_id: str, request: Request, token: str | None = Depends(caller)
) -> PredictionBody:
    host = host_of(request)
    job = await asyncio.to_thread(_owned, host, token, prediction_id)
    return await asyncio.to_thread(_prediction_body, request, host, job)


@router.post(
    "/v1/predictions/{prediction_id}/cancel",
    response_model=PredictionBody,
    summary="Cancel a prediction (Replicate)",
    responses=documented(Problem, 401, 404, 422),
)
async def cancel_prediction(
    prediction_id: str, request: Request, token: str | None = Depends(caller)
) -> PredictionBody:
    host = host_of(request)
    await asyncio.to_thread(_owned, host, token, prediction_id)
    job = await asyncio.to_thread(host.jobs.cancel, prediction_id)
    return await asyncio.to_thread(_prediction_body, request, host, _found(job))


@router.get(
    "/v1/models/{owner}/{name}",
    response_model=ModelBody,
    summary="The model (Replicate): every owner/name is this engine",
    responses=documented(Problem, 401, 422),
)
async def get_model(
    owner: Name, name: Name, request: Request, token: str | None = Depends(caller)
) -> ModelBody:
    engine = host_of(request).florence_engine
    return ModelBody(
        url=str(request.url_for("get_model", owner=owner, name=name)),
        owner=owner,
        name=name,
        description="Florence-2 Advanced OCR, offline: the text and line boxes of up to "
        f"{florence.MAX_IMAGES} images a prediction; the output is a JSON string",
        latest_version=_version(version_id(engine)),
    )


@router.get(
    "/v1/models/{owner}/{name}/versions",
    response_model=VersionPage,
    summary="The model's versions (Replicate): one",
    responses=documented(Problem, 401, 422),
)
async def list_versions(
    owner: Name, name: Name, request: Request, token: str | None = Depends(caller)
) -> VersionPage:
    return VersionPage(results=[_version(version_id(host_of(request).florence_engine))])


@router.get(
    "/v1/models/{owner}/{name}/versions/{version}",
    response_model=VersionBody,
    summary="A version (Replicate): every id is this engine",
    responses=documented(Problem, 401, 422),
)
async def get_version(
    owner: Name, name: Name, version: Name, token: str | None = Depends(caller)
) -> VersionBody:
    return _version(version)


@router.post(
    FILES_PATH,
    status_code=201,
    response_model=FileBody,
    summary="Upload a file for prediction inputs (Replicate)",
    responses=documented(Problem, 401, 413, 422),
    openapi_extra=_MULTIPART,
)
async def create_file(request: Request, token: str | None = Depends(caller)) -> FileBody:
    try:
        form = await request.form()  # file parts are spooled to disk, not held in memory
    except HTTPException as exc:
        if exc.status_code != 400:  # 413 past max_job_bytes, as counted by RequestGuard
            raise
        raise ServiceError(
            422, f"the body is not a readable multipart form ({exc.detail})"
        ) from None
    try:
        for field in ("content", "metadata"):
            if len(form.getlist(field)) > 1:
                raise ServiceError(422, f"{field}: given more than once")
        content = form.get("content")
        if not isinstance(content, UploadFile):
            raise ServiceError(422, "content: a file part is required (multipart/form-data)")
        metadata = _metadata(form.get("metadata"))
        name = content.filename or "file"
        kind = content.content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        files = _files(request)
        stored = await asyncio.to_thread(
            files.add, _owner(token), name, kind, content.file, metadata
        )
    finally:
        await form.close()
    await asyncio.to_thread(files.sweep)
    return _file_body(request, stored)


@router.get(
    f"{FILES_PATH}/{{file_id}}",
    response_model=FileBody,
    summary="An uploaded file's record (Replicate)",
    responses=documented(Problem, 401, 404, 422),
)
async def get_file(file_id: str, request: Request, token: str | None = Depends(caller)) -> FileBody:
    found = await asyncio.to_thread(_files(request).get, file_id, _owner(token))
    if found is None:
        raise ServiceError(404, _NO_FILE)
    return _file_body(request, found)


@router.delete(
    f"{FILES_PATH}/{{file_id}}",
    status_code=204,
    response_class=Response,
    summary="Delete an uploaded file (Replicate)",
    responses=documented(Problem, 401, 404, 422),
)
async def delete_file(
    file_id: str, request: Request, token: str | None = Depends(caller)
) -> Response:
    if not await asyncio.to_thread(_files(request).delete, file_id, _owner(token)):
        raise ServiceError(404, _NO_FILE)
    return Response(status_code=204)


async def _create(
    request: Request,
    token: str | None,
    model: str,
    version: str,
    params: florence.PredictionInput,
    prefer: str | None,
) -> PredictionBody:
    """Read, charge and record a prediction's job, and wait for it if asked to."""
    host, owner = host_of(request), _owner(token)
    florence.engine_for(host.florence_engine, params)  # 422 for a task it cannot answer
    key = owner_key(token)
    cap = host.config.max_num_input_imgs
    inputs, counts = await florence.read_inputs(
        params.images, partial(_read, host, _files(request), owner), cap
    )
    request.state.pages = sum(counts)
    if await asyncio.to_thread(host.jobs.unfinished, key, KIND) >= host.config.max_jobs_per_token:
        raise ServiceError(
            429,
            f"this token already has {host.config.max_jobs_per_token} unfinished predictions "
            "(max_jobs_per_token); wait for one to finish",
            {"Retry-After": "10"},
        )
    if host.quota is not None and token is not None:
        await asyncio.to_thread(host.quota.charge, token, sum(counts))
    job_id = new_id()
    try:
        described, plan = await asyncio.to_thread(plan_inputs, host.jobs, job_id, inputs, counts)
        fields = {
            "model": model,
            "version": version,
            "input": _shown(params),
            "task": params.task,
            "text_input": params.text_input,
            "include_image": params.include_image,
            "inputs": described,
            "plan": plan,
        }
        job = await asyncio.to_thread(host.jobs.create, job_id, KIND, fields, len(plan), key)
    except BaseException:
        shutil.rmtree(host.jobs.files(job_id), ignore_errors=True)
        raise
    host.worker.wake()
    wait = wait_seconds(prefer)
    if wait is not None:
        deadline = request.state.started + wait - WAIT_MARGIN_S
        while job.unfinished and time.monotonic() < deadline:
            await asyncio.sleep(min(WAIT_POLL_S, max(0.0, deadline - time.monotonic())))
            job = _found(await asyncio.to_thread(host.jobs.get, job_id))
    body = await asyncio.to_thread(_prediction_body, request, host, job)
    if wait is not None and job.unfinished:
        body.status = "starting"  # see the module's docstring
    return body


async def _read(host: Host, files: FileStore, owner: str, text: str, label: str) -> bytes:
    """An input: a file of ours named by its URL, or whatever POST /predictions accepts."""
    match = _FILE_URL.fullmatch(text.strip())
    if match is None:
        return await host.read(text, label)
    data = await asyncio.to_thread(files.read, match["id"], owner)
    if data is None:
        raise InputError(f"{label}: {_NO_FILE}")
    if not data:
        raise InputError(f"{label}: the file is empty")
    return data


def _owned(host: Host, token: str | None, prediction_id: str) -> Job:
    """The caller's prediction; 404 for one that is unknown, deleted or another token's."""
    return _found(host.jobs.owned(prediction_id, KIND, owner_key(token)))


def _shown(params: florence.PredictionInput) -> dict[str, Any]:
    """The input as the prediction shows it: URLs as given, inline files by their size."""
    given = params.model_dump(exclude_unset=True)
    given["images"] = [
        text if is_url(text) else f"<inline file: {len(text)} characters>" for text in params.images
    ]
    return given


def _metadata(field: Any) -> dict[str, Any]:
    if field is None:
        return {}
    try:
        metadata = json.loads(field) if isinstance(field, str) else None
    except (ValueError, RecursionError):  # nested past Python's stack
        metadata = None
    if not isinstance(metadata, dict):
        raise ServiceError(422, "metadata: must be a JSON object")
    return metadata


def _found(job: Job | None) -> Job:
    if job is None:
        raise ServiceError(
            404,
            "no such prediction here (unknown, another token's, or finished more than "
            "job_retention_s ago)",
        )
    return job


def _prediction_body(request: Request, host: Host, job: Job) -> PredictionBody:
    """The prediction as Replicate shows it (reads its pages once it has succeeded)."""
    metrics: dict[str, float] = {}
    if job.finished is not None:
        if job.started is not None:
            metrics["predict_time"] = round(job.finished - job.started, 3)
        metrics["total_time"] = round(job.finished - job.created, 3)
    p = job.params
    return PredictionBody(
        id=job.id,
        model=p["model"],
        version=p["version"],
        input=p["input"],
        output=output(job, host.jobs.pages(job.id)) if job.state == DONE else None,
        error=job.error if job.state == FAILED else None,
        status=_STATUS[job.state],
        created_at=_iso(job.created),
        started_at=None if job.started is None else _iso(job.started),
        completed_at=None if job.finished is None else _iso(job.finished),
        urls=PredictionUrls(
            get=str(request.url_for("get_prediction", prediction_id=job.id)),
            cancel=str(request.url_for("cancel_prediction", prediction_id=job.id)),
        ),
        metrics=metrics,
    )


def _version(version: str) -> VersionBody:
    return VersionBody(
        id=version,
        created_at=_iso(_STARTED),
        cog_version=COG_VERSION,
        openapi_schema=_OPENAPI_SCHEMA,
    )


def _file_body(request: Request, f: StoredFile) -> FileBody:
    return FileBody(
        id=f.id,
        name=f.name,
        content_type=f.content_type,
        size=f.size,
        etag=f.md5,
        checksums={"sha256": f.sha256, "md5": f.md5},
        metadata=f.metadata,
        created_at=_iso(f.created_at),
        expires_at=_iso(f.expires_at),
        urls=FileUrls(get=str(request.url_for("get_file", file_id=f.id))),
    )
