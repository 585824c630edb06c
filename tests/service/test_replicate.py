"""Replicate's own client (`replicate`) against `textlens serve`, changing only its base URL."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import time

import pytest
import replicate
from replicate.exceptions import ReplicateError

from conftest import SAMPLES
from textlens.service import florence, openai
from textlens.service import replicate as face
from textlens.service.app import face_for

MODEL = "textlens/florence-2-ocr"
ALPHA, BETA, SPENDER = "rep-alpha", "rep-beta", "rep-spender"
PAGE_LIMIT = 40  # the spender's test spends it all; the others use about half of ALPHA's


@pytest.fixture(scope="session")
def jobs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("replicate-jobs")


@pytest.fixture(scope="session")
def server(launch, jobs_dir):
    return launch(
        "replicate",
        tokens=[ALPHA, BETA, SPENDER],
        daily_page_limit=PAGE_LIMIT,
        max_num_input_imgs=2,
        jobs_dir=str(jobs_dir),
    )


def _client(server, token: str) -> replicate.Client:
    client = replicate.Client(api_token=token, base_url=server.url)
    client.poll_interval = 0.1
    return client


@pytest.fixture(scope="session")
def client(server) -> replicate.Client:
    return _client(server, ALPHA)


@pytest.fixture(scope="session")
def invoice_uri(invoice_b64) -> str:
    return f"data:image/png;base64,{invoice_b64}"


def _error(call) -> ReplicateError:
    with pytest.raises(ReplicateError) as caught:
        call()
    return caught.value


def test_run_with_a_local_file_gives_the_string_post_predictions_gives(
    server, client, invoice, invoice_b64, found_lines
):
    with (SAMPLES / "invoice.png").open("rb") as image:  # uploaded to /v1/files by the client
        output = client.run(MODEL, input={"images": [image], "task": "OCR_WITH_REGION"})
    assert isinstance(output, str)  # not an iterator, not a file: the seed's JSON string
    with server.client(ALPHA) as http:
        direct = http.post(
            "/predictions",
            json={"input": {"images": [invoice_b64], "task": "OCR_WITH_REGION"}},
        )
    assert json.loads(output) == json.loads(direct.json()["output"])
    result = json.loads(output)
    assert result["task"] == "OCR_WITH_REGION" and result["total_pages"] == 1
    [page] = result["pages"]
    assert page["page"] == 1 and page["error"] is None and page["type"] == "OCR_WITH_REGION"
    texts = [region["text"] for region in page["regions"]]
    assert found_lines(invoice["lines"], texts) >= 0.5
    for region in page["regions"]:
        x1, y1, x2, y2 = region["bbox"]
        assert 0 <= x1 < x2 <= invoice["width"] and 0 <= y1 < y2 <= invoice["height"]


def test_a_version_reference_and_a_corrupt_image_among_good_ones(
    client, invoice, corrupt_image, invoice_uri, found_lines
):
    model = client.models.get("someone/any-name")  # every owner/name is this engine
    assert (model.owner, model.name, model.visibility) == ("someone", "any-name", "public")
    version = model.latest_version
    schemas = version.openapi_schema["components"]["schemas"]
    assert schemas["Output"]["type"] == "string" and "images" in schemas["Input"]["properties"]
    assert client.models.get(MODEL).latest_version.id == version.id
    assert [v.id for v in model.versions.list()] == [version.id]
    images = [SAMPLES / "invoice.png", io.BytesIO(corrupt_image), invoice_uri]
    output = client.run(f"{MODEL}:{version.id}", input={"images": images})
    good, bad, inline = json.loads(output)["results"]
    assert [p["page"] for p in (good, bad, inline)] == [1, 2, 3]
    assert bad["error"] and "images[1]" in bad["error"] and bad["text"] == ""
    for page in (good, inline):
        assert page["error"] is None and page["type"] == "OCR" and page["regions"] == []
        assert found_lines(invoice["lines"], page["text"].split("\n")) >= 0.5


def test_create_answers_at_once_then_wait_and_get_find_it_done(client, invoice_uri):
    created = client.models.predictions.create(model=MODEL, input={"images": [invoice_uri]})
    assert created.status == "starting" and created.output is None
    assert created.model == MODEL and created.version == client.models.get(MODEL).latest_version.id
    assert created.urls["get"].endswith(f"/v1/predictions/{created.id}")
    assert created.urls["cancel"] == created.urls["get"] + "/cancel"
    [shown] = created.input["images"]
    assert str(len(invoice_uri)) in shown and len(shown) < 100  # not repeated in every poll
    created.wait()
    assert created.status == "succeeded" and created.error is None
    fetched = client.predictions.get(created.id)
    assert fetched.output == created.output and json.loads(fetched.output)["total_pages"] == 1
    assert fetched.created_at <= fetched.started_at <= fetched.completed_at
    assert fetched.metrics["predict_time"] > 0


def test_prefer_wait_holds_the_answer_until_done_or_the_time_is_up(server, client, invoice_uri):
    started = time.monotonic()
    created = client.models.predictions.create(
        model=MODEL, input={"images": [invoice_uri] * 4}, wait=1
    )
    waited = time.monotonic() - started
    assert 0.5 < waited < 1.5  # it waited, and not past the time asked
    assert created.status == "starting" and created.output is None  # as Replicate answers it
    assert client.predictions.get(created.id).status == "processing"  # what it really is
    created.wait()
    assert created.status == "succeeded" and json.loads(created.output)["total_pages"] == 4
    with server.client(ALPHA) as http:
        done = http.post(
            "/v1/predictions",
            json={"version": "someone/other:v2", "input": {"images": [invoice_uri]}},
            headers={"Prefer": "wait=30"},
        )
    assert done.status_code == 201 and done.json()["status"] == "succeeded"
    assert (done.json()["model"], done.json()["version"]) == ("someone/other", "v2")
    assert json.loads(done.json()["output"])["total_pages"] == 1


def test_cancel_stops_a_running_prediction_between_pages(client, invoice_uri):
    created = client.models.predictions.create(model=MODEL, input={"images": [invoice_uri] * 8})
    deadline = time.monotonic() + 60
    while created.status == "starting" and time.monotonic() < deadline:
        time.sleep(0.05)
        created.reload()
    assert created.status == "processing"
    created.cancel()
    assert created.status in ("processing", "canceled")
    created.wait()
    assert created.status == "canceled" and created.output is None and created.error is None
    one = client.models.predictions.create(model=MODEL, input={"images": [invoice_uri]}, wait=60)
    assert one.status == "succeeded"  # the OCR thread is free again
    assert created.metrics["predict_time"] < 4 * one.metrics["predict_time"]  # not 8 pages


def test_a_wrong_token_gets_401(server, invoice_uri):
    stranger = _client(server, "not-a-token")
    error = _error(lambda: stranger.run(MODEL, input={"images": [invoice_uri]}))
    assert error.status == 401 and error.title == "Unauthenticated"
    assert _error(lambda: stranger.predictions.get("anything")).status == 401


def test_an_exhausted_quota_gets_429(server, corrupt_image, invoice_uri):
    spender = _client(server, SPENDER)
    broken = "data:image/png;base64," + base64.b64encode(corrupt_image).decode()
    spent = spender.models.predictions.create(
        model=MODEL, input={"images": [broken] * PAGE_LIMIT}, wait=60
    )
    assert spent.status == "succeeded"
    assert all(page["error"] for page in json.loads(spent.output)["pages"])  # charged all the same
    error = _error(lambda: spender.run(MODEL, input={"images": [invoice_uri]}))
    assert error.status == 429 and "daily page limit" in error.detail


def test_refusals_are_problem_details(client):
    invalid = _error(lambda: client.models.predictions.create(model=MODEL, input={"images": []}))
    assert invalid.status == 422 and "images" in invalid.detail
    assert invalid.title == "Input validation failed"
    missing = _error(lambda: client.predictions.get("nosuchprediction"))
    assert missing.status == 404 and "no such prediction" in missing.detail
    assert _error(lambda: client.predictions.cancel("nosuchprediction")).status == 404
    assert _error(lambda: client.models.get("Not/Lowercase")).status == 422  # Replicate's names


def test_files_are_kept_per_token_read_by_url_and_deleted(server, client, jobs_dir, invoice):
    uploaded = client.files.create(SAMPLES / "invoice.png", metadata={"source": "test"})
    assert (uploaded.name, uploaded.content_type) == ("invoice.png", "image/png")
    assert uploaded.size == len(invoice["bytes"]) and uploaded.metadata == {"source": "test"}
    assert uploaded.checksums["sha256"] == hashlib.sha256(invoice["bytes"]).hexdigest()
    assert (jobs_dir / "files" / uploaded.id).read_bytes() == invoice["bytes"]
    assert client.files.get(uploaded.id) == uploaded
    other = _client(server, BETA)
    assert _error(lambda: other.files.get(uploaded.id)).status == 404
    [page] = json.loads(other.run(MODEL, input={"images": [uploaded.urls["get"]]}))["pages"]
    assert "no such file" in page["error"]  # another token's file is not read, nor fetched
    assert client.files.delete(uploaded.id)
    assert not (jobs_dir / "files" / uploaded.id).exists()
    assert _error(lambda: client.files.get(uploaded.id)).status == 404
    assert _error(lambda: client.files.delete(uploaded.id)).status == 404


@pytest.mark.parametrize(
    "prefer, seconds",
    [
        (None, None),
        ("", None),
        ("respond-async", None),
        ("waiting", None),
        ("wait", 60),
        ("wait=5", 5),
        ("respond-async, wait=10", 10),
        ("wait=0", 1),
        ("wait=600", 60),
    ],
)
def test_prefer_wait_is_read_as_replicate_documents_it(prefer, seconds):
    assert face.wait_seconds(prefer) == seconds


@pytest.mark.parametrize(
    "path, owner",
    [
        ("/v1/predictions", face.FACE),
        ("/v1/predictions/abc/cancel", face.FACE),
        ("/v1/files/abc", face.FACE),
        ("/v1/models/owner/name", face.FACE),
        ("/v1/models/owner/name/versions/1", face.FACE),
        ("/v1/models", openai.FACE),
        ("/v1/models/textlens-PP-OCRv5", openai.FACE),
        ("/v1/chat/completions", openai.FACE),
        ("/predictions", florence.FACE),
    ],
)
def test_each_path_errs_in_its_contracts_format(path, owner):
    assert face_for(path) is owner
