"""POST /export and POST /reading-order: a result /ocr gave, back as the CLI's documents."""

from __future__ import annotations

import base64
import io

import pytest
from lxml import etree
from pypdf import PdfReader

TOKEN = "alpha-token"


@pytest.fixture(scope="module")
def read_back(main_server, invoice_b64, pdf_path):
    """/ocr's answers for the invoice and the (capped) PDF, with their files as base64."""
    pdf_b64 = base64.b64encode(pdf_path.read_bytes()).decode("ascii")
    with main_server.client(TOKEN) as client:
        image = client.post("/ocr", json={"file": invoice_b64, "visualize": True}).json()
        pdf = client.post("/ocr", json={"file": pdf_b64, "visualize": False}).json()
    return {
        "image": (invoice_b64, image["result"]["ocrResults"]),
        "pdf": (pdf_b64, pdf["result"]["ocrResults"]),
    }


def _export(server, body, token=TOKEN):
    with server.client(token) as client:
        return client.post("/export", json=body)


def _pages(results, **extra):
    return [{"prunedResult": page["prunedResult"], **extra} for page in results]


@pytest.mark.parametrize(
    ("fmt", "media", "check"),
    [
        ("txt", "text/plain", lambda data: b"INVOICE" in data),
        ("md", "text/markdown", lambda data: b"INVOICE" in data),
        ("hocr", "text/html", lambda data: b"ocr_page" in data),
        ("alto", "application/xml", lambda data: etree.fromstring(data).tag.endswith("alto")),
    ],
)
def test_each_text_format_comes_back_as_an_attachment(main_server, read_back, fmt, media, check):
    file, results = read_back["image"]
    response = _export(
        main_server, {"format": fmt, "name": "my invoice", "file": file, "pages": _pages(results)}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    suffix = {"txt": ".txt", "md": ".md", "hocr": ".hocr", "alto": ".alto.xml"}[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="my_invoice{suffix}"'
    assert check(response.content)


def test_the_txt_follows_the_reading_order_of_the_page(main_server, read_back):
    file, results = read_back["image"]
    text = _export(main_server, {"format": "txt", "file": file, "pages": _pages(results)}).text
    pruned = results[0]["prunedResult"]
    with main_server.client(TOKEN) as client:
        blocks = client.post("/reading-order", json={"boxes": pruned["rec_boxes"]}).json()["blocks"]
    rows = [" ".join(pruned["rec_texts"][i] for i in row) for block in blocks for row in block]
    assert [line for line in text.splitlines() if line.strip()] == rows
    assert sorted(i for block in blocks for row in block for i in row) == list(
        range(len(pruned["rec_boxes"]))
    )


def test_a_pdf_keeps_its_own_pages_and_gains_their_text(main_server, read_back, pdf_path):
    file, results = read_back["pdf"]
    response = _export(main_server, {"format": "pdf", "file": file, "pages": _pages(results)})
    assert response.status_code == 200, response.text
    reader = PdfReader(io.BytesIO(response.content))
    original = PdfReader(pdf_path)
    assert len(reader.pages) == len(results) == 2  # the server reads at most 2 pages
    for ours, theirs in zip(reader.pages, original.pages):
        assert ours.mediabox == theirs.mediabox  # the PDF's own page, not a re-rendered image
    assert "INVOICE" in reader.pages[1].extract_text()


def test_without_the_file_each_page_brings_its_image(main_server, read_back):
    _, results = read_back["image"]
    pages = [{"prunedResult": p["prunedResult"], "image": p["inputImage"]} for p in results]
    response = _export(main_server, {"format": "pdf", "pages": pages})
    assert response.status_code == 200, response.text
    assert "INVOICE" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"format": "pdf", "pages": [{"prunedResult": {}}]}, "pages[0].prunedResult: not an OCR"),
        ({"format": "doc", "pages": [{"prunedResult": {}}]}, "body.format"),
        ({"format": "txt", "pages": []}, "body.pages"),
        ({"format": "txt", "file": "aGVsbG8=", "pages": "PAGES"}, "body.pages"),
    ],
)
def test_a_bad_request_is_a_422_saying_what(main_server, body, message):
    response = _export(main_server, body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_a_page_without_pixels_is_refused(main_server, read_back):
    _, results = read_back["image"]
    response = _export(main_server, {"format": "pdf", "pages": _pages(results)})
    assert response.status_code == 422
    assert response.json() == {"detail": "pages[0]: needs its image, or the request its file"}
    file = base64.b64encode(b"not a document").decode("ascii")
    response = _export(main_server, {"format": "txt", "file": file, "pages": _pages(results)})
    assert response.status_code == 422 and response.json()["detail"].startswith("file: not a")
    assert "/tmp" not in response.text  # the server's copies are never named


def test_a_token_is_needed_as_for_any_endpoint(main_server, read_back):
    file, results = read_back["image"]
    body = {"format": "txt", "file": file, "pages": _pages(results)}
    assert _export(main_server, body, token=None).status_code == 403
    with main_server.client() as client:
        assert client.post("/reading-order", json={"boxes": []}).status_code == 403


def test_reading_order_refuses_a_box_that_is_not_four_numbers(main_server):
    with main_server.client(TOKEN) as client:
        response = client.post("/reading-order", json={"boxes": [[0, 0, 10]]})
        assert response.status_code == 422
        assert response.json() == {"detail": "boxes: each box is [x0, y0, x1, y1]"}
        assert client.post("/reading-order", json={"boxes": []}).json() == {"blocks": []}


def test_both_are_in_the_openapi_schema(main_server):
    with main_server.client() as client:
        paths = client.get("/openapi.json").json()["paths"]
    assert "application/pdf" in paths["/export"]["post"]["responses"]["200"]["content"]
    assert "/reading-order" in paths
