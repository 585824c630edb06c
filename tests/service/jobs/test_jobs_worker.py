"""The job loop with stand-in handlers (no OCR): the contract between worker and handler."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from textlens.errors import InputError
from textlens.service.jobs.store import CANCELED, DONE, FAILED, Job, JobStore
from textlens.service.jobs.worker import JobWorker


class Counting:
    """Pages that say their number; optionally fails or waits at one."""

    kind = "test"

    def __init__(self, fail_at: int | None = None, error: Exception | None = None):
        self.fail_at, self.error = fail_at, error
        self.starts: list[int] = []

    def pages(self, job: Job, start: int) -> Iterator[dict[str, Any]]:
        self.starts.append(start)
        for seq in range(start, job.total_pages):
            if seq == self.fail_at:
                assert self.error is not None
                raise self.error
            yield {"seq": seq}


def _run(store: JobStore, handler: Counting, until: Any) -> None:
    async def main() -> None:
        worker = JobWorker(store, ThreadPoolExecutor(1), poll_s=0.05)
        worker.add(handler)
        task = asyncio.create_task(worker.run())
        for _ in range(400):
            if until():
                break
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    asyncio.run(main())


@pytest.fixture
def store(tmp_path) -> JobStore:
    return JobStore(tmp_path, retention_s=60, lease_s=5)


def _submit(store: JobStore, pages: int) -> str:
    job_id = store.new_id()
    store.create(job_id, "test", {}, pages)
    return job_id


def test_a_job_runs_to_done_with_every_page(store):
    job_id = _submit(store, 5)
    _run(store, Counting(), lambda: store.get(job_id).state == DONE)
    assert [body["seq"] for _, body in store.pages(job_id)] == [0, 1, 2, 3, 4]


def test_a_job_resumes_from_its_stored_pages(store):
    job_id = _submit(store, 4)
    store.claim("gone", ("test",))
    store.add_page(job_id, "gone", 0, {"seq": 0})
    store.release("gone")
    handler = Counting()
    _run(store, handler, lambda: store.get(job_id).state == DONE)
    assert handler.starts == [1]
    assert [body["seq"] for _, body in store.pages(job_id)] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    "error, message",
    [
        (InputError("x.pdf: cannot open PDF"), "x.pdf: cannot open PDF"),
        (KeyError("internal detail"), "internal error while reading the document"),
    ],
)
def test_a_failing_job_ends_failed_with_a_message_for_users(store, error, message):
    job_id = _submit(store, 3)
    _run(store, Counting(fail_at=1, error=error), lambda: store.get(job_id).state == FAILED)
    job = store.get(job_id)
    assert job.error == message and job.done_pages == 1


def test_a_cancel_request_stops_at_the_next_page(store):
    job_id = _submit(store, 1000)
    _run(store, Counting(), lambda: store.get(job_id).done_pages >= 3)
    store.cancel(job_id)
    _run(store, Counting(), lambda: store.get(job_id).state == CANCELED)
    assert 3 <= store.get(job_id).done_pages < 1000


def test_shutdown_gives_the_lease_back(store):
    job_id = _submit(store, 10**6)
    _run(store, Counting(), lambda: store.get(job_id).done_pages > 0)
    assert store.claim("next-worker", ("test",)) is not None  # no lease left to wait out
