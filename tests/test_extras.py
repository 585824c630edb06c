"""The base install (no extras) reads pages; each face without its extra says which install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SAMPLES
from textlens.extras import EXTRAS

EVERY_EXTRA = ",".join(m for modules in EXTRAS.values() for m in modules)
HELPER = Path(__file__).with_name("without_extras.py")


def base_install(*args: object, absent: str = EVERY_EXTRA) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(HELPER), absent, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_ocr_and_models_run_without_any_extra(tmp_path):
    run = base_install("models")
    assert run.returncode == 0, run.stderr
    assert "PP-OCRv6_small_rec" in run.stdout
    run = base_install(
        "ocr", "-i", SAMPLES / "invoice.png", "--save_path", tmp_path, "--format", "json,txt,md"
    )
    assert run.returncode == 0, run.stderr
    assert "TOTAL DUE" in (tmp_path / "invoice.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, extra",
    [
        (["serve", "--port", "1"], "serve"),
        (["batch", str(SAMPLES / "invoice.png"), "--out", "{tmp}", "--ray"], "ray"),
    ],
)
def test_a_face_without_its_extra_names_the_install(tmp_path, args, extra):
    run = base_install(*(a.format(tmp=tmp_path) for a in args))
    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert line.startswith("error:") and f"pip install '.[{extra}]'" in line
    assert not any(tmp_path.iterdir())  # refused before any work


def test_the_pdf_format_without_reportlab_fails_its_file_in_one_line(tmp_path):
    run = base_install(
        "ocr",
        "-i",
        SAMPLES / "invoice.png",
        "--save_path",
        tmp_path,
        "--format",
        "pdf",
        absent="reportlab",
    )
    assert run.returncode == 1
    [error] = [line for line in run.stderr.splitlines() if line.startswith("error:")]
    assert "pip install '.[export]'" in error and "Traceback" not in run.stderr
    assert not list(tmp_path.glob("*.pdf"))


def test_the_python_api_imports_without_any_extra():
    code = (
        f"import sys; sys.path.insert(0, {str(HELPER.parent)!r}); "
        "from without_extras import Absent; "
        f"sys.meta_path.insert(0, Absent(set({EVERY_EXTRA!r}.split(',')))); "
        "import textlens, textlens.service; from textlens import OCR; print(OCR.__name__)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "OCR", run.stderr
