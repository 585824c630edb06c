"""The gateway's own answers, before any worker is reached (the workers' side: the job tests run
through it, and tests/hostile/test_faults.py kills a worker under it)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from textlens.service import gateway
from textlens.service.settings import ServiceConfig


@pytest.fixture
def client():
    # outside a `with` block the lifespan never runs: no worker starts, none is ever ready
    return TestClient(gateway.app(ServiceConfig(workers=2, max_request_bytes=1000)))


def test_no_worker_ready_is_a_503_in_the_contracts_own_body(client):
    ocr = client.post("/ocr", json={"file": "x"})
    assert ocr.status_code == 503 and ocr.headers["retry-after"] == "2"
    assert ocr.json()["errorCode"] == 503 and "no worker is ready" in ocr.json()["errorMsg"]
    chat = client.post("/v1/chat/completions", json={})
    assert chat.status_code == 503 and "no worker is ready" in chat.json()["error"]["message"]


def test_a_body_past_the_limit_is_refused_at_the_gateway(client):
    refused = client.post("/ocr", content=b"x" * 2000)
    assert refused.status_code == 413
    assert "max_request_bytes" in refused.json()["errorMsg"]
