"""POST /v1/chat/completions and GET /v1/models as an OpenAI client library sends and reads them."""

from __future__ import annotations

import base64
import json

import pytest


def _ask(image_url, prompt: str | None = "<OCR>", **extra) -> dict:
    parts = [{"type": "image_url", "image_url": image_url}]
    if prompt is not None:
        parts.insert(0, {"type": "text", "text": prompt})
    return {
        "model": "microsoft/Florence-2-base",
        "max_tokens": 1024,
        **extra,
        "messages": [
            {"role": "system", "content": "You read documents."},
            {"role": "user", "content": parts},
        ],
    }


def test_models_lists_the_engine(main_server):
    with main_server.client("alpha-token") as client:
        body = client.get("/v1/models").json()
    assert body["object"] == "list"
    [model] = body["data"]
    assert model["object"] == "model" and model["id"].startswith("textlens-")


def test_ocr_prompt_answers_the_text(main_server, invoice, invoice_b64, found_lines):
    with main_server.client("alpha-token") as client:
        model = client.get("/v1/models").json()["data"][0]["id"]
        response = client.post(
            "/v1/chat/completions", json=_ask({"url": f"data:image/jpeg;base64,{invoice_b64}"})
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["object"] == "chat.completion" and body["id"].startswith("chatcmpl-")
    assert body["model"] == model
    [choice] = body["choices"]
    assert choice["finish_reason"] == "stop" and choice["message"]["role"] == "assistant"
    content = choice["message"]["content"]
    assert found_lines(invoice["lines"], content.split("\n")) >= 0.5
    assert body["usage"] == {
        "prompt_tokens": 1,
        "completion_tokens": len(content),
        "total_tokens": 1 + len(content),
    }


def test_region_prompt_answers_json_regions(main_server, invoice, invoice_b64, found_lines):
    with main_server.client("alpha-token") as client:
        response = client.post(
            "/v1/chat/completions",
            json=_ask(f"data:image/jpeg;base64,{invoice_b64}", "<OCR_WITH_REGION>"),
        )
    assert response.status_code == 200, response.text
    regions = json.loads(response.json()["choices"][0]["message"]["content"])
    assert found_lines(invoice["lines"], [r["text"] for r in regions]) >= 0.5
    assert all(len(r["bbox"]) == 4 and r["bbox"][0] < r["bbox"][2] for r in regions)


@pytest.mark.parametrize(
    "body, words",
    [
        (_ask({"url": "data:image/png;base64,AAAA"}, "<CAPTION>"), "unsupported prompt"),
        (_ask({"url": "data:image/png;base64,AAAA"}, stream=True), "stream"),
        ({"messages": [{"role": "user", "content": "<OCR>"}]}, "exactly one image_url"),
        ({"messages": [{"role": "assistant", "content": "hi"}]}, "no user message"),
        ({"messages": []}, "at least 1"),
        ({"messages": [{"role": "user", "content": [{"type": "audio", "audio": "x"}]}]}, "type"),
        (
            _ask({"url": "data:image/png;base64," + base64.b64encode(b"no image").decode()}),
            "not a supported image",
        ),
        (_ask({"url": "https://example.com/a.png"}), "URL inputs are disabled"),
        ("pdf", "send PDFs to /ocr or /predictions"),
    ],
)
def test_bad_requests_answer_400_as_openai_errors(main_server, pdf_path, body, words):
    if body == "pdf":  # a multi-page PDF: one image per chat request
        body = _ask(
            {
                "url": "data:application/pdf;base64,"
                + base64.b64encode(pdf_path.read_bytes()).decode()
            }
        )
    with main_server.client("alpha-token") as client:
        response = client.post("/v1/chat/completions", json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error" and words in error["message"]
