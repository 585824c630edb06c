"""A page's resolution (the PDF page's size, hOCR's scan_res) is the one its decoding found."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from conftest import SAMPLES
from export.made_pages import made_page
from textlens.export import EXPORTERS
from textlens.export.page import page_dpi


def _total_due(dpi: float | None, input_path: str | None = None):
    page = made_page([("Total due 12.50", [100, 100, 500, 130])], size=(1000, 800))
    page.dpi, page.input_path = dpi, input_path
    return page


def test_the_result_dpi_sizes_the_pdf_page_and_the_hocr_scan_res():
    import pypdfium2 as pdfium

    page = _total_due(200.0)
    assert page_dpi(page) == 200.0
    pdf = pdfium.PdfDocument(EXPORTERS["pdf"][1]([page]))
    assert pdf[0].get_size() == pytest.approx((360, 288))  # 1000 x 800 px at 200 dpi
    assert b"scan_res 200 200" in EXPORTERS["hocr"][1]([page])


def test_without_a_dpi_a_page_is_72_dpi_whatever_file_it_names():
    """The input file is not opened again: it may be gone, or hold something else by now."""
    assert page_dpi(_total_due(None, str(SAMPLES / "two_pages.pdf"))) == 72.0
    assert page_dpi(_total_due(None, "/no/such/scan.png")) == 72.0


def test_the_engine_carries_the_dpi_of_the_page_onto_its_result(ocr):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, format="PNG", dpi=(300, 300))
    [result] = ocr.predict(buffer.getvalue())
    assert page_dpi(result) == pytest.approx(300, abs=0.01)
    assert "dpi" not in result.json["res"]  # PaddleOCR's JSON has no such key
