"""PaddleOCR's real job client, and the servers the job tests run it against.

The client is paddleocr==3.7.0's `paddleocr/_api_client`, installed without paddleocr's
dependencies (requirements-clients.txt): the package's own `__init__` imports the PaddlePaddle
framework, so the client is loaded under an empty `paddleocr` package that only knows where its
files are.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from conftest import sample_maker

JOB_TOKENS = ["jobs-token", "other-token", "quota-token"]
JOB_PAGE_LIMIT = 60


def _load(module: str) -> Any:
    if "paddleocr" not in sys.modules:
        spec = importlib.util.find_spec("paddleocr")
        if spec is None or not spec.submodule_search_locations:
            pytest.fail(
                "paddleocr==3.7.0 is missing: pip install --no-deps -r requirements-clients.txt"
            )
        package = importlib.util.module_from_spec(spec)  # its __init__ is never executed
        sys.modules["paddleocr"] = package
    return importlib.import_module(f"paddleocr._api_client.{module}")


@pytest.fixture(scope="session")
def paddleocr_api() -> types.SimpleNamespace:
    """The client's classes: PaddleOCRClient, AsyncPaddleOCRClient, OCROptions and its errors."""
    client, models, errors = _load("client"), _load("models"), _load("errors")
    return types.SimpleNamespace(
        PaddleOCRClient=client.PaddleOCRClient,
        AsyncPaddleOCRClient=_load("async_client").AsyncPaddleOCRClient,
        OCROptions=models.OCROptions,
        errors=errors,
    )


@pytest.fixture(scope="session")
def job_page_limit() -> int:
    """The jobs server's daily pages per token."""
    return JOB_PAGE_LIMIT


@pytest.fixture(scope="session")
def jobs_server(launch, tmp_path_factory):
    """Tokens with a small daily quota, URL inputs from 127.0.0.1, a small job size cap; two
    workers sharing the store behind the gateway, as a deployment runs: uploads stream through
    it and the result links it hands out must name its address."""
    folder = tmp_path_factory.mktemp("jobs-store")
    return launch(
        "jobs",
        workers=2,
        tokens=JOB_TOKENS,
        daily_page_limit=JOB_PAGE_LIMIT,
        jobs_dir=str(folder),
        max_jobs_per_token=3,
        max_job_bytes=8_000_000,
        allow_url_inputs=True,
        url_allowlist=["127.0.0.1"],
    )


@pytest.fixture(scope="session")
def long_pdf(tmp_path_factory) -> Path:
    """Twelve real pages (the samples' two pages, six times): long enough to stop a job in."""
    maker = sample_maker()
    images = [maker.render(lines) for lines in (maker.INVOICE, maker.SECOND_PAGE) * 6]
    path = tmp_path_factory.mktemp("long") / "twelve_pages.pdf"
    images[0].save(path, save_all=True, append_images=images[1:], resolution=120)
    return path


@pytest.fixture(scope="session")
def pdf_with_a_bad_page(tmp_path_factory, pdf_path) -> Path:
    """The three-page PDF with a fourth page too large to render (200 x 200 inches)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    huge = pdfium.PdfDocument.new()
    huge.new_page(14400, 14400)
    pdf.import_pages(huge)
    buffer = io.BytesIO()
    pdf.save(buffer)
    path = tmp_path_factory.mktemp("bad-page") / "bad_page.pdf"
    path.write_bytes(buffer.getvalue())
    return path


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
