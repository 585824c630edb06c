"""Load and soak: concurrent clients on /ocr, /predictions, /v1/chat/completions and jobs.

    python bench/load.py [--requests 1000] [--clients 4] [--workers 2] [--max-seconds 1800]
                         [--json figures.json]

Starts `textlens serve` (a second process, on 127.0.0.1, tokens and a quota on, its stores in a
temporary folder), then runs `--clients` threads, each with its own httpx client, that take the
next request from one shared count until `--requests` are sent or `--max-seconds` have passed.
The four kinds of request go in turn; a job counts from its submit until its poll says done.
Each request is one small real page (scripts/make_samples.py draws it).

Prints markdown: latency p50 / p95 / p99 per endpoint, pages/s, answers by status (503 and 429
are the only errors by design: a full queue, a spent quota), and the RSS of every server
process after the first 100 requests and at checkpoints to the end, with the growth between.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import io
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

import procs

REPO = Path(__file__).resolve().parents[1]
TOKEN = "load-token"
KINDS = ("/ocr", "/predictions", "/v1/chat/completions", "jobs")
PLANNED = {503, 429}  # refusals by design: the queue is full, the quota is spent
CHECKPOINTS = (100, 250, 500, 1000, 2000, 5000)


def _page() -> bytes:
    spec = importlib.util.spec_from_file_location("make_samples", REPO / "scripts/make_samples.py")
    assert spec and spec.loader
    maker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(maker)
    image = maker.render(["INVOICE No. 2024-0117", "TOTAL DUE 1,234.50"], size=(640, 240))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def serve(folder: Path, workers: int) -> tuple[subprocess.Popen, str]:
    """`textlens serve` with its stores under `folder`, once it answers /health."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = folder / "service.yaml"
    config.write_text(
        json.dumps(
            {
                "tokens": [TOKEN],
                "daily_page_limit": 1_000_000,
                "quota_db": str(folder / "quota.sqlite3"),
                "jobs_dir": str(folder / "jobs"),
                "workers": workers,
            }
        )
    )
    command = [sys.executable, "-m", "textlens.cli", "serve", "--port", str(port)]
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen([*command, "--config", str(config)], stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"textlens serve did not start; see {folder / 'server.log'}")


class Requests:
    """One request of each kind, as a client sends it; each returns the final status."""

    def __init__(self, client: httpx.Client, page: bytes):
        self.client = client
        self.page = page
        self.b64 = base64.b64encode(page).decode()

    def send(self, kind: str) -> int:
        if kind == "/ocr":
            body: dict[str, Any] = {"file": self.b64, "fileType": 1, "visualize": False}
            return self.client.post("/ocr", json=body).status_code
        if kind == "/predictions":
            body = {"input": {"images": [self.b64], "task": "OCR"}}
            return self.client.post("/predictions", json=body).status_code
        if kind == "/v1/chat/completions":
            uri = f"data:image/png;base64,{self.b64}"
            content = [
                {"type": "text", "text": "<OCR>"},
                {"type": "image_url", "image_url": {"url": uri}},
            ]
            body = {"model": "textlens", "messages": [{"role": "user", "content": content}]}
            return self.client.post("/v1/chat/completions", json=body).status_code
        return self._job()

    def _job(self) -> int:
        submitted = self.client.post(
            "/api/v2/ocr/jobs",
            files={"file": ("page.png", self.page)},
            data={"optionalPayload": '{"visualize": false}'},
        )
        if submitted.status_code != 200:
            return submitted.status_code
        job = submitted.json()["data"]["jobId"]
        while True:
            polled = self.client.get(f"/api/v2/ocr/jobs/{job}")
            state = polled.json()["data"]["state"] if polled.status_code == 200 else None
            if state == "done":
                return 200
            if state != "running" and state != "pending":
                return polled.status_code if polled.status_code != 200 else 500
            time.sleep(0.2)


@dataclass
class Run:
    """What the clients and the sampler record."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    statuses: dict[str, Counter] = field(default_factory=lambda: {k: Counter() for k in KINDS})
    failures: list[str] = field(default_factory=list)  # transport errors
    done: int = 0
    seconds: float = 0.0
    rss: dict[int, dict[str, float]] = field(default_factory=dict)  # checkpoint -> process -> MiB
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client_loop(url: str, page: bytes, tickets: Any, stop: float, run: Run) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with httpx.Client(base_url=url, headers=headers, timeout=300) as client:
        requests = Requests(client, page)
        for n in tickets:
            if time.monotonic() > stop:
                return
            kind = KINDS[n % len(KINDS)]
            started = time.monotonic()
            try:
                status = requests.send(kind)
            except httpx.HTTPError as exc:
                with run.lock:
                    run.failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                    run.done += 1
                continue
            with run.lock:
                run.latencies[kind].append(time.monotonic() - started)
                run.statuses[kind][status] += 1
                run.done += 1


def _sample(server: subprocess.Popen, run: Run, total: int, finished: threading.Event) -> None:
    """RSS of every server process as the count passes each checkpoint, and at the end."""
    marks = [c for c in CHECKPOINTS if c < total] + [total]
    while marks and not finished.wait(0.2):
        if run.done >= marks[0]:
            run.rss[marks.pop(0)] = _rss(server.pid)
    if marks:
        run.rss[run.done] = _rss(server.pid)


def _rss(pid: int) -> dict[str, float]:
    """MiB of the server process and of each of its workers (itself, when it runs alone)."""
    return {
        "server" if p == pid else f"worker {p}": procs.rss_mb(p)
        for p in dict.fromkeys([pid, *procs.workers(pid)])
    }


def load(url: str, server: subprocess.Popen, requests: int, clients: int, seconds: float) -> Run:
    run, page = Run(), _page()
    shared = _Locked(iter(range(requests)))
    stop = time.monotonic() + seconds
    finished = threading.Event()
    sampler = threading.Thread(target=_sample, args=(server, run, requests, finished))
    sampler.start()
    threads = [
        threading.Thread(target=_client_loop, args=(url, page, shared, stop, run))
        for _ in range(clients)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.monotonic() - started
    finished.set()
    sampler.join()
    return run


class _Locked:
    """An iterator several threads can share."""

    def __init__(self, items: Any):
        self.items, self.lock = items, threading.Lock()

    def __iter__(self) -> _Locked:
        return self

    def __next__(self) -> int:
        with self.lock:
            return next(self.items)


def figures(run: Run) -> dict[str, Any]:
    """The run as numbers: the JSON --json writes and the tables are printed from."""
    endpoints = {}
    for kind in KINDS:
        times = sorted(run.latencies[kind])
        cuts = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else []
        endpoints[kind] = {
            "requests": len(times),
            "p50_s": cuts[49] if cuts else None,
            "p95_s": cuts[94] if cuts else None,
            "p99_s": cuts[98] if cuts else None,
            "statuses": dict(run.statuses[kind]),
        }
    ok = sum(c for s in run.statuses.values() for status, c in s.items() if status < 300)
    refused = [(status, c) for s in run.statuses.values() for status, c in s.items()]
    unplanned = sum(c for status, c in refused if status >= 300 and status not in PLANNED)
    unplanned += len(run.failures)
    marks = sorted(run.rss)
    first, last = (marks[0], marks[-1]) if marks else (0, 0)
    total = {m: sum(run.rss[m].values()) for m in marks}
    return {
        "requests": run.done,
        "seconds": run.seconds,
        "pages_per_second": ok / run.seconds,
        "unplanned_errors": unplanned,
        "transport_errors": run.failures[:20],
        "endpoints": endpoints,
        "rss_mb": {str(m): {p: round(v, 1) for p, v in run.rss[m].items()} for m in marks},
        "rss_growth": (total[last] - total[first]) / total[first] if marks else None,
        "rss_from_to": [first, last],
    }


def markdown(numbers: dict[str, Any]) -> str:
    def ms(value: float | None) -> str:
        return "-" if value is None else f"{value * 1000:.0f}"

    lines = [
        "| endpoint | requests | p50 ms | p95 ms | p99 ms | answers by status |",
        "|---|---|---|---|---|---|",
    ]
    for kind, e in numbers["endpoints"].items():
        answers = ", ".join(f"{s}: {c}" for s, c in sorted(e["statuses"].items()))
        lines.append(
            f"| `{kind}` | {e['requests']} | {ms(e['p50_s'])} | {ms(e['p95_s'])} "
            f"| {ms(e['p99_s'])} | {answers} |"
        )
    lines += [
        "",
        f"{numbers['requests']} requests in {numbers['seconds']:.0f} s: "
        f"{numbers['pages_per_second']:.2f} pages/s; unplanned errors: "
        f"{numbers['unplanned_errors']}",
        "",
        "| RSS MiB after request | " + " | ".join(_pids(numbers)) + " | total |",
        "|---|" + "---|" * (len(_pids(numbers)) + 1),
    ]
    for mark, by_pid in numbers["rss_mb"].items():
        row = [f"{by_pid.get(p, 0):.0f}" for p in _pids(numbers)]
        lines.append(f"| {mark} | " + " | ".join(row) + f" | {sum(by_pid.values()):.0f} |")
    if numbers["rss_growth"] is not None:
        first, last = numbers["rss_from_to"]
        lines.append(
            f"\nRSS after request {last} is {numbers['rss_growth']:+.1%} of RSS after request "
            f"{first}."
        )
    return "\n".join(lines)


def _pids(numbers: dict[str, Any]) -> list[str]:
    return sorted({p for by_pid in numbers["rss_mb"].values() for p in by_pid})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--max-seconds", type=float, default=1800)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="textlens-load-") as tmp:
        server, url = serve(Path(tmp), args.workers)
        try:
            run = load(url, server, args.requests, args.clients, args.max_seconds)
        finally:
            server.terminate()
            server.wait(timeout=60)
    numbers = figures(run)
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2))
    print(markdown(numbers))
    sys.exit(1 if numbers["unplanned_errors"] else 0)


if __name__ == "__main__":
    main()
