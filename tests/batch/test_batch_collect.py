"""The driver's bookkeeping and the workers' failure paths, without running OCR: outcomes in any
order, documents only from complete files, failures that cost their file and nothing else."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
from PIL import Image

from conftest import SAMPLES
from textlens.batch.collect import Collector
from textlens.batch.plan import FileTask, Plan
from textlens.batch.work import Outcome, PageJob, expand, run_page
from textlens.config import Settings
from textlens.errors import ModelError
from textlens.inputs import Page
from textlens.result import Line, OCRResult


def result(path: str, page_index: int, text: str) -> OCRResult:
    poly = np.array([[10, 10], [200, 10], [200, 40], [10, 40]])
    return OCRResult(
        name=Path(path).stem,
        input_path=path,
        page_index=page_index,
        image=np.full((100, 300, 3), 255, np.uint8),
        settings=Settings(),
        lines=[Line(text, 0.99, poly)],
        dt_polys=[poly],
        dt_scores=[0.9],
        textline_orientation_angles=[-1],
    )


def two_page_job(tmp_path: Path) -> tuple[Plan, str]:
    path = str(tmp_path / "paper.pdf")
    return Plan(tasks=[FileTask(path, str(tmp_path), (0, 1))], files=1), path


def test_a_document_waits_for_all_its_pages_in_any_order(tmp_path):
    plan, path = two_page_job(tmp_path)
    collector = Collector(plan, ["txt"], progress=False)
    collector.add(Outcome(path, 1, result=result(path, 1, "second page")))
    assert not (tmp_path / "paper.txt").exists()
    collector.add(Outcome(path, 0, result=result(path, 0, "first page")))
    collector.close()
    assert (tmp_path / "paper.txt").read_text() == "first page\n\fsecond page\n"
    assert collector.pages == 2 and not collector.failures


def test_a_failed_page_is_recorded_and_its_document_not_written(tmp_path):
    plan, path = two_page_job(tmp_path)
    collector = Collector(plan, ["txt"], progress=True)
    collector.add(Outcome(path, 0, result=result(path, 0, "first page")))
    collector.add(Outcome(path, 1, error=f"{path}: internal error (ValueError: x)"))
    collector.close()
    assert not (tmp_path / "paper.txt").exists()
    assert collector.pages == 1 and collector.heard == 2, "the failed page counts as heard of"
    [failure] = collector.failures
    assert (failure.path, failure.page) == (path, 1)


def test_a_file_that_fails_to_decode_stands_for_its_pages_not_reached(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    task = FileTask(str(broken), str(tmp_path), (None,))
    [outcome] = expand(task, pdf_dpi=150)
    assert isinstance(outcome, Outcome) and outcome.pages == 1
    assert outcome.error.startswith(str(broken))
    collector = Collector(Plan(tasks=[task], files=1), [], progress=True)
    collector.add(outcome)
    assert collector.heard == 1 and collector.pages == 0


def test_pages_decoded_for_the_workers_carry_their_resolution(tmp_path):
    task = FileTask(str(SAMPLES / "two_pages.pdf"), str(tmp_path), (1,))
    [job] = expand(task, pdf_dpi=100)
    assert (job.page.page_index, job.page.dpi) == (1, 100.0)


def test_an_engine_that_did_not_load_fails_its_pages_not_the_worker(tmp_path):
    page = Page(np.asarray(Image.new("RGB", (40, 20))), "scan", str(tmp_path / "scan.png"), None)
    outcome = run_page(
        ModelError("model_dir /x does not exist"), PageJob(page, str(tmp_path)), keep_result=False
    )
    assert outcome.error == f"{tmp_path / 'scan.png'}: model_dir /x does not exist"
    assert not list(tmp_path.iterdir())


def test_an_unexpected_exception_while_decoding_costs_only_its_file(tmp_path, monkeypatch):
    def pages_of_a_library_bug(*args, **kwargs):
        raise struct.error("unpack requires a buffer of 4 bytes")
        yield  # a generator, as pages() is

    monkeypatch.setattr("textlens.batch.work.pages", pages_of_a_library_bug)
    task = FileTask(str(tmp_path / "odd.tif"), str(tmp_path), (0, 1))
    [outcome] = expand(task, pdf_dpi=150)
    assert outcome.pages == 2
    assert outcome.error == (
        f"{task.path}: internal error (error: unpack requires a buffer of 4 bytes)"
    )
