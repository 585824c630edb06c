"""Every request: a logId, the body size limit (413), one log line without image data."""

from __future__ import annotations

import json
import re

import pytest

LIMIT = 1_500_000  # the edge server's max_request_bytes


def _big_body() -> bytes:
    return json.dumps({"file": "A" * (LIMIT + 100_000)}).encode()


@pytest.mark.parametrize(
    "path, error",
    [
        ("/ocr", lambda body: body["errorCode"] == 413 and "max_request_bytes" in body["errorMsg"]),
        ("/predictions", lambda body: "max_request_bytes" in body["detail"]),
        ("/v1/chat/completions", lambda body: "max_request_bytes" in body["error"]["message"]),
    ],
)
def test_a_body_past_the_limit_gets_413_in_the_endpoints_format(edge_server, path, error):
    with edge_server.client() as client:
        declared = client.post(
            path, content=_big_body(), headers={"Content-Type": "application/json"}
        )
        assert declared.status_code == 413 and error(declared.json())

        def chunks():  # no Content-Length: the limit is counted as the body arrives
            body = _big_body()
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        streamed = client.post(path, content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413 and error(streamed.json())
        assert client.get("/health").status_code == 200


def test_one_line_per_request_without_image_data(main_server, invoice_b64):
    with main_server.client("alpha-token") as client:
        refused = client.post("/ocr", json={"file": invoice_b64, "fileType": 0})
        log_id = refused.json()["logId"]
    assert main_server.log_has(f"logId={log_id}")
    log = main_server.log()
    lines = [line for line in log.splitlines() if f"logId={log_id}" in line]
    assert len(lines) == 1
    assert re.search(rf"logId={log_id} POST /ocr status=500 pages=0 ms=\d+$", lines[0])
    assert invoice_b64[1000:1064] not in log  # nothing a client sent is ever logged


def test_log_ids_are_unique_per_request(main_server):
    with main_server.client() as client:
        ids = {client.get("/health").json()["logId"] for _ in range(5)}
    assert len(ids) == 5
