"""The `textlens ocr` and `textlens batch` commands against the hostile corpus, as a user runs
them: a real subprocess over a real folder. Each bad file is one line naming it and its reason,
the good file is still read, and the exit code says that something failed."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from hostile.corpus import refused_files

ENTRIES = refused_files()
SECONDS = 240  # two cores shared with other work; model loading is most of it


def textlens(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textlens.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=SECONDS,
    )


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Every refused file of the corpus, and one good page among them."""
    folder = tmp_path_factory.mktemp("hostile-in")
    for entry in ENTRIES:
        (folder / entry.name).write_bytes(entry.data)
    (folder / "good.png").write_bytes((SAMPLES / "invoice.png").read_bytes())
    return folder


def _reason_of(lines: list[str], path: Path) -> str:
    [line] = [l for l in lines if str(path) in l]
    return line.split(f"{path}", 1)[1]


@pytest.mark.slow
def test_ocr_gives_one_line_per_bad_file_and_reads_the_good_one(folder, tmp_path):
    run = textlens("ocr", "-i", folder, "--save_path", tmp_path)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    errors = [l for l in run.stderr.splitlines() if l.startswith("error:")]
    assert len(errors) == len(ENTRIES), run.stderr
    for entry in ENTRIES:
        assert re.search(entry.reason, _reason_of(errors, folder / entry.name)), entry.name
    assert (tmp_path / "good_res.json").is_file()


def test_one_bad_file_alone_is_one_line_and_exit_code_1(tmp_path):
    bomb = next(e for e in ENTRIES if e.name == "bomb_png.png")
    (tmp_path / bomb.name).write_bytes(bomb.data)
    run = textlens("ocr", "-i", tmp_path / bomb.name)
    assert run.returncode == 1 and "Traceback" not in run.stderr
    [line] = [l for l in run.stderr.splitlines() if l.startswith("error:")]
    assert re.search(bomb.reason, line) and str(tmp_path / bomb.name) in line, run.stderr


@pytest.mark.slow
def test_batch_records_each_bad_file_as_failed_and_finishes_the_rest(folder, tmp_path):
    out = tmp_path / "out"
    run = textlens("batch", folder, "--out", out, "--workers", "1")
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    summary = json.loads((out / "summary.json").read_text())
    reasons = {Path(f["path"]).name: f["reason"] for f in summary["failures"]}
    assert set(reasons) == {e.name for e in ENTRIES}
    for entry in ENTRIES:
        assert re.search(entry.reason, reasons[entry.name].split(": ", 1)[1]), reasons[entry.name]
    assert summary["pages"] == 1 and (out / "good_res.json").is_file()
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary leftovers
