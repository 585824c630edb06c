"""A prediction as a job: its inputs planned page by page, read by the real engine, resumable."""

from __future__ import annotations

import json

import pytest

from textlens.errors import InputError
from textlens.service.jobs.florence import KIND, FlorenceHandler, output, plan_inputs
from textlens.service.jobs.store import JobStore


@pytest.fixture
def store(tmp_path) -> JobStore:
    return JobStore(tmp_path, retention_s=60, lease_s=30)


def _job(store, inputs, counts, task="OCR_WITH_REGION"):
    job_id = store.new_id()
    described, plan = plan_inputs(store, job_id, inputs, counts)
    params = {"task": task, "include_image": False, "inputs": described, "plan": plan}
    return store.create(job_id, KIND, params, len(plan))


def test_every_input_plans_its_pages_and_an_unreadable_one_its_error(store, invoice, pdf_path):
    inputs = [
        ("images[0]", invoice["bytes"]),
        ("images[1]", InputError("images[1]: neither valid base64 nor an http(s) URL")),
        ("images[2]", pdf_path.read_bytes()),
    ]
    job = _job(store, inputs, [1, 1, 3])
    assert job.params["plan"] == [[0, 0], [1, -1], [2, 0], [2, 1], [2, 2]]
    assert job.total_pages == 5
    assert (store.files(job.id) / "inputs" / "2").read_bytes() == pdf_path.read_bytes()
    assert not (store.files(job.id) / "inputs" / "1").exists()


def test_pages_come_in_plan_order_with_errors_in_place(store, ocr, invoice, pdf_path, found_lines):
    inputs = [
        ("images[0]", pdf_path.read_bytes()),
        ("images[1]", InputError("images[1]: the file is empty")),
        ("images[2]", invoice["bytes"]),
    ]
    job = _job(store, inputs, [2, 1, 1])
    pages = list(FlorenceHandler(store, ocr).pages(job, 0))
    assert [page["page"] for page in pages] == [1, 2, 3, 4]
    assert pages[2]["error"] == "images[1]: the file is empty"
    assert found_lines(invoice["lines"], pages[3]["text"].splitlines()) >= 0.9
    assert pages[3]["regions"] and all(len(r["bbox"]) == 4 for r in pages[3]["regions"])
    assert "TERMS AND CONDITIONS" in pages[0]["text"] and "INVOICE" in pages[1]["text"]
    store.claim("w", (KIND,))
    for seq, page in enumerate(pages):
        store.add_page(job.id, "w", seq, page)
    out = json.loads(output(job, store.pages(job.id)))
    assert out["total_pages"] == 4 and out["results"] == out["pages"] == pages


def test_a_resumed_prediction_reads_from_its_next_page(store, ocr, invoice, pdf_path):
    inputs = [("images[0]", pdf_path.read_bytes()), ("images[1]", invoice["bytes"])]
    job = _job(store, inputs, [3, 1], task="OCR")
    whole = list(FlorenceHandler(store, ocr).pages(job, 0))
    resumed = list(FlorenceHandler(store, ocr).pages(job, 2))
    assert resumed == whole[2:]
    assert [page["page"] for page in resumed] == [3, 4]
