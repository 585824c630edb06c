"""The PP-OCR job API through PaddleOCR's real client (`PaddleOCRClient`), base URL changed only."""

from __future__ import annotations

import asyncio
import base64
import http.server
import threading
import time
import uuid
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from PIL import Image


def _client(api, server, token="jobs-token"):
    return api.PaddleOCRClient(token=token, base_url=server.url)


def _ocr_pages(server, path: Path, token="jobs-token") -> dict:
    """What the synchronous /ocr answers for the same file, to compare with."""
    body = {"file": base64.b64encode(path.read_bytes()).decode(), "visualize": False}
    with server.client(token) as http:
        answer = http.post("/ocr", json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


@pytest.fixture(scope="module")
def pdf_result(jobs_server, paddleocr_api, pdf_path):
    with _client(paddleocr_api, jobs_server) as client:
        return client.ocr(file_path=str(pdf_path))


def test_a_pdf_gives_every_page_with_the_texts_of_ocr(jobs_server, pdf_result, pdf_path):
    expected = _ocr_pages(jobs_server, pdf_path)
    assert len(pdf_result.pages) == 3
    assert [p.pruned_result["rec_texts"] for p in pdf_result.pages] == [
        p["prunedResult"]["rec_texts"] for p in expected["ocrResults"]
    ]
    assert [p.pruned_result["rec_boxes"] for p in pdf_result.pages] == [
        p["prunedResult"]["rec_boxes"] for p in expected["ocrResults"]
    ]
    assert pdf_result.data_info == expected["dataInfo"]


def test_the_async_client_reads_the_same_pages(jobs_server, paddleocr_api, pdf_result, pdf_path):
    async def read():
        async with paddleocr_api.AsyncPaddleOCRClient(
            token="jobs-token", base_url=jobs_server.url
        ) as client:
            return await client.ocr(file_path=str(pdf_path), page_ranges="2-3")

    result = asyncio.run(read())
    assert [p.pruned_result["rec_texts"] for p in result.pages] == [
        p.pruned_result["rec_texts"] for p in pdf_result.pages[1:]
    ]


def test_each_hosted_model_runs_its_family(jobs_server, paddleocr_api, pdf_result, pdf_path):
    with _client(paddleocr_api, jobs_server) as client:
        job = client.submit_ocr(file_path=str(pdf_path), page_ranges="1", model="PP-OCRv5")
        v5 = client.wait_ocr_result(job).pages[0].pruned_result
        latin = client.ocr(file_path=str(pdf_path), page_ranges="1", model="PP-OCRv5-latin")
        assert client.get_status(job.job_id).result is not None
    v6 = pdf_result.pages[0].pruned_result
    assert "Payment is due within 30 days." in v5["rec_texts"]
    assert v5["rec_scores"] != v6["rec_scores"]  # another recogniser read it
    assert latin.pages[0].pruned_result["rec_scores"] == v6["rec_scores"]  # PP-OCRv6 reads Latin


def test_the_pictures_download_without_a_token(jobs_server, paddleocr_api, pdf_result, tmp_path):
    with _client(paddleocr_api, jobs_server) as client:
        saved = client.save_ocr_result_resources(pdf_result, str(tmp_path))
    assert [Path(p).name for p in saved] == [f"ocr-page-{i}.jpg" for i in (1, 2, 3)]
    for path, size in zip(saved, pdf_result.data_info["pages"]):
        with Image.open(path) as image:  # the page, and beside it its boxes and texts
            assert image.format == "JPEG" and image.size == (2 * size["width"], size["height"])
    with _client(paddleocr_api, jobs_server) as client:
        path = client.save_resource(pdf_result.pages[0].input_image_url, str(tmp_path))
    with Image.open(path) as image:
        page = pdf_result.data_info["pages"][0]
        assert image.format == "JPEG" and image.size == (page["width"], page["height"])


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts._replace(query=urlencode(query)).geturl()


def test_links_are_signed_for_their_path(jobs_server, pdf_result):
    link = pdf_result.pages[0].ocr_image_url
    assert httpx.get(link).status_code == 200
    forged = _with_query(link, signature="0" * 64)
    assert httpx.get(forged).status_code == 403
    later = _with_query(link, expires=str(int(time.time()) + 10**6))
    assert httpx.get(later).status_code == 403  # the expiry is signed too
    other_page = link.replace("/pages/0/", "/pages/1/")
    answer = httpx.get(other_page)
    assert answer.status_code == 403 and "signature" in answer.json()["msg"]
    assert httpx.get(link.split("?")[0]).status_code == 403


def test_page_ranges_and_a_batch(jobs_server, paddleocr_api, pdf_result, pdf_path):
    batch = f"batch-{uuid.uuid4().hex[:8]}"
    with _client(paddleocr_api, jobs_server) as client:
        first = client.submit_ocr(file_path=str(pdf_path), page_ranges="1,3", batch_id=batch)
        second = client.submit_ocr(file_path=str(pdf_path), page_ranges="2-2", batch_id=batch)
        result = client.wait_ocr_result(first)
        client.wait_ocr_result(second)
        status = client.get_batch_status(batch)
    texts = [p.pruned_result["rec_texts"] for p in pdf_result.pages]
    assert [p.pruned_result["rec_texts"] for p in result.pages] == [texts[0], texts[2]]
    assert result.data_info["numPages"] == 2
    assert {job.job_id for job in status.jobs} == {first.job_id, second.job_id}
    assert all(job.state == "done" and job.progress.extracted_pages for job in status.jobs)
    assert [job.progress.total_pages for job in status.jobs] == [2, 1]


def test_a_page_range_past_the_end_is_a_bad_request(jobs_server, paddleocr_api, pdf_path):
    with (
        _client(paddleocr_api, jobs_server) as client,
        pytest.raises(paddleocr_api.errors.InvalidRequestError, match="past the end"),
    ):
        client.submit_ocr(file_path=str(pdf_path), page_ranges="2-5")


def test_a_file_url_is_fetched_under_the_url_rules(jobs_server, paddleocr_api, invoice, tmp_path):
    (tmp_path / "invoice.png").write_bytes(invoice["bytes"])
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    files = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=files.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{files.server_port}/invoice.png"
        with _client(paddleocr_api, jobs_server) as client:
            result = client.ocr(file_url=url)
            with pytest.raises(paddleocr_api.errors.InvalidRequestError, match="404"):
                client.submit_ocr(file_url=url.replace("invoice", "missing"))
    finally:
        files.shutdown()
    assert result.data_info == {
        "type": "image",
        "width": invoice["width"],
        "height": invoice["height"],
    }
    assert "INVOICE No. 2024-0117" in result.pages[0].pruned_result["rec_texts"]


def test_options_reach_the_engine(jobs_server, paddleocr_api, pdf_path):
    options = paddleocr_api.OCROptions(text_rec_score_thresh=0.9999, visualize=False)
    with _client(paddleocr_api, jobs_server) as client:
        result = client.ocr(file_path=str(pdf_path), options=options, page_ranges="1")
    page = result.pages[0]
    assert page.ocr_image_url is None and page.input_image_url is None
    assert all(score >= 0.9999 for score in page.pruned_result["rec_scores"])
    assert page.pruned_result["text_rec_score_thresh"] == 0.9999


def test_a_wrong_token_raises_the_clients_auth_error(jobs_server, paddleocr_api, pdf_path):
    with (
        _client(paddleocr_api, jobs_server, token="not-a-token") as client,
        pytest.raises(paddleocr_api.errors.AuthError),
    ):
        client.ocr(file_path=str(pdf_path))


def test_another_tokens_job_is_not_found(jobs_server, paddleocr_api, pdf_result):
    with (
        _client(paddleocr_api, jobs_server, token="other-token") as client,
        pytest.raises(paddleocr_api.errors.APIError) as caught,
    ):
        client.get_status(pdf_result.job_id)
    assert caught.value.status_code == 404


def test_a_document_parsing_model_is_a_bad_request(jobs_server, paddleocr_api, pdf_path):
    with (
        _client(paddleocr_api, jobs_server) as client,
        pytest.raises(paddleocr_api.errors.InvalidRequestError, match="document-parsing"),
    ):
        client.parse_document(file_path=str(pdf_path))


def test_the_quota_refuses_a_job_whole(
    jobs_server, paddleocr_api, blank_pdf, tmp_path, job_page_limit
):
    too_many = tmp_path / "too_many.pdf"
    too_many.write_bytes(blank_pdf(job_page_limit + 1))
    fits = tmp_path / "fits.pdf"
    fits.write_bytes(blank_pdf(job_page_limit))
    with _client(paddleocr_api, jobs_server, token="quota-token") as client:
        with pytest.raises(paddleocr_api.errors.RateLimitError, match="daily page limit"):
            client.submit_ocr(file_path=str(too_many))
        job = client.submit_ocr(file_path=str(fits))  # the refused job cost nothing
        with pytest.raises(paddleocr_api.errors.RateLimitError):
            client.submit_ocr(file_path=str(fits), page_ranges="1")
        assert len(client.wait_ocr_result(job).pages) == job_page_limit


def test_unfinished_jobs_per_token_are_capped(jobs_server, paddleocr_api, long_pdf):
    with _client(paddleocr_api, jobs_server, token="other-token") as client:
        jobs = [client.submit_ocr(file_path=str(long_pdf), page_ranges="1") for _ in range(3)]
        with pytest.raises(paddleocr_api.errors.RateLimitError, match="max_jobs_per_token"):
            client.submit_ocr(file_path=str(long_pdf), page_ranges="1")
        for job in jobs:
            client.wait_ocr_result(job)


def test_a_file_past_max_job_bytes_gets_413(jobs_server, paddleocr_api, tmp_path):
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 8_100_000)
    with (
        _client(paddleocr_api, jobs_server) as client,
        pytest.raises(paddleocr_api.errors.APIError, match="max_job_bytes") as caught,
    ):
        client.submit_ocr(file_path=str(big))
    assert caught.value.status_code == 413
    with jobs_server.client() as http:
        assert http.get("/health").status_code == 200


def test_a_page_that_cannot_be_read_fails_alone(
    jobs_server, paddleocr_api, pdf_with_a_bad_page, pdf_result
):
    with _client(paddleocr_api, jobs_server) as client:
        result = client.ocr(
            file_path=str(pdf_with_a_bad_page), options=paddleocr_api.OCROptions(visualize=False)
        )
    assert [p.pruned_result.get("rec_texts") for p in result.pages[:3]] == [
        p.pruned_result["rec_texts"] for p in pdf_result.pages
    ]
    bad = result.pages[3]
    assert bad.pruned_result == {} and "megapixel" in bad.raw["errorMsg"]


def test_a_job_does_not_starve_ocr_requests(jobs_server, paddleocr_api, long_pdf, invoice):
    with _client(paddleocr_api, jobs_server) as client:
        job = client.submit_ocr(file_path=str(long_pdf))
        body = {"file": base64.b64encode(invoice["bytes"]).decode(), "visualize": False}
        deadline = time.monotonic() + 60
        while client.get_status(job.job_id).state == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.2)
        with jobs_server.client("jobs-token") as http:
            assert http.post("/ocr", json=body).status_code == 200
        status = client.get_status(job.job_id)
        assert status.state == "running" and status.progress.extracted_pages < 12
        assert len(client.wait_ocr_result(job).pages) == 12
