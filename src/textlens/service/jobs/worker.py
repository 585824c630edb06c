"""Each worker process's job loop: claim a job, read its pages one at a time, store each.

A page is one task on the process's OCR thread (the Runner's), the same thread the synchronous
endpoints use, queued behind whatever they sent before it: a request never waits for more than
the page in progress, and a thousand-page job never starves `/ocr`. Between pages the loop
stores the page's result (see store.py: stored once, however the worker ends), renews its lease
and looks for a cancel request. Only one job runs per process at a time, so a job's memory is
one page's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from ...errors import TextlensError
from ..sqlite import StoreUnavailable
from .store import CANCELED, DONE, FAILED, Job, JobStore

logger = logging.getLogger(__name__)

SWEEP_EVERY_S = 60.0
_END: Any = object()


class Handler(Protocol):
    """What a kind of job does with its pages (the PP-OCR job API, Replicate predictions)."""

    kind: str

    def pages(self, job: Job, start: int) -> Iterator[dict[str, Any]]:
        """Each page's stored result from page `start` on, produced lazily: every next() runs
        on the OCR thread and reads one page. A page that cannot be read yields its error as
        its result; an exception fails the whole job."""
        ...


class JobWorker:
    """Runs the jobs of the kinds it was given handlers for on `executor` (the OCR thread)."""

    def __init__(self, store: JobStore, executor: Any, poll_s: float = 1.0):
        self.store = store
        self.executor = executor
        self.handlers: dict[str, Handler] = {}
        self.poll_s = poll_s
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._wake = asyncio.Event()

    def add(self, handler: Handler) -> None:
        """Run this kind of job too."""
        self.handlers[handler.kind] = handler

    def wake(self) -> None:
        """A job was just submitted to this process: look now rather than at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Until cancelled (at shutdown, when this worker's leases are given back)."""
        last_sweep = 0.0
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    if loop.time() - last_sweep > SWEEP_EVERY_S:
                        last_sweep = loop.time()
                        await asyncio.to_thread(self.store.sweep)
                    job = await asyncio.to_thread(
                        self.store.claim, self.owner, tuple(self.handlers)
                    )
                except StoreUnavailable as exc:  # locked or unwritable for now: try again
                    logger.warning("job store unavailable: %s", exc.message)
                    job = None
                if job is None:
                    self._wake.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_s)
                    continue
                await self._run(job)
        finally:
            await asyncio.shield(asyncio.to_thread(self.store.release, self.owner))

    async def _run(self, job: Job) -> None:
        handler = self.handlers[job.kind]
        loop = asyncio.get_running_loop()
        pages = handler.pages(job, job.done_pages)
        try:
            for seq in range(job.done_pages, job.total_pages):
                current = await asyncio.to_thread(self.store.get, job.id)
                if current is None or current.cancel_requested:
                    await asyncio.to_thread(self.store.finish, job.id, self.owner, CANCELED)
                    return
                step = loop.run_in_executor(self.executor, next, pages, _END)
                if not await self._hold(job, step):
                    return  # another worker took the job over; it resumes where we stopped
                body = step.result()
                if body is _END:
                    raise RuntimeError(f"job {job.id} ended after {seq} of {job.total_pages} pages")
                if not await asyncio.to_thread(self.store.add_page, job.id, self.owner, seq, body):
                    return
            await asyncio.to_thread(self.store.finish, job.id, self.owner, DONE)
        except asyncio.CancelledError:
            raise
        except StoreUnavailable as exc:
            # the store takes no page now: the job keeps the pages it stored and is resumed,
            # here or by another worker, once its lease runs out
            logger.warning("job %s paused: %s", job.id, exc.message)
        except Exception as exc:
            if isinstance(exc, TextlensError):
                message = str(exc)
            elif isinstance(exc, OSError):  # a page's pictures could not be written (disk full)
                message = f"cannot store the results ({exc.strerror or exc})"
            else:
                logger.exception("job %s failed", job.id)
                message = "internal error while reading the document"
            await asyncio.to_thread(self.store.finish, job.id, self.owner, FAILED, message)
        finally:
            _close(pages)

    async def _hold(self, job: Job, step: asyncio.Future) -> bool:
        """Wait for a page, renewing the lease meanwhile; False once the lease is lost."""
        while True:
            done, _ = await asyncio.wait({step}, timeout=self.store.lease_s / 3)
            if done:
                return True
            if not await asyncio.to_thread(self.store.renew, job.id, self.owner):
                await asyncio.wait({step})
                return False


def _close(pages: Iterator[dict[str, Any]]) -> None:
    """End the page reader (its PDF, its read-ahead thread) once no page of it is in flight."""
    close = getattr(pages, "close", None)
    if close is not None:
        # ValueError: shutting down with a page still in flight; the thread ends it
        with contextlib.suppress(ValueError):
            close()
