"""The FastAPI application: three contracts over one engine per worker process.

Every failure is turned into the error body of the contract whose path was called (PaddleX
envelope on /ocr, OpenAI error on /v1, `{"detail"}` elsewhere), so clients of each keep working,
and no failure ever shows a stack trace.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import TextlensError
from ..florence2 import Florence2
from ..pipeline import OCR
from . import docs, exports, florence, openai, paddlex, replicate, web
from .errors import DEFAULT_FACE, AuthError, Face, ServiceError, describe_validation
from .host import Host
from .jobs import api as jobs
from .jobs.florence import FlorenceHandler
from .jobs.ppocr import PpocrHandler
from .middleware import RequestGuard
from .settings import ServiceConfig, config_from_env

FACES = (jobs.FACE, paddlex.FACE, florence.FACE, replicate.FACE, openai.FACE)

DESCRIPTION = """Offline OCR over HTTP, speaking five existing contracts:

* `POST /ocr`: PaddleX serving / PP-OCRv5 hosted API (errors: `{logId, errorCode, errorMsg}`,
  parameter errors answer 500 as the hosted API documents);
* `POST /api/v2/ocr/jobs`, `GET /api/v2/ocr/jobs/{jobId}`: the PP-OCR hosted job API for
  documents of any size, as PaddleOCR's `PaddleOCRClient` speaks it;
* `POST /predictions`: the Florence-2 Advanced OCR deployment;
* `POST /v1/predictions`, `POST /v1/models/{owner}/{name}/predictions`, `/v1/files`: the same
  predictions through Replicate's HTTP API, as Replicate's client speaks it (problem-details
  errors);
* `POST /v1/chat/completions`, `GET /v1/models`: OpenAI-compatible.

`POST /export` turns a result back into txt, Markdown, hOCR, ALTO or a searchable PDF, and
`POST /reading-order` orders lines as those read. `/` is a web page for people, over this API.

When the server has tokens, send `Authorization: token <TOKEN>` or `Bearer <TOKEN>`."""


def face_for(path: str) -> Face:
    for face in FACES:
        if face.serves(path):
            return face
    return DEFAULT_FACE


def error_response(
    path: str,
    log_id: str,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    return JSONResponse(face_for(path).body(log_id, status, message, code), status, headers)


def _request_error(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    code: str | None = None,
) -> JSONResponse:
    return error_response(request.url.path, request.state.log_id, status, message, headers, code)


async def _on_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status, headers = exc.status, exc.headers
    if isinstance(exc, AuthError):
        status = face_for(request.url.path).auth_status
        if status == 401:  # RFC 9110: a 401 names the scheme to authenticate with
            headers = {**headers, "WWW-Authenticate": "Bearer"}
    return _request_error(request, status, exc.message, headers, exc.code)


async def _on_bad_input(request: Request, exc: Exception) -> JSONResponse:
    return _request_error(request, face_for(request.url.path).bad_input_status, str(exc))


async def _on_invalid_request(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _request_error(
        request, face_for(request.url.path).bad_input_status, describe_validation(exc.errors())
    )


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    """404, 405, and FastAPI's 400 for a body it cannot parse: that one is bad input."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400:
        return _request_error(
            request,
            face_for(request.url.path).bad_input_status,
            f"the body could not be read as JSON ({exc.detail})",
        )
    return _request_error(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI documents 422 for every body; /ocr and /v1 answer bad bodies otherwise."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for path, operations in schema["paths"].items():
            if face_for(path).bad_input_status != 422:
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
        app.openapi_schema = schema
    return app.openapi_schema


def create_app(config: ServiceConfig, engine: OCR | None = None) -> FastAPI:
    """The service; the engine is built at start-up (in each worker) unless one is given."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        florence2 = None if config.florence2 is None else Florence2(**config.florence2)
        host = Host(config, engine or OCR(**config.engine), florence2)
        app.state.host = host
        host.worker.add(PpocrHandler(host.jobs, host.engine_for))
        host.worker.add(FlorenceHandler(host.jobs, host.florence_engine))
        worker = asyncio.create_task(host.worker.run())
        yield
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        host.runner.shutdown()

    app = FastAPI(
        title="textlens",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )  # docs.router serves them
    routers = (jobs.router, paddlex.router, florence.router, replicate.router, openai.router)
    for router in (*routers, exports.router, docs.router, web.router):
        app.include_router(router)
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(TextlensError, _on_bad_input)
    app.add_exception_handler(RequestValidationError, _on_invalid_request)
    app.add_exception_handler(HTTPException, _on_http_error)
    app.add_middleware(
        RequestGuard,
        max_bytes=config.max_request_bytes,
        respond=error_response,
        streamed={jobs.JOBS_PATH: config.max_job_bytes, replicate.FILES_PATH: config.max_job_bytes},
    )
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """uvicorn's factory in each worker process: the config `textlens serve` resolved."""
    return create_app(config_from_env())
