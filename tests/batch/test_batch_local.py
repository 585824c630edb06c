"""Local mode end to end: a real folder, real models, a real process pool and a real kill."""

from __future__ import annotations

import json

import pytest

from batch.job import CORRUPT, PAGE_FILES, kill_midway, page_texts, stray_files, textlens
from textlens.batch import run_batch

pytestmark = pytest.mark.slow


def test_every_page_written_once_and_the_corrupt_file_listed(job_folder, clean_run):
    out, _summary = clean_run
    texts = page_texts(out)
    assert set(texts) == PAGE_FILES
    assert all(texts.values()), "every page of the job has text"
    written = json.loads((out / "summary.json").read_text())
    assert written["files"] == 5 and written["pages"] == 5 and written["pages_skipped"] == 0
    assert written["mode"] == "local" and written["workers"] == 2 and written["threads"] >= 1
    [failure] = written["failures"]
    assert failure["path"] == str(job_folder / CORRUPT) and "corrupt" in failure["reason"]
    assert written["seconds"] > 0 and written["pages_per_second"] == pytest.approx(
        5 / written["seconds"], rel=0.01
    )
    res = json.loads((out / "paper_1_res.json").read_text())["res"]
    assert res["page_index"] == 1 and res["input_path"] == str(job_folder / "paper.pdf")
    assert not stray_files(out)


def test_a_rerun_skips_what_is_written(job_folder, clean_run):
    out, _ = clean_run
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*_res.json")}
    summary = run_batch(job_folder, out, workers=2, progress=False)
    assert summary.pages == 0 and summary.pages_skipped == 5
    assert [f.path for f in summary.failures] == [str(job_folder / CORRUPT)]
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*_res.json")} == before


def test_killed_midway_then_rerun_equals_a_clean_run(job_folder, clean_run, tmp_path):
    out = tmp_path / "out"
    written = kill_midway(job_folder, "--workers", "2", out=out)
    assert 0 < len(written) < len(PAGE_FILES), "the kill came after the job had ended"
    assert not (out / "summary.json").exists()
    rerun = textlens("batch", job_folder, "--out", out, "--workers", "2", "--no-progress")
    assert rerun.returncode == 1, rerun.stderr  # the corrupt file, again
    assert "Traceback" not in rerun.stderr and CORRUPT in rerun.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pages_skipped"] >= len(written)
    assert summary["pages"] + summary["pages_skipped"] == len(PAGE_FILES)
    assert page_texts(out) == page_texts(clean_run[0])
    assert not stray_files(out)


def test_documents_are_assembled_from_pages_of_different_workers(job_folder, tmp_path):
    pdf_only = tmp_path / "in"
    pdf_only.mkdir()
    (pdf_only / "paper.pdf").symlink_to(job_folder / "paper.pdf")
    out = tmp_path / "out"
    summary = run_batch(pdf_only, out, workers=2, formats=("json", "txt"), progress=False)
    assert summary.pages == 2 and not summary.failures
    pages = [
        json.loads((out / f"paper_{i}_res.json").read_text())["res"]["rec_texts"] for i in (0, 1)
    ]
    text = (out / "paper.txt").read_text(encoding="utf-8")
    assert len(text.split("\f")) == 2, "one part per page, in page order"
    for part, lines in zip(text.split("\f"), pages):
        assert all(line in part for line in lines)
    (out / "paper.txt").unlink()  # a missing document makes its file run again, whole
    again = run_batch(pdf_only, out, workers=1, formats=("json", "txt"), progress=False)
    assert again.pages == 2 and (out / "paper.txt").read_text(encoding="utf-8") == text
