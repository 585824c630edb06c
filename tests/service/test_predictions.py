"""The Replicate face's prediction and file store, without a server: two stores on one folder
stand for two worker processes, and a settable clock stands for time passing."""

from __future__ import annotations

import hashlib
import io

import pytest

from textlens.service.predictions import FileStore, PredictionStore
from textlens.service.sqlite import connection

RETENTION_S = 100.0
LEASE_S = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workers(tmp_path, clock) -> tuple[PredictionStore, PredictionStore]:
    """Two workers' handles on the same jobs_dir."""
    return (
        PredictionStore(tmp_path, RETENTION_S, LEASE_S, clock),
        PredictionStore(tmp_path, RETENTION_S, LEASE_S, clock),
    )


def test_a_prediction_runs_its_course_seen_from_another_worker(workers, clock):
    mine, other = workers
    created = mine.create("owner", "a/b", "v1", {"images": ["x"]})
    assert created.status == "starting" and created.started_at is None
    assert other.get(created.id, "owner") == created
    clock.now += 1
    assert mine.start(created.id) and not mine.start(created.id)  # taken once
    running = other.get(created.id, "owner")
    assert running is not None and running.status == "processing"
    assert running.started_at == clock.now
    assert not mine.stopped(created.id)
    clock.now += 2
    mine.finish(created.id, '{"pages": []}', None)
    done = other.get(created.id, "owner")
    assert done is not None and (done.status, done.output, done.error) == (
        "succeeded",
        '{"pages": []}',
        None,
    )
    assert (done.model, done.version, done.input) == ("a/b", "v1", {"images": ["x"]})
    assert done.completed_at is not None and done.completed_at - done.created_at == 3


def test_another_token_sees_nothing(workers):
    mine, _ = workers
    created = mine.create("owner", "a/b", "v1", {})
    assert mine.get(created.id, "someone else") is None
    assert mine.cancel(created.id, "someone else") is None
    assert mine.get(created.id, "owner").status == "starting"


def test_cancel_before_start_is_final_at_once(workers):
    mine, other = workers
    created = mine.create("owner", "a/b", "v1", {})
    canceled = other.cancel(created.id, "owner")
    assert canceled is not None and canceled.status == "canceled"
    assert canceled.completed_at is not None
    assert not mine.start(created.id)  # its job finds it canceled and does nothing
    mine.finish(created.id, None, "stopped")
    assert mine.get(created.id, "owner").status == "canceled"


def test_cancel_while_processing_flags_the_job_which_ends_canceled(workers):
    mine, other = workers
    created = mine.create("owner", "a/b", "v1", {})
    mine.start(created.id)
    flagged = other.cancel(created.id, "owner")
    assert flagged is not None and flagged.status == "processing"  # until the job stops
    assert mine.stopped(created.id)
    mine.finish(created.id, None, "the request did not finish")
    ended = other.get(created.id, "owner")
    assert ended is not None and (ended.status, ended.error, ended.output) == (
        "canceled",
        None,
        None,
    )


def test_a_job_that_finished_despite_a_late_cancel_succeeds(workers):
    mine, other = workers
    created = mine.create("owner", "a/b", "v1", {})
    mine.start(created.id)
    other.cancel(created.id, "owner")
    mine.finish(created.id, "{}", None)
    assert other.get(created.id, "owner").status == "succeeded"


def test_a_failed_job_keeps_its_error(workers):
    mine, _ = workers
    created = mine.create("owner", "a/b", "v1", {})
    mine.start(created.id)
    mine.finish(created.id, None, "the request did not finish within 300 s")
    failed = mine.get(created.id, "owner")
    assert failed is not None and failed.status == "failed"
    assert failed.error == "the request did not finish within 300 s"


@pytest.mark.parametrize("started", [False, True])
def test_a_dead_workers_prediction_fails_once_its_heartbeat_is_older_than_the_lease(
    workers, clock, started
):
    mine, other = workers
    created = mine.create("owner", "a/b", "v1", {})
    if started:
        mine.start(created.id)
    for _ in range(5):  # beats keep it alive far past one lease
        clock.now += LEASE_S * 0.9
        mine.beat(created.id)
        assert other.get(created.id, "owner").status in ("starting", "processing")
    clock.now += LEASE_S * 1.1  # the worker died: no more beats
    dead = other.get(created.id, "owner")
    assert dead is not None and dead.status == "failed"
    assert "no heartbeat" in dead.error and "job_lease_s" in dead.error
    mine.finish(created.id, "{}", None)  # a worker that was only slow cannot revive it
    assert other.get(created.id, "owner").status == "failed"
    assert mine.stopped(created.id)  # and its job stops at the next page


def test_finished_predictions_expire_after_retention_and_unfinished_ones_do_not(workers, clock):
    mine, other = workers
    finished = mine.create("owner", "a/b", "v1", {})
    mine.start(finished.id)
    mine.finish(finished.id, "{}", None)
    waiting = mine.create("owner", "a/b", "v1", {})
    clock.now += RETENTION_S - 1
    mine.beat(waiting.id)
    assert other.get(finished.id, "owner") is not None
    clock.now += 2
    mine.beat(waiting.id)
    assert other.get(finished.id, "owner") is None  # gone for readers before any sweep
    other.sweep()
    assert _rows(mine) == {waiting.id}  # the row itself is deleted, not only hidden
    assert other.get(waiting.id, "owner").status == "starting"


def _rows(store: PredictionStore) -> set[str]:
    with connection(store.path) as db:
        return {row[0] for row in db.execute("SELECT id FROM predictions")}


@pytest.fixture
def files(tmp_path, clock) -> FileStore:
    return FileStore(tmp_path, RETENTION_S, clock)


def test_a_file_is_stored_whole_with_its_checksums(files, tmp_path):
    data = bytes(range(256)) * 10_000  # several read chunks
    stored = files.add("owner", "scan.png", "image/png", io.BytesIO(data), {"page": 1})
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.md5 == hashlib.md5(data).hexdigest()
    assert files.get(stored.id, "owner") == stored
    assert files.read(stored.id, "owner") == data
    assert (tmp_path / "files" / stored.id).read_bytes() == data
    assert [p.name for p in (tmp_path / "files").iterdir()] == [stored.id]  # no temporary left
    assert files.get(stored.id, "other") is None and files.read(stored.id, "other") is None
    assert not files.delete(stored.id, "other")


def test_a_deleted_file_is_gone_from_disk(files, tmp_path):
    stored = files.add("owner", "a.png", "image/png", io.BytesIO(b"abc"), {})
    assert files.delete(stored.id, "owner")
    assert not (tmp_path / "files" / stored.id).exists()
    assert files.get(stored.id, "owner") is None and not files.delete(stored.id, "owner")


def test_files_expire_after_retention(files, clock, tmp_path):
    old = files.add("owner", "old.png", "image/png", io.BytesIO(b"old"), {})
    clock.now += RETENTION_S / 2
    new = files.add("owner", "new.png", "image/png", io.BytesIO(b"new"), {})
    assert old.expires_at == old.created_at + RETENTION_S
    clock.now += RETENTION_S / 2 + 1
    assert files.read(old.id, "owner") is None  # expired for readers at once
    assert (tmp_path / "files" / old.id).exists()
    files.sweep()
    assert not (tmp_path / "files" / old.id).exists()
    assert files.read(new.id, "owner") == b"new"
