"""`textlens ocr --format ...` writes one file per document in each format (issue 5)."""

from __future__ import annotations

import pytest
from lxml import etree

from export.measures import pdftotext
from textlens.cli import main

pytestmark = pytest.mark.slow  # OCRs real pages


def test_cli_writes_every_format(eval_data, tmp_path):
    image = sorted((eval_data / "sroie" / "images").iterdir())[0]
    code = main(
        [
            "ocr",
            "-i",
            str(image),
            "--save_path",
            str(tmp_path),
            "--format",
            "json,txt,md,hocr,alto,pdf",
        ]
    )
    assert code == 0
    stem = image.stem
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        f"{stem}.txt",
        f"{stem}.md",
        f"{stem}.hocr",
        f"{stem}.alto.xml",
        f"{stem}.pdf",
        f"{stem}_res.json",
    } <= names
    text = (tmp_path / f"{stem}.txt").read_text(encoding="utf-8")
    assert len(text.split()) > 20
    extracted = pdftotext(tmp_path / f"{stem}.pdf").split()
    assert sum(w in extracted for w in text.split()) >= 0.9 * len(text.split())
    for suffix in (".hocr", ".alto.xml"):
        etree.parse(str(tmp_path / f"{stem}{suffix}"))
