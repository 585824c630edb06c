"""Errors the service answers with, and how each contract words them.

A PaddleX client reads `{logId, errorCode, errorMsg}`, an OpenAI client `{error: {...}}`, a
Replicate/Cog client `{detail}`. Endpoints raise one ServiceError; the app picks the body by the
path's face, so no endpoint formats errors itself and none leaks a stack trace.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


class ServiceError(Exception):
    """A request the service refuses, with the HTTP status and a message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class Detail(BaseModel):
    """Error body of the endpoints that follow FastAPI/Cog: `{"detail": message}`."""

    detail: str


@dataclass(frozen=True)
class Face:
    """One contract's way of failing: its paths, its status for bad input, its error body."""

    prefix: str
    bad_input_status: int
    body: Callable[[str, int, str], dict[str, Any]]  # (logId, status, message) -> JSON


DEFAULT_FACE = Face("/", 422, lambda log_id, status, message: {"detail": message})


def describe_validation(errors: Iterable[dict[str, Any]]) -> str:
    """Pydantic's error list as one readable line: `body.file: Field required; ...`.

    Only locations and messages: the rejected values may be whole images.
    """
    return "; ".join(_describe(e) for e in errors)


def _describe(error: dict[str, Any]) -> str:
    loc = list(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return f"the body is not valid JSON ({reason} at character {loc[-1]})"
    return f"{'.'.join(map(str, loc)) or 'value'}: {error.get('msg', '')}"


def documented(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an endpoint can answer with."""
    return {status: {"model": model, "description": _REASONS.get(status, "Error")}
            for status in statuses}


_REASONS = {400: "Bad request", 403: "Missing or invalid token", 413: "Request body too large",
            422: "Invalid request", 429: "Daily page quota reached",
            500: "Parameter error (/ocr) or internal error", 503: "Server busy",
            504: "Request timed out"}
