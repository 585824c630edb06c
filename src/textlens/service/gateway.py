"""With `--workers N` (N > 1): one gateway process holds the port and hands each request on.

uvicorn's own workers share the listening socket, so a worker that dies mid-request (the OOM
killer, a crash in a decoder, a `kill -9`) takes its clients' connections with it: they see a
closed connection, never an answer, and cannot tell a dead server from a slow network. Here the
gateway holds every client connection and each worker listens on its own Unix socket. A worker
that dies becomes a 502 in the error body of the contract that was called, the worker is
started again, and the others serve meanwhile. Bodies stream through in both directions; the
gateway applies the same body limits as the workers, so a too-large body is refused before it
travels further.

A worker is `python -m textlens.service.gateway SOCKET`: the app of app.py under uvicorn, with
the config `textlens serve` resolved (inherited in the environment).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from starlette.types import Message, Receive, Scope, Send

from .settings import ServiceConfig

_log = logging.getLogger("textlens")

# hop-by-hop headers (RFC 9110 7.6.1) belong to one connection, never forwarded
_HOP = {
    b"connection",
    b"keep-alive",
    b"proxy-authenticate",
    b"proxy-authorization",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
}
_WATCH_S = 0.25  # how often the supervisor looks at the workers
_START_TIMEOUT_S = 600.0  # model loading, Florence-2's included, on a slow disk
_RESTART_DELAY_S = 1.0  # between a worker's death and its new start: no busy crash loop


class Worker:
    """One worker process, its socket and the client that talks to it."""

    def __init__(self, index: int, read_timeout_s: float):
        self.index = index
        self.read_timeout_s = read_timeout_s
        self.generation = 0
        self.process: subprocess.Popen | None = None
        self.client: httpx.AsyncClient | None = None
        self.ready = False
        self.in_flight = 0

    def start(self, folder: Path) -> None:
        self.generation += 1
        socket = folder / f"worker-{self.index}.{self.generation}.sock"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "textlens.service.gateway", str(socket)]
        )
        self.client = httpx.AsyncClient(
            transport=httpx.AsyncHTTPTransport(uds=str(socket)),
            base_url="http://worker",
            timeout=httpx.Timeout(5.0, read=self.read_timeout_s, write=None, pool=None),
        )
        self.ready = False

    def exited(self) -> int | None:
        """The exit code (negative: the signal) once the process has ended, else None."""
        return None if self.process is None else self.process.poll()

    async def check(self) -> None:
        """Ready once its /health answers: the engine is loaded before the socket opens."""
        assert self.client is not None
        try:
            self.ready = (await self.client.get("/health", timeout=2.0)).status_code == 200
        except httpx.TransportError:
            self.ready = False

    async def stop(self, wait_s: float) -> None:
        """SIGTERM (uvicorn drains what it holds), then SIGKILL after wait_s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            deadline = time.monotonic() + wait_s
            while self.process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        await self.close_client()

    async def close_client(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None


def _ended(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with code {code}"


class Gateway:
    """The ASGI app of the gateway: lifespan starts and supervises the workers, every HTTP
    request goes to the ready worker holding the fewest."""

    def __init__(self, config: ServiceConfig):
        self.config = config
        self.folder: Path | None = None  # the workers' sockets, made at start-up
        read_timeout = config.request_timeout_s + 30.0  # the worker answers 504 before this
        self.workers = [Worker(i, read_timeout) for i in range(config.workers)]
        self._supervisor: asyncio.Task | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._forward(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                failure = await self._start()
                if failure:
                    await send({"type": "lifespan.startup.failed", "message": failure})
                    return
                self._supervisor = asyncio.create_task(self._supervise())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self) -> str | None:
        """Start every worker and wait until all are ready; a reason when one cannot start."""
        self.folder = Path(tempfile.mkdtemp(prefix="textlens-workers-"))
        for worker in self.workers:
            worker.start(self.folder)
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not all(w.ready for w in self.workers):
            for worker in self.workers:
                code = worker.exited()
                if code is not None:
                    await self._stop()
                    return f"worker {worker.index} {_ended(code)} before it was ready"
                if not worker.ready:
                    await worker.check()
            if time.monotonic() > deadline:
                await self._stop()
                return f"the workers were not ready within {_START_TIMEOUT_S:g} s"
            await asyncio.sleep(_WATCH_S)
        return None

    async def _supervise(self) -> None:
        """Replace a worker that has died; mark a new one ready once it answers."""
        while True:
            await asyncio.sleep(_WATCH_S)
            for worker in self.workers:
                code = worker.exited()
                if code is not None:
                    worker.ready = False
                    _log.warning("worker %d %s; starting it again", worker.index, _ended(code))
                    await worker.close_client()
                    await asyncio.sleep(_RESTART_DELAY_S)
                    assert self.folder is not None
                    worker.start(self.folder)
                elif not worker.ready:
                    await worker.check()

    async def _stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            await asyncio.gather(self._supervisor, return_exceptions=True)
        wait_s = self.config.request_timeout_s
        await asyncio.gather(*(w.stop(wait_s) for w in self.workers))
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _pick(self) -> Worker | None:
        ready = [w for w in self.workers if w.ready and w.client is not None]
        return min(ready, key=lambda w: w.in_flight) if ready else None

    async def _forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        worker = self._pick()
        if worker is None:
            await _fail(scope, receive, send, 503, "no worker is ready yet; retry shortly", True)
            return
        assert worker.client is not None
        client, generation = worker.client, worker.generation
        path = scope.get("raw_path") or scope["path"].encode()
        url = path.decode("latin-1") + (
            "?" + scope["query_string"].decode("latin-1") if scope["query_string"] else ""
        )
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in _HOP]
        if scope.get("client"):
            headers.append((b"x-forwarded-for", scope["client"][0].encode()))
        request = client.build_request(
            scope["method"], url, headers=headers, content=_body(receive)
        )
        worker.in_flight += 1
        try:
            try:
                response = await client.send(request, stream=True)
            except _ClientGone:
                return
            except httpx.TransportError:
                await _fail(scope, receive, send, 502, await self._why(worker, generation))
                return
            try:
                await send(
                    {
                        "type": "http.response.start",
                        "status": response.status_code,
                        "headers": [
                            (k, v) for k, v in response.headers.raw if k.lower() not in _HOP
                        ],
                    }
                )
                async for chunk in response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                await send({"type": "http.response.body", "body": b""})
            except httpx.TransportError:
                # the headers are gone out: all that is left is to cut the response short
                _log.warning("worker %d stopped while sending a response", worker.index)
            finally:
                await response.aclose()
        finally:
            worker.in_flight -= 1

    async def _why(self, worker: Worker, generation: int) -> str:
        """The 502's message: what became of the worker that held the request."""
        for _ in range(20):  # the connection drops a moment before the process is reaped
            code = worker.exited() if worker.generation == generation else -signal.SIGKILL
            if code is not None:
                return (
                    f"the worker process reading this request {_ended(code)} before it "
                    "answered; it is being restarted: retry the request"
                )
            await asyncio.sleep(0.05)
        return "the worker process closed the connection before it answered; retry the request"


class _ClientGone(Exception):
    """The client went away while its body was being forwarded."""


async def _body(receive: Receive) -> Any:
    """The request body as it arrives, streamed on to the worker."""
    while True:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        yield message.get("body", b"")
        if not message.get("more_body", False):
            return


async def _fail(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, retry: bool = False
) -> None:
    """Answer in the error body of the contract whose path was called."""
    from .app import error_response

    headers = {"Retry-After": "2"} if retry else None
    log_id = scope.get("state", {}).get("log_id") or str(uuid.uuid4())
    response = error_response(scope["path"], log_id, status, message, headers)
    await response(scope, receive, send)


def app(config: ServiceConfig) -> Any:
    """The gateway, behind the same body limits as a worker's app."""
    from .app import error_response
    from .jobs.api import JOBS_PATH
    from .middleware import RequestGuard
    from .replicate import FILES_PATH

    return RequestGuard(
        Gateway(config),
        max_bytes=config.max_request_bytes,
        respond=error_response,
        streamed={JOBS_PATH: config.max_job_bytes, FILES_PATH: config.max_job_bytes},
        log_requests=False,  # the worker that answers logs the request
    )


def _worker(socket: str) -> None:
    """A worker process: the service app on its own Unix socket."""
    import math

    import uvicorn

    from .command import log_config
    from .settings import config_from_env

    config = config_from_env()
    uvicorn.run(
        "textlens.service.app:app_from_env",
        factory=True,
        uds=socket,
        access_log=False,
        log_config=log_config(),
        timeout_graceful_shutdown=math.ceil(config.request_timeout_s),
    )


if __name__ == "__main__":
    _worker(sys.argv[1])
