"""Tokens: both header schemes, constant-time comparison, each contract's own status and body
(403 for PaddleX and the Florence deployment, 401 as OpenAI answers)."""

from __future__ import annotations

import openai
import pytest

from textlens.service.auth import TokenCheck, presented_token
from textlens.service.errors import AuthError


@pytest.mark.parametrize(
    "header, token",
    [
        ("token abc", "abc"),
        ("Bearer abc", "abc"),
        ("bearer  abc ", "abc"),
        ("TOKEN abc", "abc"),
        ("Basic abc", None),
        ("abc", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_presented_token(header, token):
    assert presented_token(header) == token


def test_no_tokens_means_open_access():
    assert TokenCheck(None)(None) is None
    assert TokenCheck([])("Bearer anything") is None


def test_only_configured_tokens_pass():
    check = TokenCheck(["one", "two"])
    assert check("token two") == "two"
    for header in (None, "Bearer three", "Bearer on", "Bearer one1", "Basic one"):
        with pytest.raises(AuthError) as caught:
            check(header)
        assert caught.value.code == (None if header in (None, "Basic one") else "invalid_api_key")


ENDPOINTS = [
    ("POST", "/ocr", {"file": "x"}),
    ("POST", "/predictions", {"input": {"images": ["x"]}}),
    ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "<OCR>"}]}),
    ("GET", "/v1/models", None),
]


@pytest.mark.parametrize("method, path, body", ENDPOINTS)
@pytest.mark.parametrize(
    "header", [None, "Bearer wrong-token", "Basic alpha-token", "token alpha-token-but-longer"]
)
def test_every_endpoint_refuses_a_missing_or_wrong_token(main_server, method, path, body, header):
    headers = {"Authorization": header} if header else {}
    with main_server.client() as client:
        response = client.request(method, path, json=body, headers=headers)
    payload = response.json()
    if path == "/ocr":
        assert response.status_code == 403
        assert payload["errorCode"] == 403 and payload["logId"] and "token" in payload["errorMsg"]
    elif path.startswith("/v1"):
        assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
        presented = header and not header.startswith("Basic")
        assert payload["error"]["type"] == "invalid_request_error"
        assert payload["error"]["code"] == ("invalid_api_key" if presented else None)
    else:
        assert response.status_code == 403 and "token" in payload["detail"]


def test_openais_client_raises_its_authentication_error(main_server):
    """The real client, with only its base URL changed: a bad key is AuthenticationError."""
    bad = openai.OpenAI(base_url=f"{main_server.url}/v1", api_key="not-a-token", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.models.list()
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    good = openai.OpenAI(base_url=f"{main_server.url}/v1", api_key="alpha-token")
    assert next(model.id for model in good.models.list()).startswith("textlens-")


@pytest.mark.parametrize("scheme", ["token", "Bearer"])
def test_both_schemes_are_accepted(main_server, scheme):
    with main_server.client("alpha-token", scheme=scheme) as client:
        assert client.get("/v1/models").status_code == 200


def test_health_needs_no_token(main_server):
    with main_server.client() as client:
        assert client.get("/health").status_code == 200
