"""Concurrency: one OCR object shared by threads gives what it gives serially, and a server with
several workers under concurrent clients answers each request with its own page's text."""

from __future__ import annotations

import base64
import io
import json
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import REPO, SAMPLES, sample_maker

sys.path.insert(0, str(REPO / "bench"))
import procs

INPUTS = [SAMPLES / "invoice.png", SAMPLES / "exif_rotated.jpg", SAMPLES / "sideways.png"]


def _json(results) -> list[str]:
    return [json.dumps(r.json, sort_keys=True) for r in results]


@pytest.mark.slow
def test_one_engine_shared_by_threads_returns_what_it_returns_serially(ocr):
    serial = {path: _json(ocr.predict(path)) for path in INPUTS}
    orders = [INPUTS[i:] + INPUTS[:i] for i in range(len(INPUTS))]  # each thread starts elsewhere

    def run(order):
        return [(path, _json(ocr.predict(path))) for path in order]

    with ThreadPoolExecutor(len(orders)) as pool:
        threaded = [item for items in pool.map(run, orders) for item in items]
    assert len(threaded) == len(INPUTS) ** 2
    for path, results in threaded:
        assert results == serial[path], path


def _page(code: str) -> str:
    image = sample_maker().render([f"ORDER {code}", f"REF {code}"], size=(520, 220))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.slow
def test_concurrent_clients_of_several_workers_each_get_their_own_result(launch):
    server = launch("concurrent", workers=2)
    codes = [f"{4700 + n * 37}" for n in range(12)]
    pages = {code: _page(code) for code in codes}

    def ask(code: str) -> tuple[str, int, str]:
        with server.client(timeout=120) as client:
            response = client.post("/ocr", json={"file": pages[code], "visualize": False})
        texts = response.json()["result"]["ocrResults"][0]["prunedResult"]["rec_texts"]
        return code, response.status_code, " ".join(texts)

    ask(codes[0])  # both workers are up once one has answered and the other has loaded
    workers = procs.workers(server.process.pid)
    before = {pid: procs.cpu_ticks(pid) for pid in workers}
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(ask, codes))
    for code, status, text in answers:
        assert status == 200 and f"ORDER {code}" in text, (code, text)
        assert not any(other in text for other in codes if other != code), (code, text)
    assert len(workers) == 2
    spent = {pid: procs.cpu_ticks(pid) - before[pid] for pid in workers}
    assert all(t > 10 for t in spent.values()), spent  # both read pages (idle: about 1)
