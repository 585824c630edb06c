"""Fixtures for the export tests: real tracemonkey pages OCRed once, and hand-made pages.

The real pages come from ../shared/eval/data/pdf_digital/pdfs/tracemonkey.pdf: its first two
pages (two columns, a full-width title and author block) are cut into a PDF of their own and
OCRed through the engine's PDF input (rendered at pdf_dpi 150, words on), once per session.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from textlens.result import OCRResult

PAGES = (1, 2)  # 1-based pages of tracemonkey.pdf the tests OCR


@pytest.fixture(scope="session")
def tracemonkey_pdf(eval_data: Path, tmp_path_factory) -> Path:
    import pypdfium2 as pdfium

    source = pdfium.PdfDocument(eval_data / "pdf_digital" / "pdfs" / "tracemonkey.pdf")
    subset = pdfium.PdfDocument.new()
    subset.import_pages(source, [p - 1 for p in PAGES])
    path = tmp_path_factory.mktemp("tracemonkey") / "tracemonkey.pdf"
    subset.save(path)
    return path


@pytest.fixture(scope="session")
def tracemonkey(ocr, tracemonkey_pdf: Path) -> list[OCRResult]:
    """The OCR of tracemonkey's first pages, one result per page."""
    return ocr.predict(str(tracemonkey_pdf), return_word_box=True)


@pytest.fixture(scope="session")
def tracemonkey_truth(eval_data: Path) -> list[dict]:
    """The manifest entries (the PDF's own text layer) of the same pages."""
    manifest = (eval_data / "pdf_digital" / "manifest.jsonl").read_text(encoding="utf-8")
    items = {
        i["page"]: i for i in map(json.loads, manifest.splitlines()) if i["doc"] == "tracemonkey"
    }
    return [items[p] for p in PAGES]
