"""`textlens batch` as a user runs it: errors of the job itself are one line and exit code 2,
before anything is written."""

from __future__ import annotations

import pytest
from PIL import Image

from batch.job import textlens


@pytest.mark.parametrize(
    "args, message",
    [
        (["--format", "json,docx"], "unknown format docx"),
        (["--workers", "0"], "workers must be at least 1"),
        (["--text_det_limit_type", "huge"], "text_det_limit_type"),
        (["--text_recognition_model_dir", "/nonexistent"], "does not exist"),
    ],
)
def test_a_bad_job_is_a_one_line_error(tmp_path, args, message):
    Image.new("RGB", (64, 32), "white").save(tmp_path / "scan.png")
    out = tmp_path / "out"
    run = textlens("batch", tmp_path / "scan.png", "--out", out, *args)
    assert run.returncode == 2 and message in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


def test_a_missing_input(tmp_path):
    run = textlens("batch", tmp_path / "nowhere", "--out", tmp_path / "out")
    assert run.returncode == 2 and "no such file or folder" in run.stderr
