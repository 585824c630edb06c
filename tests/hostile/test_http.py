"""Each HTTP contract against the hostile corpus, on a real server: its own error body, a message
that names the problem (never a bare internal error), an answer within seconds, and a server
that goes on serving."""

from __future__ import annotations

import base64
import json
import re
import time
from pathlib import Path

import httpx
import pytest

from conftest import SAMPLES
from hostile.conftest import PAGE_LIMIT, TOKEN
from hostile.corpus import Entry, pdf_of_pages, refused_files

ENTRIES = refused_files()
BY_NAME = {e.name: e for e in ENTRIES}
# files whose header passes the checks made before a job is created: only reading fails them
READ_FAILS = ("cut_jpeg.jpg", "cut_png.png", "cut_tiff.tiff", "poster.pdf", "cyclic.pdf")
SECONDS = 10.0  # the slowest refusal measured is well under one; this is a shared machine
INVOICE = (SAMPLES / "invoice.png").read_bytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def data_uri(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64,{b64(data)}"


def _matches(reason: str, message: str) -> bool:
    return re.search(reason, message) is not None and "internal server error" not in message


@pytest.fixture(scope="module")
def client(hostile_server):
    with hostile_server.client(TOKEN, timeout=60) as client:
        yield client


def _timed(call):
    started = time.monotonic()
    response = call()
    assert time.monotonic() - started < SECONDS, "answered too late"
    assert "Traceback" not in response.text
    return response


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_ocr_answers_a_parameter_error_in_its_envelope(client, entry: Entry):
    response = _timed(lambda: client.post("/ocr", json={"file": b64(entry.data)}))
    body = response.json()
    assert response.status_code == 500 and body["errorCode"] == 500 and body["logId"]
    assert _matches(entry.reason, body["errorMsg"]), body["errorMsg"]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_chat_answers_400_as_openai_does(client, entry: Entry):
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "<OCR>"},
            {"type": "image_url", "image_url": {"url": data_uri(entry.data)}},
        ],
    }
    response = _timed(
        lambda: client.post("/v1/chat/completions", json={"model": "m", "messages": [message]})
    )
    error = response.json()["error"]
    assert response.status_code == 400 and error["type"] == "invalid_request_error"
    reason = "a chat request reads one image" if entry.name.endswith(".pdf") else entry.reason
    assert _matches(reason, error["message"]), error["message"]


def test_predictions_give_each_bad_image_its_own_error_and_read_the_good_one(client):
    images = [b64(INVOICE), *(b64(e.data) for e in ENTRIES)]
    response = _timed(lambda: client.post("/predictions", json={"input": {"images": images}}))
    assert response.status_code == 200, response.text
    good, *bad = json.loads(response.json()["output"])["results"]
    assert good["error"] is None and "INVOICE" in good["text"]
    assert len(bad) == len(ENTRIES)
    for entry, page in zip(ENTRIES, bad):
        assert page["text"] == "" and _matches(entry.reason, page["error"]), (entry, page)


def test_replicate_predictions_do_the_same_through_the_job_store(client):
    images = [data_uri(INVOICE), *(data_uri(e.data) for e in ENTRIES)]
    response = client.post(
        "/v1/models/textlens/florence-2-ocr/predictions",
        json={"input": {"images": images}},
        headers={"Prefer": "wait=60"},
    )
    assert response.status_code == 201 and response.json()["status"] == "succeeded"
    good, *bad = json.loads(response.json()["output"])["results"]
    assert good["error"] is None and "INVOICE" in good["text"]
    for entry, page in zip(ENTRIES, bad):
        assert _matches(entry.reason, page["error"]), (entry, page)


def _submit(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post(
        "/api/v2/ocr/jobs",
        files={"file": (name, data)},
        data={"model": "PP-OCRv6", "optionalPayload": '{"visualize": false}'},
    )


@pytest.mark.parametrize(
    "entry", [e for e in ENTRIES if e.name not in READ_FAILS], ids=lambda e: e.name
)
def test_a_job_of_a_file_refused_by_its_header_is_never_created(client, entry: Entry):
    response = _timed(lambda: _submit(client, entry.name, entry.data))
    body = response.json()
    assert response.status_code == 400 and body["code"] == 400 and body["data"] is None
    assert _matches(entry.reason, body["msg"]), body["msg"]


def _finished(client: httpx.Client, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while True:
        data = client.get(f"/api/v2/ocr/jobs/{job_id}").json()["data"]
        if data["state"] in ("done", "failed"):
            return data
        assert time.monotonic() < deadline, data
        time.sleep(0.3)


def test_jobs_whose_page_cannot_be_read_record_its_reason_and_the_others_finish(client):
    jobs = {name: _submit(client, name, BY_NAME[name].data).json() for name in READ_FAILS}
    good = _submit(client, "invoice.png", INVOICE).json()["data"]["jobId"]
    for name, submitted in jobs.items():
        data = _finished(client, submitted["data"]["jobId"])
        assert data["state"] == "done", data
        [line] = httpx.get(data["resultUrl"]["jsonUrl"]).text.splitlines()
        [page] = json.loads(line)["result"]["ocrResults"]
        assert page["prunedResult"] == {}
        assert _matches(BY_NAME[name].reason, page["errorMsg"]), page
    done = _finished(client, good)
    [line] = httpx.get(done["resultUrl"]["jsonUrl"]).text.splitlines()
    assert "INVOICE" in json.dumps(json.loads(line)["result"]["ocrResults"][0]["prunedResult"])


def test_a_3000_page_pdf_is_capped_on_ocr_and_refused_whole_by_the_job_quota(client):
    data = pdf_of_pages(3000)
    response = _timed(lambda: client.post("/ocr", json={"file": b64(data), "visualize": False}))
    assert response.status_code == 200
    assert response.json()["result"]["dataInfo"]["numPages"] == 2  # max_num_input_imgs
    refused = _timed(lambda: _submit(client, "long.pdf", data))
    assert refused.status_code == 429 and str(PAGE_LIMIT) in refused.json()["msg"]


@pytest.mark.parametrize(
    "text, answer, reason",
    [
        ("not base64 at all!", 500, "neither valid base64"),
        ("data:image/png;base64,%%%%", 500, "neither valid base64"),
        ("data:image/png,rawtext", 500, "neither valid base64"),
        (data_uri(b"<html>hi</html>"), 500, "not a supported image"),
        (data_uri(INVOICE, "application/pdf"), 500, "fileType is 0 \\(PDF\\)"),
        (data_uri(INVOICE, "text/html"), 200, None),  # the bytes say what a file is
    ],
)
def test_base64_and_data_uris_are_judged_by_their_bytes(client, text, answer, reason):
    file_type = 0 if "application/pdf" in text else None
    response = _timed(
        lambda: client.post("/ocr", json={"file": text, "fileType": file_type, "visualize": False})
    )
    assert response.status_code == answer, response.text
    if reason:
        assert _matches(reason, response.json()["errorMsg"])


def _nested(depth: int) -> bytes:
    return b'{"file": ' + b"[" * depth + b"]" * depth + b"}"


@pytest.mark.parametrize("depth", [100, 100_000])
@pytest.mark.parametrize(
    "path, status",
    [
        ("/ocr", 500),
        ("/predictions", 422),
        ("/v1/chat/completions", 400),
        ("/api/v2/ocr/jobs", 400),
        ("/v1/predictions", 422),
    ],
)
def test_deeply_nested_json_is_a_bad_request_in_each_format(client, path, status, depth):
    response = _timed(
        lambda: client.post(
            path, content=_nested(depth), headers={"Content-Type": "application/json"}
        )
    )
    assert response.status_code == status, response.text
    assert "internal server error" not in response.text
    if depth > 1000:  # past Python's own nesting: the body is not JSON it can read
        assert "JSON" in response.text, response.text


def _zeros(megabytes: int):
    chunk = bytes(1 << 20)
    for _ in range(megabytes):
        yield chunk


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(
    "path", ["/ocr", "/predictions", "/v1/chat/completions", "/api/v2/ocr/jobs"]
)
def test_a_300_mb_body_gets_413_without_being_read_whole(hostile_server, client, path, declared):
    headers = {"Content-Type": "application/json"}
    if declared:
        headers["Content-Length"] = str(300 << 20)
    started = time.monotonic()
    try:
        response = client.post(path, content=_zeros(300), headers=headers)
    except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
        response = None  # the server answered and closed while the body was still coming
    assert time.monotonic() - started < 30
    if response is not None:
        assert response.status_code == 413, response.text
        assert "larger than" in response.text
    assert client.get("/health").status_code == 200
    assert hostile_server.log_has(f"POST {path} status=413")


INWARD = [
    ("http://localhost:{port}/page.png", "127.0.0.1|::1"),
    ("http://169.254.169.254/latest/meta-data/", "169.254.169.254"),
    ("http://10.0.0.1/page.png", "10.0.0.1"),
    ("http://[::1]/page.png", "::1"),
    ("{redirector}/to-metadata", "169.254.169.254"),
    ("{redirector}/to-private", "10.0.0.1"),
    ("{redirector}/to-loopback", "127.0.0.1|::1"),
]


@pytest.mark.parametrize("url, address", INWARD, ids=[u for u, _ in INWARD])
def test_urls_to_inward_addresses_are_refused_by_every_contract(
    client, hostile_server, redirector, url, address
):
    url = url.format(port=hostile_server.port, redirector=redirector)
    refused = f"refused: .* resolves to ({address}), which is not a public address"
    ocr = _timed(lambda: client.post("/ocr", json={"file": url}))
    assert ocr.status_code == 500 and _matches(refused, ocr.json()["errorMsg"]), ocr.text
    predictions = _timed(lambda: client.post("/predictions", json={"input": {"images": [url]}}))
    [page] = json.loads(predictions.json()["output"])["results"]
    assert _matches(refused, page["error"]), page
    message = {
        "role": "user",
        "content": [
            {"type": "text", "text": "<OCR>"},
            {"type": "image_url", "image_url": {"url": url}},
        ],
    }
    chat = _timed(
        lambda: client.post("/v1/chat/completions", json={"model": "m", "messages": [message]})
    )
    assert chat.status_code == 400 and _matches(refused, chat.json()["error"]["message"])
    job = _timed(lambda: client.post("/api/v2/ocr/jobs", json={"fileUrl": url}))
    assert job.status_code == 400 and _matches(refused, job.json()["msg"]), job.text


@pytest.mark.parametrize(
    "name", ["../../escaped.png", "名前 über.png", "a\\..\\b.png", "/etc/x.png"]
)
def test_upload_names_are_labels_never_paths(client, hostile_server, name):
    before = {p for p in hostile_server.config_path.parent.parent.rglob("*")}
    job = _submit(client, name, INVOICE).json()["data"]["jobId"]
    assert _finished(client, job)["state"] == "done"
    stored = client.post("/v1/files", files={"content": (name, INVOICE, "image/png")})
    assert stored.status_code == 201 and stored.json()["name"] == name
    after = {p for p in hostile_server.config_path.parent.parent.rglob("*")}
    assert not any("escaped" in p.name for p in after - before)
    assert not Path("/etc/x.png").exists()


def test_deeply_nested_json_inside_form_fields_is_a_bad_request(client):
    nested = "[" * 100_000 + "]" * 100_000
    job = _timed(
        lambda: client.post(
            "/api/v2/ocr/jobs", files={"file": ("a.png", INVOICE)}, data={"optionalPayload": nested}
        )
    )
    assert job.status_code == 400 and "optionalPayload" in job.json()["msg"], job.text
    stored = _timed(
        lambda: client.post(
            "/v1/files", files={"content": ("a.png", INVOICE)}, data={"metadata": nested}
        )
    )
    assert stored.status_code == 422 and "metadata" in stored.json()["detail"], stored.text
