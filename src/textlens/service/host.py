"""What every endpoint of one worker process shares, and the order every request goes through.

Authenticate, read the input, count its pages, take a place in the queue (503), charge the
quota (429), then run the OCR job under the request's deadline (504). Admission comes before
the charge so that a busy server never bills for work it refused; the charge comes before the
job so that a request over quota costs nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from fastapi import Request, Security
from fastapi.security import APIKeyHeader

from ..florence2 import Florence2
from ..pipeline import OCR
from . import uploads
from .auth import TokenCheck
from .fetch import Fetcher
from .jobs.signing import Signer, load_key
from .jobs.store import JobStore
from .jobs.worker import JobWorker
from .quota import QuotaBook
from .runner import JobControl, Runner
from .settings import ServiceConfig

T = TypeVar("T")

_AUTHORIZATION = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    description="`token <TOKEN>` or `Bearer <TOKEN>` when the server has tokens configured",
)


class Host:
    """One engine (more when jobs ask for other model families), its runner, the quota book,
    the URL fetcher, and the job store with this process's job worker."""

    def __init__(self, config: ServiceConfig, engine: OCR, florence: Florence2 | None = None):
        self.config = config
        self.engine = engine
        self.florence = florence  # Florence-2, when the config loads it
        self.runner = Runner(config.queue_size, config.request_timeout_s)
        self.tokens = TokenCheck(config.tokens)
        self.quota = (
            QuotaBook(config.quota_db, config.daily_page_limit)
            if config.auth_enabled and config.daily_page_limit
            else None
        )
        self.fetcher = (
            Fetcher(config.url_allowlist, config.max_request_bytes, config.url_timeout_s)
            if config.allow_url_inputs
            else None
        )
        self._engines = {engine.settings.ocr_version: engine}
        self.jobs = JobStore(config.jobs_dir, config.job_retention_s, config.job_lease_s)
        self.signer = Signer(load_key(self.jobs.folder), config.result_url_ttl_s)
        self.worker = JobWorker(self.jobs, self.runner.executor)  # the app adds the handlers

    @property
    def florence_engine(self) -> OCR | Florence2:
        """The engine of seed 000's and 001's faces (/predictions, chat, Replicate):
        Florence-2 when loaded, else PP-OCR."""
        return self.florence or self.engine

    def engine_for(self, family: str) -> OCR:
        """The engine of a model family, built on first use; called on the OCR thread only."""
        if family not in self._engines:
            self._engines[family] = OCR(**{**self.config.engine, "ocr_version": family})
        return self._engines[family]

    async def read(self, text: str, label: str) -> bytes:
        """A file given as base64, a data URI or (when allowed) a URL."""
        return await uploads.read(text, label, self.fetcher)

    async def execute(
        self, request: Request, token: str | None, pages: int, job: Callable[[JobControl], T]
    ) -> T:
        """Admit, charge and run one request's OCR job."""
        request.state.pages = pages
        slot = self.runner.admit()
        try:
            if self.quota is not None and token is not None:
                await asyncio.to_thread(self.quota.charge, token, pages)
            deadline = request.state.started + self.config.request_timeout_s
            return await slot.run(job, deadline)
        finally:
            slot.close()


def host_of(request: Request) -> Host:
    return request.app.state.host


def caller(request: Request, authorization: str | None = Security(_AUTHORIZATION)) -> str | None:
    """FastAPI dependency: the caller's token, None when auth is off; 403 otherwise."""
    return host_of(request).tokens(authorization)
