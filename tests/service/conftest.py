"""Real servers for the service tests: `textlens serve` in a subprocess on 127.0.0.1.

Each server is the real command with a YAML config, one engine per process, reached with a real
httpx client. Servers are shared per session where their settings allow it, because each one
loads the models (seconds on a shared two-core machine). Their inputs are the repo's own
samples (scripts/make_samples.py), so a user's clone runs every test here.
"""

from __future__ import annotations

import base64
import io
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from PIL import Image

from conftest import SAMPLES, sample_maker

TOKENS = ["alpha-token", "beta-token"]
START_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One `textlens serve` process; restartable on the same port, config and quota file."""

    def __init__(self, folder: Path, config: dict, workers: int | None = None):
        folder.mkdir(parents=True, exist_ok=True)
        self.config_path = folder / "service.yaml"
        self.config_path.write_text(
            yaml.safe_dump({"quota_db": str(folder / "quota.sqlite3"), **config})
        )
        self.log_path = folder / "server.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self) -> Server:
        command = [
            sys.executable,
            "-m",
            "textlens.cli",
            "serve",
            "--port",
            str(self.port),
            "--config",
            str(self.config_path),
        ]
        if self.workers:
            command += ["--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.25)
        self.stop()
        pytest.fail(f"server did not answer /health within {START_TIMEOUT_S} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(
        self, token: str | None = None, scheme: str = "Bearer", timeout: float = 180
    ) -> httpx.Client:
        headers = {"Authorization": f"{scheme} {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def log_has(self, text: str, wait_s: float = 5.0) -> bool:
        """Whether the log shows `text` soon: a request's line is written once its response
        has gone out, so a fast client can read the log a moment before it."""
        deadline = time.monotonic() + wait_s
        while text not in self.log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


@pytest.fixture(scope="session")
def launch(tmp_path_factory) -> Iterator[Callable[..., Server]]:
    """Start servers; all are stopped at the end of the session."""
    started: list[Server] = []

    def start(name: str, workers: int | None = None, **config) -> Server:
        server = Server(tmp_path_factory.mktemp(name), config, workers)
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def main_server(launch) -> Server:
    """Tokens on, a quota the fuzzing cannot use up, PDFs capped at 2 pages to stay fast."""
    return launch("main", tokens=TOKENS, daily_page_limit=100_000, max_num_input_imgs=2)


@pytest.fixture(scope="session")
def edge_server(launch) -> Server:
    """No auth; tight limits to reach 413, 503 and 504; URL inputs with 127.0.0.1 allowed."""
    return launch(
        "edge",
        max_num_input_imgs=None,
        queue_size=1,
        request_timeout_s=8,
        max_request_bytes=1_500_000,
        allow_url_inputs=True,
        url_allowlist=["127.0.0.1"],
    )


def _truth(lines: list[str], size: tuple[int, int]) -> dict:
    return {
        "lines": [{"text": line} for line in lines if line.strip()],
        "width": size[0],
        "height": size[1],
    }


@pytest.fixture(scope="session")
def invoice() -> dict:
    """samples/invoice.png (a real page to read) with its size and its text line by line."""
    path = SAMPLES / "invoice.png"
    lines = (SAMPLES / "invoice.expected.txt").read_text(encoding="utf-8").splitlines()
    with Image.open(path) as image:
        return {**_truth(lines, image.size), "bytes": path.read_bytes()}


@pytest.fixture(scope="session")
def invoice_b64(invoice) -> str:
    return base64.b64encode(invoice["bytes"]).decode("ascii")


# Pages of the multi-page PDF: the order tells whether pages come back in order and the cap
# keeps the first ones.
PDF_PAGES = ("SECOND_PAGE", "INVOICE", "SECOND_PAGE")
PDF_DPI = 150  # the service's default render resolution
# Pixels per inch of the drawn pages in the PDF: 900 x 1100 pixels make 7.5 x 9.17 inches, which
# render at 150 dpi to 1125 x 1375 pixels exactly (at sizes whose points times 150/72 are not
# whole numbers, pdfium rounds up by a pixel).
PDF_PAGE_DPI = 120


@pytest.fixture(scope="session")
def pdf_doc(tmp_path_factory) -> dict:
    """A three-page PDF of image pages drawn as the samples are, with each page's truth at the
    size the service renders it."""
    maker = sample_maker()
    texts = [getattr(maker, name) for name in PDF_PAGES]
    images = [maker.render(lines) for lines in texts]
    path = tmp_path_factory.mktemp("pdf") / "three_pages.pdf"
    images[0].save(path, save_all=True, append_images=images[1:], resolution=PDF_PAGE_DPI)
    rendered = [
        (i.width * PDF_DPI // PDF_PAGE_DPI, i.height * PDF_DPI // PDF_PAGE_DPI) for i in images
    ]
    return {"path": path, "pages": [_truth(t, size) for t, size in zip(texts, rendered)]}


@pytest.fixture(scope="session")
def pdf_path(pdf_doc) -> Path:
    return pdf_doc["path"]


@pytest.fixture(scope="session")
def corrupt_image(invoice) -> bytes:
    """The invoice cut short: a PNG header and half the data."""
    return invoice["bytes"][: len(invoice["bytes"]) // 2]


@pytest.fixture(scope="session")
def blank_pdf() -> Callable[[int], bytes]:
    """PDFs of small blank pages: page caps are tested on them without seconds of OCR a page."""
    import pypdfium2 as pdfium

    def make(pages: int) -> bytes:
        pdf = pdfium.PdfDocument.new()
        for _ in range(pages):
            pdf.new_page(72, 72)
        buffer = io.BytesIO()
        pdf.save(buffer)
        pdf.close()
        return buffer.getvalue()

    return make


@pytest.fixture(scope="session")
def found_lines() -> Callable[[list[dict], list[str]], float]:
    """Share of the ground-truth lines found verbatim in the recognised text (spaces and case
    aside): robust to the engine joining lines of one row, strict about the characters."""

    def norm(text: str) -> str:
        return "".join(text.split()).lower()

    def share(truth: list[dict], texts: list[str]) -> float:
        seen = "\n".join(norm(t) for t in texts)
        wanted = [norm(line["text"]) for line in truth if not line.get("ignore")]
        return sum(w in seen for w in wanted) / len(wanted)

    return share
