"""Where OCR runs inside a worker process: one thread, a bounded queue, a deadline per request.

The engine reads one page at a time (it holds a lock), so one thread does the work and the
event loop stays free to answer health checks and refuse what does not fit: a request beyond
`queue_size` gets 503 at once instead of waiting without end. A request past its deadline gets
504; its job notices at the next page and stops, and only then frees its place in the queue, so
abandoned work can never pile up behind the clients' backs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from .errors import ServiceError

T = TypeVar("T")


class Abandoned(Exception):
    """Raised inside a job whose request has timed out or gone away."""


class JobControl:
    """Handed to a job: it calls check() before each page."""

    def __init__(self, deadline: float):
        self.deadline = deadline
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    def check(self) -> None:
        if self._cancelled.is_set() or time.monotonic() > self.deadline:
            raise Abandoned


class Runner:
    """The OCR thread of one worker process and the count of requests it holds."""

    def __init__(self, queue_size: int, timeout_s: float):
        self.queue_size = queue_size
        self.timeout_s = timeout_s
        self.held = 0  # only touched on the event loop's thread
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="textlens-ocr")

    def admit(self) -> Slot:
        """A place in the queue, or 503 when every place is taken."""
        if self.held >= self.queue_size:
            raise ServiceError(
                503,
                f"server busy: {self.held} request(s) already queued in this worker; retry shortly",
                {"Retry-After": "5"},
            )
        self.held += 1
        return Slot(self)

    def release(self) -> None:
        self.held -= 1

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


class Slot:
    """One admitted request: runs its job, and gives its place back when the job is over."""

    def __init__(self, runner: Runner):
        self._runner = runner
        self._job: asyncio.Future | None = None
        self._closed = False

    async def run(self, job: Callable[[JobControl], T], deadline: float) -> T:
        """The job's result; 504 when the deadline passes first."""
        control = JobControl(deadline)
        loop = asyncio.get_running_loop()
        self._job = loop.run_in_executor(self._runner.executor, job, control)
        try:
            return await asyncio.wait_for(
                asyncio.shield(self._job), max(0.0, deadline - time.monotonic())
            )
        except (TimeoutError, Abandoned):
            control.cancel()
            raise ServiceError(
                504,
                f"the request did not finish within "
                f"{self._runner.timeout_s:g} s; send fewer pages or retry "
                "later",
            ) from None
        except BaseException:
            control.cancel()  # the client went away or the job failed: stop at the next page
            raise

    def close(self) -> None:
        """Give the place back now, or when a job still running in the thread ends."""
        if self._closed:
            return
        self._closed = True
        if self._job is not None and not self._job.done():
            self._job.add_done_callback(self._finished)
        else:
            self._runner.release()

    def _finished(self, job: Future | asyncio.Future) -> None:
        if not job.cancelled():
            job.exception()  # retrieved: an abandoned job's error is expected, not a warning
        self._runner.release()
