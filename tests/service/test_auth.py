"""Tokens: both header schemes, constant-time comparison, 403 in each contract's own format."""
from __future__ import annotations

import pytest

from textlens.service.auth import TokenCheck, presented_token
from textlens.service.errors import ServiceError


@pytest.mark.parametrize("header, token", [
    ("token abc", "abc"), ("Bearer abc", "abc"), ("bearer  abc ", "abc"), ("TOKEN abc", "abc"),
    ("Basic abc", None), ("abc", None), ("Bearer", None), ("", None), (None, None),
])
def test_presented_token(header, token):
    assert presented_token(header) == token


def test_no_tokens_means_open_access():
    assert TokenCheck(None)(None) is None
    assert TokenCheck([])("Bearer anything") is None


def test_only_configured_tokens_pass():
    check = TokenCheck(["one", "two"])
    assert check("token two") == "two"
    for header in (None, "Bearer three", "Bearer on", "Bearer one1", "Basic one"):
        with pytest.raises(ServiceError) as caught:
            check(header)
        assert caught.value.status == 403


ENDPOINTS = [("POST", "/ocr", {"file": "x"}),
             ("POST", "/predictions", {"input": {"images": ["x"]}}),
             ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "<OCR>"}]}),
             ("GET", "/v1/models", None)]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic alpha-token",
                                    "token alpha-token-but-longer"])
def test_every_endpoint_refuses_a_missing_or_wrong_token(main_server, method, path, body, header):
    headers = {"Authorization": header} if header else {}
    with main_server.client() as client:
        response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == 403
    payload = response.json()
    if path == "/ocr":
        assert payload["errorCode"] == 403 and payload["logId"] and "token" in payload["errorMsg"]
    elif path.startswith("/v1"):
        assert payload["error"]["type"] == "authentication_error"
    else:
        assert "token" in payload["detail"]


@pytest.mark.parametrize("scheme", ["token", "Bearer"])
def test_both_schemes_are_accepted(main_server, scheme):
    with main_server.client("alpha-token", scheme=scheme) as client:
        assert client.get("/v1/models").status_code == 200


def test_health_needs_no_token(main_server):
    with main_server.client() as client:
        assert client.get("/health").status_code == 200
