"""The job API's cost and memory against `/ocr`, on one `textlens serve`, documents alternating.

    python bench/jobs.py [--pages 200] [--rounds 3]

Builds a PDF of the repo's sample pages (scripts/make_samples.py), starts `textlens serve` on
127.0.0.1 with a job store in a temporary folder, and reads the same document in turn through
`POST /ocr` (page cap lifted, pictures off) and through `/api/v2/ocr/jobs` with PaddleOCR's
client (pictures off), so that both are timed on the same machine state. Prints pages/s of each
and their ratio, and the server's peak RSS while a job of `--pages` pages runs (sampled every
0.5 s from /proc), at its first tenth and at its end: memory that does not grow with the pages
read is what "bounded" means.
"""

from __future__ import annotations

import argparse
import base64
import importlib
import importlib.util
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent


def _paddleocr_client() -> Any:
    """PaddleOCR's job client, loaded without paddleocr/__init__ (requirements-clients.txt)."""
    if "paddleocr" not in sys.modules:
        spec = importlib.util.find_spec("paddleocr")
        if spec is None:
            sys.exit("needs paddleocr: pip install --no-deps -r requirements-clients.txt")
        sys.modules["paddleocr"] = importlib.util.module_from_spec(spec)
    return importlib.import_module("paddleocr._api_client.client")


def _pdf(folder: Path, pages: int) -> Path:
    sys.path.insert(0, str(REPO / "scripts"))
    import make_samples

    texts = (make_samples.INVOICE, make_samples.SECOND_PAGE)
    drawn = [make_samples.render(lines) for lines in texts]
    images = [drawn[i % 2] for i in range(pages)]
    path = folder / f"{pages}_pages.pdf"
    images[0].save(path, save_all=True, append_images=images[1:], resolution=120)
    return path


def _serve(folder: Path) -> tuple[subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = folder / "service.yaml"
    config.write_text(
        f"tokens: [bench]\ndaily_page_limit: 1000000\nquota_db: {folder / 'quota.sqlite3'}\n"
        f"jobs_dir: {folder / 'jobs'}\nmax_num_input_imgs: null\n"
        "max_request_bytes: 500000000\nrequest_timeout_s: 3600\n"
    )
    command = [sys.executable, "-m", "textlens.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*command, "--config", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/health").status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.2)
    sys.exit("textlens serve did not start")


class RssSampler:
    """Peak RSS of a process, per number of pages a job has read."""

    def __init__(self, pid: int):
        self.pid, self.pages, self.peaks = pid, 0, {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss_mb(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
        return 0

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self.peaks[self.pages] = max(self.peaks.get(self.pages, 0), self._rss_mb())

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak_up_to(self, pages: int) -> int:
        return max((mb for seen, mb in self.peaks.items() if seen <= pages), default=0)


def _finish(client: Any, job: Any) -> Any:
    """The job's result, polled every 0.1 s (the client's own back-off starts at 3 s, which
    would time its sleeps rather than the job), then fetched by the client."""
    while client.get_status(job.job_id).state in ("pending", "running"):
        time.sleep(0.1)
    return client.wait_ocr_result(job)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=200, help="pages of the long job")
    parser.add_argument("--rounds", type=int, default=3, help="/ocr and job runs, alternating")
    parser.add_argument("--round-pages", type=int, default=10, help="pages of each timed run")
    args = parser.parse_args()
    client_module = _paddleocr_client()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        short, long = _pdf(folder, args.round_pages), _pdf(folder, args.pages)
        server, url = _serve(folder)
        try:
            client = client_module.PaddleOCRClient(token="bench", base_url=url)
            body = {"file": base64.b64encode(short.read_bytes()).decode(), "visualize": False}
            options = importlib.import_module("paddleocr._api_client.models").OCROptions(
                visualize=False
            )
            spent = {"ocr": 0.0, "job": 0.0}
            with httpx.Client(headers={"Authorization": "Bearer bench"}, timeout=3600) as http:
                http.post(f"{url}/ocr", json=body)  # warm-up
                for _ in range(args.rounds):
                    start = time.perf_counter()
                    assert http.post(f"{url}/ocr", json=body).status_code == 200
                    spent["ocr"] += time.perf_counter() - start
                    start = time.perf_counter()
                    _finish(client, client.submit_ocr(file_path=str(short), options=options))
                    spent["job"] += time.perf_counter() - start
            pages = args.rounds * args.round_pages
            ocr_rate, job_rate = pages / spent["ocr"], pages / spent["job"]
            print(
                f"/ocr {ocr_rate:.2f} pages/s, job {job_rate:.2f} pages/s, "
                f"job/ocr {job_rate / ocr_rate:.3f} ({pages} pages each, alternating)"
            )
            with RssSampler(server.pid) as rss:
                job = client.submit_ocr(file_path=str(long), options=options)
                while (status := client.get_status(job.job_id)).state not in ("done", "failed"):
                    rss.pages = status.progress.extracted_pages if status.progress else 0
                    time.sleep(0.5)
            tenth = max(1, args.pages // 10)
            print(
                f"{args.pages}-page job: {status.state}; server peak RSS "
                f"{rss.peak_up_to(tenth)} MB by page {tenth}, "
                f"{rss.peak_up_to(args.pages)} MB by page {args.pages}"
            )
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
