"""The faces on the tiny model: `textlens ocr --engine florence2`, and `textlens serve --engine
florence2` reached by the real openai and replicate clients, PP-OCR still answering /ocr."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import openai
import pytest
import replicate

from conftest import SAMPLES
from service.conftest import Server
from test_extras import base_install


def _textlens(*args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textlens.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**__import__("os").environ, **env},
    )


def test_cli_answers_a_task_as_json_and_ocr_as_documents(tiny_dir, tmp_path):
    run = _textlens(
        "ocr", "-i", SAMPLES / "invoice.png", "--engine", "florence2", "--task", "<OD>",
        "--max_new_tokens", 8, TEXTLENS_FLORENCE_DIR=str(tiny_dir),
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    [line] = run.stdout.splitlines()
    assert json.loads(line)["task"] == "<OD>"
    run = _textlens(
        "ocr", "-i", SAMPLES / "invoice.png", "--engine", "florence2",
        "--florence-model-dir", tiny_dir, "--task", "OCR_WITH_REGION", "--max_new_tokens", 8,
        "--save_path", tmp_path, "--format", "json,txt,hocr",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    names = {p.name for p in tmp_path.iterdir()}
    assert {"invoice_res.json", "invoice.txt", "invoice.hocr"} <= names
    assert "rec_texts" in json.loads((tmp_path / "invoice_res.json").read_text())["res"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--engine", "florence2"], "needs its weights"),
        (["--engine", "florence2", "--florence-model-dir", "/nonexistent"], "no such folder"),
        (["--task", "<OD>"], "for --engine florence2 only"),
        (["--engine", "florence2", "--text_det_thresh", "0.3"], "PP-OCR parameter"),
    ],
)
def test_cli_mistakes_are_one_line(args, words):
    run = _textlens("ocr", "-i", SAMPLES / "invoice.png", *args, TEXTLENS_FLORENCE_DIR="")
    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert line.startswith("error:") and words in line


def test_without_the_extra_the_engine_names_its_install(tiny_dir):
    run = base_install(
        "ocr", "-i", SAMPLES / "invoice.png", "--engine", "florence2",
        "--florence-model-dir", tiny_dir, absent="torch,transformers",
    )  # fmt: skip
    assert run.returncode == 2
    [line] = run.stderr.splitlines()
    assert "pip install '.[florence]'" in line


@pytest.fixture(scope="module")
def server(tiny_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("florence-server")
    server = Server(
        folder,
        {
            "tokens": ["f-token"],
            "jobs_dir": str(folder / "jobs"),
            "florence2": {"florence_model_dir": str(tiny_dir), "max_new_tokens": 8},
        },
    )
    yield server.start()
    server.stop()


@pytest.mark.slow
def test_predictions_answer_every_task_and_ocr_stays_ppocr(server):
    image = base64.b64encode((SAMPLES / "invoice.png").read_bytes()).decode()
    with server.client("f-token") as http:
        for task, text_input in [("OD", None), ("REGION_TO_SEGMENTATION", "1,2,300,400")]:
            body = {"images": [image, "bm90IGFuIGltYWdl"], "task": task, "include_image": True}
            if text_input:
                body["text_input"] = text_input
            response = http.post("/predictions", json={"input": body})
            assert response.status_code == 200, response.text
            good, bad = json.loads(response.json()["output"])["results"]
            assert good["type"] == task and good["error"] is None and good["image_base64"]
            assert bad["error"] and "images[1]" in bad["error"]
        refused = http.post("/predictions", json={"input": {"images": [image], "task": "OD",
                                                             "text_input": "x"}})  # fmt: skip
        assert refused.status_code == 422 and "takes no text input" in refused.text
        ocr = http.post("/ocr", json={"file": image, "fileType": 1, "visualize": False})
        texts = ocr.json()["result"]["ocrResults"][0]["prunedResult"]["rec_texts"]
        assert any("INVOICE" in t for t in texts)  # the real PP-OCR engine, not the random one


@pytest.mark.slow
def test_openai_client_lists_both_engines_and_asks_any_prompt(server):
    client = openai.OpenAI(api_key="f-token", base_url=f"{server.url}/v1")
    ids = [m.id for m in client.models.list().data]
    assert ids == ["textlens-Florence-2-tiny", "textlens-PP-OCRv6"]
    image = base64.b64encode((SAMPLES / "invoice.png").read_bytes()).decode()

    def ask(model: str, prompt: str):
        return client.chat.completions.create(
            model=model,
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": prompt},
                        {
                            "type": "image_url",
                            "image_url": {"url": f"data:image/png;base64,{image}"},
                        },
                    ],
                }
            ],
        )

    answer = ask("anything", "<CAPTION_TO_PHRASE_GROUNDING>a green car")
    assert answer.model == "textlens-Florence-2-tiny"
    assert isinstance(json.loads(answer.choices[0].message.content or "[]"), list)
    ppocr = ask("textlens-PP-OCRv6", "<OCR>")
    assert ppocr.model == "textlens-PP-OCRv6" and "INVOICE" in (ppocr.choices[0].message.content)
    with pytest.raises(openai.BadRequestError, match="needs a phrase"):
        ask("anything", "<CAPTION_TO_PHRASE_GROUNDING>")


@pytest.mark.slow
def test_replicate_client_runs_a_florence_task(server):
    client = replicate.Client(api_token="f-token", base_url=server.url)
    client.poll_interval = 0.1
    with (SAMPLES / "invoice.png").open("rb") as image:
        output = client.run("textlens/florence-2", input={"images": [image], "task": "OD"})
    [page] = json.loads(output)["results"]
    assert page["type"] == "OD" and page["error"] is None
