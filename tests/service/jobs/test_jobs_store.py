"""The job store: leases, pages stored once, resumption, cancel, retention."""

from __future__ import annotations

import time

import pytest

from textlens.service.jobs.store import CANCELED, DONE, PENDING, RUNNING, JobStore


@pytest.fixture
def store(tmp_path) -> JobStore:
    return JobStore(tmp_path / "jobs", retention_s=60, lease_s=30)


def _job(store: JobStore, pages: int = 3, **kwargs) -> str:
    job_id = store.new_id()
    store.create(job_id, "ppocr", {"pages": list(range(pages))}, pages, **kwargs)
    return job_id


def test_a_claimed_job_is_held_until_its_lease_runs_out(store):
    job_id = _job(store)
    job = store.claim("worker-a", ("ppocr",))
    assert job is not None and job.id == job_id and job.state == RUNNING
    assert store.claim("worker-b", ("ppocr",)) is None  # held
    assert store.claim("worker-a", ("other-kind",)) is None
    store.lease_s = -1  # every lease renewed from now on is already over
    assert store.renew(job_id, "worker-a")
    taken = store.claim("worker-b", ("ppocr",))
    assert taken is not None and taken.id == job_id
    assert not store.renew(job_id, "worker-a")


def test_a_page_is_stored_once_and_only_by_the_holder(store):
    job_id = _job(store)
    store.claim("worker-a", ("ppocr",))
    assert store.add_page(job_id, "worker-a", 0, {"text": "zero"})
    assert not store.add_page(job_id, "worker-a", 0, {"text": "zero again"})  # not the next
    assert not store.add_page(job_id, "worker-b", 1, {"text": "one"})  # not the holder
    store.lease_s = -1
    store.renew(job_id, "worker-a")
    store.lease_s = 30
    resumed = store.claim("worker-b", ("ppocr",))
    assert resumed is not None and resumed.done_pages == 1  # resumes after page 0
    assert not store.add_page(job_id, "worker-a", 1, {"text": "late"})  # lost its lease
    assert store.add_page(job_id, "worker-b", 1, {"text": "one"})
    assert [body["text"] for _, body in store.pages(job_id)] == ["zero", "one"]


def test_pages_are_read_in_order_across_batches(store):
    job_id = _job(store, pages=10)
    store.claim("w", ("ppocr",))
    for seq in range(10):
        assert store.add_page(job_id, "w", seq, {"seq": seq})
    assert [seq for seq, _ in store.pages(job_id, batch=3)] == list(range(10))
    assert store.finish(job_id, "w", DONE)
    job = store.get(job_id)
    assert job is not None and job.state == DONE and job.done_pages == 10 and job.finished


def test_release_lets_another_worker_resume_at_once(store):
    job_id = _job(store)
    store.claim("w", ("ppocr",))
    store.release("w")
    assert store.claim("v", ("ppocr",)).id == job_id


def test_cancel_ends_a_pending_job_now_and_flags_a_running_one(store):
    pending, running = _job(store), _job(store)
    time.sleep(0.01)
    store.claim("w", ("ppocr",))  # the oldest: `pending` is claimed first
    store.cancel(pending)
    assert store.get(pending).cancel_requested and store.get(pending).state == RUNNING
    assert store.cancel(running).state == CANCELED
    assert store.get(running).unfinished is False


def test_unfinished_jobs_are_counted_per_token(store):
    _job(store, token_key="a")
    _job(store, token_key="a")
    _job(store, token_key="b")
    assert store.unfinished("a", "ppocr") == 2 and store.unfinished(None, "ppocr") == 0


def test_a_batch_lists_its_jobs_in_order(store):
    first, second = _job(store, batch_id="x"), _job(store, batch_id="x")
    _job(store, batch_id="y")
    assert [job.id for job in store.batch("x", "ppocr", None)] == [first, second]


def test_finished_jobs_are_deleted_with_their_files_after_retention(store):
    old, new, unfinished = _job(store), _job(store), _job(store)
    for job_id in (old, new):
        store.files(job_id).mkdir(parents=True)
        (store.files(job_id) / "input").write_bytes(b"x")
        job = store.claim("w", ("ppocr",))
        store.add_page(job.id, "w", 0, {})
        store.finish(job.id, "w", DONE)
    now = time.time()
    assert store.sweep(now + 30) == 0
    assert store.sweep(now + 61) == 2
    assert store.get(old) is None and not store.files(old).exists()
    assert list(store.pages(old)) == []
    assert store.get(unfinished).state == PENDING  # never swept before it has run
