"""A server for the hostile inputs, and a web server on 127.0.0.1 that plays a hostile host.

The service is the real `textlens serve` of tests/service (the same Server class and launcher),
with URL inputs on and 127.0.0.1 allowlisted: the redirects start from an allowed host, so that
only the hop they lead to can be refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from service.conftest import Server, launch  # noqa: F401  (launch: the session's servers)

TOKEN = "hostile-token"
PAGE_LIMIT = 1000  # a day's pages: the 3000-page document cannot fit

# Where the hostile host sends its redirects: inward addresses a request must never reach.
REDIRECTS = {
    "/to-metadata": "http://169.254.169.254/latest/meta-data/",
    "/to-private": "http://10.0.0.1/page.png",
    "/to-loopback": "http://localhost:{port}/page.png",
}


class _Redirector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        target = REDIRECTS.get(self.path, "http://192.168.0.1/")
        self.send_response(302)
        self.send_header("Location", target.format(port=self.server.server_address[1]))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="session")
def redirector() -> Iterator[str]:
    """Base URL of a host (allowlisted, 127.0.0.1) whose every answer redirects inward."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Redirector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="session")
def hostile_server(launch, tmp_path_factory) -> Server:  # noqa: F811
    """Tokens and a daily quota, PDFs read to 2 pages, URL inputs on, small job uploads."""
    return launch(
        "hostile",
        tokens=[TOKEN],
        daily_page_limit=PAGE_LIMIT,
        max_num_input_imgs=2,
        allow_url_inputs=True,
        url_allowlist=["127.0.0.1"],
        max_job_bytes=20_000_000,
        jobs_dir=str(tmp_path_factory.mktemp("hostile-jobs")),
    )
