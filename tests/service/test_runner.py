"""The OCR thread of a worker: bounded queue (503), deadline (504), and nothing left behind."""

from __future__ import annotations

import asyncio
import base64
import threading
import time

import pytest

from textlens.service.errors import ServiceError
from textlens.service.runner import Abandoned, JobControl, Runner


def test_the_queue_refuses_beyond_its_size_and_frees_places():
    runner = Runner(queue_size=2, timeout_s=5)
    first, second = runner.admit(), runner.admit()
    with pytest.raises(ServiceError) as caught:
        runner.admit()
    assert caught.value.status == 503 and "Retry-After" in caught.value.headers
    first.close()
    first.close()  # closing twice gives back one place only
    third = runner.admit()
    assert runner.held == 2
    second.close(), third.close()
    assert runner.held == 0


def test_a_late_job_gets_504_and_keeps_its_place_until_it_stops():
    runner = Runner(queue_size=1, timeout_s=0.3)
    on_page = threading.Event()  # the job is busy with a page until this is set
    progress: list[str] = []

    def job(control: JobControl) -> str:
        for page in ("first", "second"):
            control.check()
            progress.append(page)
            on_page.wait(10)
        return "finished"

    async def scenario() -> None:
        slot = runner.admit()
        try:
            with pytest.raises(ServiceError) as caught:
                await slot.run(job, time.monotonic() + 0.3)
            assert caught.value.status == 504
        finally:
            slot.close()
        assert runner.held == 1  # the job is still on its page: its place is not free yet
        with pytest.raises(ServiceError):
            runner.admit()
        on_page.set()
        for _ in range(100):
            if runner.held == 0:
                break
            await asyncio.sleep(0.02)
        assert runner.held == 0

    asyncio.run(scenario())
    assert progress == ["first"]  # it stopped at the next page instead of reading on


def test_a_job_error_reaches_the_caller_and_frees_the_place():
    runner = Runner(queue_size=1, timeout_s=5)

    def job(control: JobControl) -> None:
        raise ValueError("broken page")

    async def scenario() -> None:
        slot = runner.admit()
        try:
            with pytest.raises(ValueError, match="broken page"):
                await slot.run(job, time.monotonic() + 5)
        finally:
            slot.close()

    asyncio.run(scenario())
    assert runner.held == 0


def test_job_control_stops_after_cancel_or_deadline():
    control = JobControl(time.monotonic() + 60)
    control.check()
    control.cancel()
    with pytest.raises(Abandoned):
        control.check()
    with pytest.raises(Abandoned):
        JobControl(time.monotonic() - 1).check()


def test_busy_server_answers_503_then_504_then_serves_again(edge_server, blank_pdf):
    """queue_size 1, request_timeout_s 8: a 30-page PDF, each page run through the detector at
    3000 x 3000 pixels, holds the queue past its deadline."""
    long_body = {
        "file": base64.b64encode(blank_pdf(30)).decode(),
        "visualize": False,
        "textDetLimitType": "min",
        "textDetLimitSideLen": 3000,
    }  # slow on any machine
    small_body = {"file": base64.b64encode(blank_pdf(1)).decode(), "visualize": False}
    outcome: dict[str, object] = {}

    def long_request() -> None:
        with edge_server.client() as client:
            outcome["response"] = client.post("/ocr", json=long_body)

    thread = threading.Thread(target=long_request)
    thread.start()
    time.sleep(2.0)  # the long request is now queued or running
    with edge_server.client() as client:
        busy = client.post("/ocr", json=small_body)
        assert busy.status_code == 503
        assert busy.json()["errorCode"] == 503 and busy.headers["Retry-After"]
        assert client.get("/health").status_code == 200  # the event loop stays free
        thread.join(timeout=120)
        late = outcome["response"]
        assert late.status_code == 504
        assert late.json()["errorCode"] == 504 and "8 s" in late.json()["errorMsg"]
        deadline = time.monotonic() + 90
        while (again := client.post("/ocr", json=small_body)).status_code == 503:
            assert time.monotonic() < deadline, "the abandoned job never gave its place back"
            time.sleep(0.5)
        assert again.status_code == 200
