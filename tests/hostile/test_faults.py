"""Faults injected while textlens works: a full disk, a locked or unusable database, a worker
killed mid-request, SIGTERM with a request in flight. Real servers, real files, real signals.

A full disk is /dev/full: the kernel answers every write to it with ENOSPC, and a temporary
file linked to it makes exactly one output fail that way, with no root and no mount needed.
"""

from __future__ import annotations

import base64
import errno
import os
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import REPO, SAMPLES, sample_maker
from textlens.files import atomic_write
from textlens.service.quota import QuotaBook

sys.path.insert(0, str(REPO / "bench"))
import procs

TOKEN = "fault-token"
PNG = (SAMPLES / "invoice.png").read_bytes()
INVOICE = base64.b64encode(PNG).decode()


def _disk_full_at(path: Path) -> None:
    """Make the next atomic_write of `path` meet a full disk."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_name(f".{path.name}.tmp").symlink_to("/dev/full")


def test_a_full_disk_leaves_no_partial_file(tmp_path):
    target = tmp_path / "page_res.json"
    _disk_full_at(target)
    with pytest.raises(OSError) as info:
        atomic_write(target, b"x" * 100_000)
    assert info.value.errno == errno.ENOSPC
    assert list(tmp_path.iterdir()) == []  # neither the page nor its temporary file


@pytest.mark.slow
def test_batch_fails_the_page_that_met_a_full_disk_with_its_reason(tmp_path):
    from textlens.batch import run_batch

    folder, out = tmp_path / "in", tmp_path / "out"
    folder.mkdir()
    for name in ("a.png", "b.png"):
        (folder / name).write_bytes((SAMPLES / "invoice.png").read_bytes())
    _disk_full_at(out / "a_res.json")
    summary = run_batch(folder, out, workers=1, progress=False)
    [failure] = summary.failures
    assert failure.path == str(folder / "a.png") and "No space left" in failure.reason
    assert sorted(p.name for p in out.iterdir()) == ["b_res.json", "summary.json"]


@pytest.fixture(scope="module")
def quota_server(launch, tmp_path_factory):
    jobs = tmp_path_factory.mktemp("fault-jobs")
    return launch("faults", tokens=[TOKEN], daily_page_limit=1000, jobs_dir=str(jobs))


def _db(server, name: str) -> Path:
    return server.config_path.parent / name


def _ocr(client: httpx.Client) -> httpx.Response:
    return client.post("/ocr", json={"file": INVOICE, "visualize": False})


@pytest.mark.slow
def test_a_locked_or_unusable_quota_database_is_a_503_never_a_free_pass(quota_server):
    book = QuotaBook(_db(quota_server, "quota.sqlite3"), 1000)
    with quota_server.client(TOKEN) as client:
        assert _ocr(client).status_code == 200
        used = book.used(TOKEN)
        lock = sqlite3.connect(book.path, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")  # another process holds the file
        try:
            refused = _ocr(client)
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert refused.status_code == 503 and refused.headers["Retry-After"]
        assert "quota.sqlite3: database is locked" in refused.json()["errorMsg"]
        moved = book.path.with_name("moved.sqlite3")
        book.path.rename(moved)
        book.path.mkdir()  # where the file was, something SQLite cannot open
        try:
            unusable = _ocr(client)
        finally:
            book.path.rmdir()
            moved.rename(book.path)
        assert unusable.status_code == 503, unusable.text
        assert "unable to open database file" in unusable.json()["errorMsg"]
        assert book.used(TOKEN) == used  # neither was charged, and neither was served
        assert _ocr(client).status_code == 200 and book.used(TOKEN) == used + 1


@pytest.mark.slow
def test_a_locked_job_database_refuses_submits_and_the_job_loop_survives(quota_server):
    jobs_db = (
        Path(yaml.safe_load(quota_server.config_path.read_text())["jobs_dir"]) / "jobs.sqlite3"
    )
    with quota_server.client(TOKEN) as client:
        lock = sqlite3.connect(jobs_db, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        try:
            refused = client.post("/api/v2/ocr/jobs", files={"file": ("a.png", PNG)})
            time.sleep(2)  # the job loop polls the locked store meanwhile
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        assert refused.status_code == 503 and refused.json()["code"] == 503, refused.text
        submitted = client.post("/api/v2/ocr/jobs", files={"file": ("a.png", PNG)})
        job = submitted.json()["data"]["jobId"]
        deadline = time.monotonic() + 60
        while client.get(f"/api/v2/ocr/jobs/{job}").json()["data"]["state"] != "done":
            assert time.monotonic() < deadline, "the job loop did not survive the lock"
            time.sleep(0.3)


@pytest.mark.slow
def test_a_job_that_cannot_be_stored_after_its_charge_is_refunded(quota_server):
    """The charge comes before the job's row; a row that cannot be written gives the pages
    back, so a refused job costs nothing."""
    jobs_db = (
        Path(yaml.safe_load(quota_server.config_path.read_text())["jobs_dir"]) / "jobs.sqlite3"
    )
    book = QuotaBook(_db(quota_server, "quota.sqlite3"), 1000)
    with quota_server.client(TOKEN) as client:
        assert _ocr(client).status_code == 200  # the files exist
        used = book.used(TOKEN)
        folders = {p for p in jobs_db.parent.iterdir() if p.is_dir()}
        store = sqlite3.connect(jobs_db, isolation_level=None)
        # every new job's row fails as a full or broken file would
        store.execute(
            "CREATE TRIGGER broken BEFORE INSERT ON jobs BEGIN INSERT INTO gone VALUES (1); END"
        )
        try:
            refused = client.post("/api/v2/ocr/jobs", files={"file": ("a.png", PNG)})
        finally:
            store.execute("DROP TRIGGER broken")
            store.close()
        assert refused.status_code == 503, refused.text
        assert book.used(TOKEN) == used  # charged, then given back
        assert {p for p in jobs_db.parent.iterdir() if p.is_dir()} == folders  # none left


@pytest.mark.slow
def test_a_job_whose_pictures_meet_a_full_disk_fails_with_the_reason(quota_server):
    """Page 6 of twelve meets a full disk while its pictures are written: the job ends failed
    with the reason, the pages before it stay stored, and no partial picture is left."""
    jobs_dir = Path(yaml.safe_load(quota_server.config_path.read_text())["jobs_dir"])
    document = base64.b64decode(_slow_pdf(12))
    with quota_server.client(TOKEN) as client:
        submitted = client.post("/api/v2/ocr/jobs", files={"file": ("twelve.pdf", document)})
        job = submitted.json()["data"]["jobId"]
        full = jobs_dir / job / "pages" / "6"
        full.mkdir(parents=True, exist_ok=True)
        _disk_full_at(full / "ocr.jpg")  # written before page 6 comes (a page takes ~0.3 s)
        deadline = time.monotonic() + 90
        while (data := client.get(f"/api/v2/ocr/jobs/{job}").json()["data"])["state"] not in (
            "done",
            "failed",
        ):
            assert time.monotonic() < deadline, data
            time.sleep(0.3)
    assert data["state"] == "failed", data
    assert data["errorMsg"] == "cannot store the results (No space left on device)"
    assert data["extractProgress"]["extractedPages"] == 6, data  # pages 0-5 kept
    assert list(full.iterdir()) == []  # neither the picture nor its temporary file


# pages enough that a request is still being read seconds after it is sent, on a quiet machine
# too (6 invoice pages took under 3 s once recognition ran in lanes)
SLOW_PAGES = 30


def _slow_pdf(pages: int) -> str:
    """A PDF of real pages whose OCR takes seconds: time to act while it is read."""
    import io

    maker = sample_maker()
    images = [maker.render(maker.INVOICE) for _ in range(pages)]
    buffer = io.BytesIO()
    images[0].save(buffer, format="PDF", save_all=True, append_images=images[1:], resolution=120)
    return base64.b64encode(buffer.getvalue()).decode()


def _in_thread(call) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["response"] = call()
        except httpx.TransportError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _busiest(pids: list[int], seconds: float = 1.5) -> int:
    before = {p: procs.cpu_ticks(p) for p in pids}
    time.sleep(seconds)
    return max(pids, key=lambda p: procs.cpu_ticks(p) - before[p])


@pytest.mark.slow
def test_a_worker_killed_mid_request_fails_that_request_and_is_replaced(launch):
    server = launch("kill", workers=2, max_num_input_imgs=None)
    body = {"file": _slow_pdf(SLOW_PAGES), "visualize": False}
    with server.client(timeout=120) as client:
        thread, outcome = _in_thread(lambda: client.post("/ocr", json=body))
        time.sleep(1.0)
        workers = procs.workers(server.process.pid)
        assert len(workers) == 2
        victim = _busiest(workers)
        os.kill(victim, signal.SIGKILL)
        thread.join(60)
        response = outcome.get("response")
        # the gateway held the connection: the request gets /ocr's own envelope, not a hang-up
        assert response is not None, outcome
        assert response.status_code == 502, response.text
        envelope = response.json()
        assert envelope["errorCode"] == 502 and "killed by SIGKILL" in envelope["errorMsg"]
        deadline = time.monotonic() + 90
        while len(set(procs.workers(server.process.pid)) - {victim}) < 2:
            assert time.monotonic() < deadline, "the dead worker was not replaced"
            time.sleep(0.5)
    with server.client() as fresh:
        for _ in range(4):  # both workers answer, the new one included
            assert fresh.post("/ocr", json={"file": INVOICE, "visualize": False}).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("workers", [None, 2], ids=["one process", "gateway and 2 workers"])
def test_sigterm_lets_the_request_in_flight_finish_then_exits(launch, workers):
    server = launch("drain", workers=workers, max_num_input_imgs=None)
    body = {"file": _slow_pdf(SLOW_PAGES), "visualize": False}
    with server.client(timeout=120) as client:
        thread, outcome = _in_thread(lambda: client.post("/ocr", json=body))
        time.sleep(1.5)
        started = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        with pytest.raises(httpx.TransportError):  # no new work is taken
            httpx.get(f"{server.url}/health", timeout=2)
        thread.join(120)
        # uvicorn raises the signal again once it has drained, as a process manager expects
        assert server.process.wait(timeout=60) in (0, -signal.SIGTERM)
    response = outcome.get("response")
    assert response is not None and response.status_code == 200, outcome
    assert response.json()["result"]["dataInfo"]["numPages"] == SLOW_PAGES
    assert time.monotonic() - started > 2  # it waited for the pages, it did not cut them
