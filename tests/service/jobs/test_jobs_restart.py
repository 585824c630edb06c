"""A server killed mid-job (SIGKILL: nothing is cleaned up) and started again finishes the job,
every page exactly once, resuming after the last page it had stored: PP-OCR jobs and Replicate
predictions alike, since both are jobs of one store."""

from __future__ import annotations

import json
import signal
import time

import httpx
import pytest
import replicate

pytestmark = pytest.mark.slow


def _status(client, job_id: str) -> dict:
    answer = client.get(f"/api/v2/ocr/jobs/{job_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]


def test_a_killed_server_resumes_its_job(launch, tmp_path_factory, paddleocr_api, long_pdf):
    folder = tmp_path_factory.mktemp("restart-store")
    server = launch("restart", tokens=["t"], jobs_dir=str(folder), job_lease_s=2)
    with paddleocr_api.PaddleOCRClient(token="t", base_url=server.url) as client:
        job = client.submit_ocr(
            file_path=str(long_pdf), options=paddleocr_api.OCROptions(visualize=False)
        )
    predictions = replicate.Client(api_token="t", base_url=server.url)
    with long_pdf.open("rb") as document:  # queued behind the job: it runs after the restart
        prediction = predictions.models.predictions.create(
            model="textlens/florence-2-ocr", input={"images": [document], "task": "OCR"}
        )
    with server.client("t") as http:
        deadline = time.monotonic() + 120
        while _status(http, job.job_id)["extractProgress"]["extractedPages"] < 3:
            assert time.monotonic() < deadline, "the job made no progress"
            time.sleep(0.1)
    assert server.process is not None
    server.process.send_signal(signal.SIGKILL)
    server.process.wait()
    with server.client("t") as http, pytest.raises(httpx.TransportError):
        http.get("/health")

    server.start()
    with server.client("t") as http:
        resumed = _status(http, job.job_id)["extractProgress"]["extractedPages"]
    assert resumed >= 3  # nothing stored before the kill is read again
    with paddleocr_api.PaddleOCRClient(token="t", base_url=server.url) as client:
        result = client.wait_ocr_result(job)
        status = client.get_status(job.job_id)
    assert status.progress.extracted_pages == status.progress.total_pages == 12
    assert len(result.pages) == 12
    # the PDF is the same two pages six times: every page in its place, each read once
    texts = [page.pruned_result["rec_texts"] for page in result.pages]
    assert "INVOICE No. 2024-0117" in texts[0] and "TERMS AND CONDITIONS" in texts[1]
    assert texts == [texts[0], texts[1]] * 6

    prediction = predictions.predictions.get(prediction.id)
    prediction.wait()
    assert prediction.status == "succeeded", prediction.error
    pages = json.loads(prediction.output)["results"]
    assert [page["page"] for page in pages] == list(range(1, 11))  # max_num_input_imgs: 10
    assert all(page["error"] is None for page in pages)
    assert "TERMS AND CONDITIONS" in pages[1]["text"] and pages[0]["text"] == pages[8]["text"]


def test_jobs_run_on_any_worker_and_answer_from_every_one(
    launch, tmp_path_factory, paddleocr_api, pdf_path
):
    folder = tmp_path_factory.mktemp("two-workers-store")
    server = launch("two-workers", workers=2, tokens=["t"], jobs_dir=str(folder))
    with paddleocr_api.PaddleOCRClient(token="t", base_url=server.url) as client:
        jobs = [
            client.submit_ocr(
                file_path=str(pdf_path), options=paddleocr_api.OCROptions(visualize=False)
            )
            for _ in range(4)
        ]
        results = [client.wait_ocr_result(job) for job in jobs]
    texts = [[page.pruned_result["rec_texts"] for page in result.pages] for result in results]
    assert len(texts[0]) == 3 and all(t == texts[0] for t in texts)
    with server.client("t") as http:  # polled over many connections: each worker knows them
        for job in jobs:
            for _ in range(4):
                assert _status(http, job.job_id)["state"] == "done"
