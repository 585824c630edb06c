"""The outermost layer of every request: its logId, its size limit, its log line, its last resort.

Plain ASGI rather than Starlette's BaseHTTPMiddleware so that the body is counted as it arrives
(a client that sends no Content-Length cannot slip past the limit) and so that an unexpected
exception still becomes a JSON error in the endpoint's own format, never a stack trace.
Most bodies are read whole before the endpoint runs; the uploads of documents of any size
(`streamed` paths) pass through as they arrive, counted against their own, larger limit, so that
a gigabyte PDF is spooled to disk by the endpoint and never held in memory.
The log line names the request, its pages, its time and its status, and nothing it carried.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("textlens.service")

# (path, logId, status, message) -> the response a client of that path understands
ErrorResponder = Callable[[str, str, int, str], Response]


class _ClientGone(Exception):
    pass


class BodyTooLarge(HTTPException):
    """Raised from a streamed body's receive() once it passes its limit: an HTTPException, so
    that FastAPI and the app's handlers answer it as the 413 it is, in the path's format."""

    def __init__(self, limit: int, setting: str):
        super().__init__(413, f"request body larger than {limit} bytes ({setting})")


class RequestGuard:
    """logId, 413 past max_bytes, one log line per request, 500 for anything unexpected."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int,
        respond: ErrorResponder,
        streamed: Mapping[str, int] | None = None,
        log_requests: bool = True,
    ):
        self.app = app
        self.log_requests = log_requests
        self.max_bytes = max_bytes
        self.respond = respond
        self.streamed = dict(streamed or {})  # POST path -> its limit (max_job_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        log_id = str(uuid.uuid4())
        state.update(log_id=log_id, started=time.monotonic())
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        async def fail(code: int, message: str) -> None:
            await self.respond(scope["path"], log_id, code, message)(scope, receive, watch)

        try:
            limit = self.streamed.get(scope["path"]) if scope["method"] == "POST" else None
            if limit is not None:
                if _declared(scope) > limit:
                    raise BodyTooLarge(limit, "max_job_bytes")
                await self.app(scope, _counted(receive, limit), watch)
                return
            body = await self._body(scope, receive)
            if body is None:
                await fail(
                    413, f"request body larger than {self.max_bytes} bytes (max_request_bytes)"
                )
            else:
                await self.app(scope, _replay(body, receive), watch)
        except _ClientGone:
            status = status or 499
        except BodyTooLarge as exc:
            if status == 0:
                await fail(413, str(exc.detail))
        except Exception:
            logger.exception("logId=%s unexpected error", log_id)
            if status == 0:
                await fail(500, f"internal server error (logId {log_id})")
        finally:
            if self.log_requests:
                self._log(scope, log_id, status)

    @staticmethod
    def _log(scope: Scope, log_id: str, status: int) -> None:
        state = scope["state"]
        logger.info(
            "logId=%s %s %s status=%d pages=%d ms=%d",
            log_id,
            scope["method"],
            scope["path"],
            status,
            state.get("pages", 0),
            (time.monotonic() - state["started"]) * 1000,
        )

    async def _body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it is known to be too large."""
        if _declared(scope) > self.max_bytes:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _ClientGone
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def _declared(scope: Scope) -> int:
    """The Content-Length the client declared, 0 when it declared none."""
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit():
            return int(value)
    return 0


def _counted(receive: Receive, limit: int) -> Callable[[], Awaitable[Message]]:
    """A receive() that passes the body through and raises BodyTooLarge past `limit`."""
    size = 0

    async def counted() -> Message:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise BodyTooLarge(limit, "max_job_bytes")
        return message

    return counted


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A receive() that hands the app the body already read, then the real stream."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed
