"""URL inputs: only public addresses unless allowlisted, every hop checked, size and time limits.

A real HTTP server on 127.0.0.1 plays the remote host; "localhost" names the same machine but is
not allowlisted, which is exactly the case of a public-looking name that resolves inward.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from textlens.errors import InputError
from textlens.service.fetch import Fetcher, is_url

FILES: dict[str, bytes] = {"/small.bin": b"x" * 1000, "/big.bin": b"x" * 50_000}


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        port = self.server.server_address[1]
        if self.path == "/host":
            self._send(200, self.headers["Host"].encode())
        elif self.path == "/to-localhost":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{port}/small.bin")
            self.end_headers()
        elif self.path == "/to-small":
            self.send_response(302)
            self.send_header("Location", "/small.bin")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self._send(200, b"late")
        elif self.path in FILES:
            self._send(200, FILES[self.path])
        else:
            self._send(404, b"no")

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def remote() -> Iterator[str]:
    """Base URL of a real HTTP server on 127.0.0.1 serving FILES (and the routes above)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _fetch(url: str, allow=("127.0.0.1",), max_bytes=10_000, timeout=5.0) -> bytes:
    return asyncio.run(Fetcher(allow, max_bytes, timeout).fetch(url))


def test_allowlisted_host_is_fetched_with_its_own_host_header(remote):
    assert _fetch(f"{remote}/small.bin") == FILES["/small.bin"]
    assert _fetch(f"{remote}/host") == remote.removeprefix("http://").encode()
    assert _fetch(f"{remote}/to-small") == FILES["/small.bin"]  # a redirect within the host


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:{port}/small.bin",  # a name that resolves to loopback
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://172.16.5.4/x",  # private
        "http://169.254.169.254/latest/meta-data/",  # link-local (cloud metadata)
        "http://[::1]/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://0.0.0.0/x",
        "http://100.64.0.1/x",  # carrier-grade NAT: not public either
    ],
)
def test_inward_addresses_are_refused(remote, url):
    port = remote.rsplit(":", 1)[1]
    with pytest.raises(InputError, match="not a public address"):
        _fetch(url.format(port=port))


def test_a_redirect_inward_is_refused(remote):
    with pytest.raises(InputError, match=r"localhost resolves to .*not a public address"):
        _fetch(f"{remote}/to-localhost")


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://127.0.0.1/x", "only http and https"),
        ("http://user:pw@127.0.0.1/x", "credentials"),
        ("http://no-such-host.invalid/x", "cannot resolve"),
    ],
)
def test_other_urls_fail_clearly(url, reason):
    with pytest.raises(InputError, match=reason):
        _fetch(url)


def test_limits(remote):
    with pytest.raises(InputError, match="more than the 10000 allowed"):
        _fetch(f"{remote}/big.bin")
    with pytest.raises(InputError, match="no complete answer within 1 s"):
        _fetch(f"{remote}/slow", timeout=1.0)
    with pytest.raises(InputError, match="HTTP 404"):
        _fetch(f"{remote}/missing")


def test_is_url():
    assert is_url("https://x/y.png") and is_url("HTTP://x")
    assert not is_url("aGVsbG8=") and not is_url("data:image/png;base64,AAAA")


def test_the_service_fetches_only_what_it_may(edge_server, remote, invoice, found_lines):
    FILES["/invoice.png"] = FILES["/scan.pdf"] = invoice["bytes"]
    port = remote.rsplit(":", 1)[1]
    with edge_server.client() as client:
        ok = client.post("/ocr", json={"file": f"{remote}/invoice.png", "visualize": False})
        assert ok.status_code == 200, ok.text
        texts = ok.json()["result"]["ocrResults"][0]["prunedResult"]["rec_texts"]
        assert found_lines(invoice["lines"], texts) >= 0.5

        inward = client.post("/ocr", json={"file": f"http://localhost:{port}/invoice.png"})
        assert inward.status_code == 500 and "not a public address" in inward.json()["errorMsg"]

        # No fileType: the URL's suffix says PDF, the bytes say JPEG.
        mismatch = client.post("/ocr", json={"file": f"{remote}/scan.pdf"})
        assert mismatch.status_code == 500
        assert "fileType is 0 (PDF) but the file is not a PDF" in mismatch.json()["errorMsg"]

        page = client.post(
            "/predictions", json={"input": {"images": [f"http://localhost:{port}/invoice.png"]}}
        )
        assert page.status_code == 200
        assert "not a public address" in page.json()["output"]
