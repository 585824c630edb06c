"""POST /predictions: the Florence-2 Advanced OCR contract, one page object per image."""

from __future__ import annotations

import base64
import io
import json

from PIL import Image

from export.made_pages import made_page
from textlens.export.text import page_text
from textlens.service.florence import regions


def _output(response) -> dict:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "succeeded" and body["error"] is None
    output = json.loads(body["output"])  # the contract: a JSON *string*
    assert output["results"] == output["pages"]
    assert output["total_pages"] == len(output["results"])
    return output


def test_a_corrupt_image_among_good_ones_fails_only_its_page(
    main_server, invoice, corrupt_image, pdf_doc, found_lines
):
    """An invoice, a broken image, and a 3-page PDF (this server reads 2 pages a PDF)."""
    pdf_path, pdf_truth = pdf_doc["path"], pdf_doc["pages"]
    images = [
        base64.b64encode(invoice["bytes"]).decode(),
        base64.b64encode(corrupt_image).decode(),
        "data:application/pdf;base64," + base64.b64encode(pdf_path.read_bytes()).decode(),
    ]
    with main_server.client("alpha-token") as client:
        response = client.post(
            "/predictions",
            json={"input": {"images": images, "task": "OCR_WITH_REGION", "include_image": True}},
        )
    output = _output(response)
    assert output["task"] == "OCR_WITH_REGION" and output["total_pages"] == 4
    good, bad, *pdf_pages = output["results"]
    assert [p["page"] for p in output["results"]] == [1, 2, 3, 4]
    assert bad["error"] and "images[1]" in bad["error"]
    assert (bad["text"], bad["regions"], bad["image_base64"]) == ("", [], None)
    expected = [(good, invoice), (pdf_pages[0], pdf_truth[0]), (pdf_pages[1], pdf_truth[1])]
    for page, truth in expected:
        assert page["error"] is None and page["type"] == "OCR_WITH_REGION"
        texts = [r["text"] for r in page["regions"]]
        assert all(text in page["text"] for text in texts)  # same lines, maybe joined by row
        assert sorted("".join(page["text"].split())) == sorted("".join("".join(texts).split()))
        assert found_lines(truth["lines"], texts) >= 0.5
        for region in page["regions"]:
            x1, y1, x2, y2 = region["bbox"]
            assert 0 <= x1 < x2 <= truth["width"] and 0 <= y1 < y2 <= truth["height"]
        drawn = Image.open(io.BytesIO(base64.b64decode(page["image_base64"])))
        assert drawn.format == "PNG" and drawn.size == (truth["width"], truth["height"])
    assert main_server.log_has("POST /predictions status=200 pages=4")


def test_plain_ocr_gives_text_only(main_server, invoice_b64, invoice, found_lines):
    with main_server.client("alpha-token") as client:
        response = client.post(
            "/predictions", json={"input": {"images": [invoice_b64], "include_image": True}}
        )  # task defaults to OCR
    [page] = _output(response)["results"]
    assert page["type"] == "OCR" and page["regions"] == [] and page["image_base64"] is None
    assert found_lines(invoice["lines"], page["text"].split("\n")) >= 0.5


def test_invalid_requests_are_refused_before_any_work(main_server):
    cases = [
        ({"input": {"images": ["AAAA"] * 51}}, "at most 50"),
        ({"input": {"images": []}}, "at least 1"),
        ({"input": {"images": ["AAAA"], "task": "CAPTION"}}, "task"),
        ({"images": ["AAAA"]}, "input"),
    ]
    with main_server.client("alpha-token") as client:
        for body, words in cases:
            response = client.post("/predictions", json=body)
            assert response.status_code == 422
            assert words in response.json()["detail"]
    assert "pages=51" not in main_server.log()  # refused before counting or charging


def test_regions_follow_the_reading_order_of_text_and_txt():
    """Two columns whose rows are staggered: listed top to bottom, the lines alternate."""
    left = [(f"left {k}", [50, 100 + 30 * k, 450, 120 + 30 * k]) for k in range(6)]
    right = [(f"right {k}", [550, 115 + 30 * k, 950, 135 + 30 * k]) for k in range(6)]
    page = made_page([line for pair in zip(left, right) for line in pair])
    texts = [region.text for region in regions(page)]
    assert texts == [text for text, _ in left + right]
    assert "\n".join(texts) == page.text == page_text(page).replace("\n\n", "\n")
