"""Errors the service answers with, and how each contract words them.

A PaddleX client reads `{logId, errorCode, errorMsg}`, an OpenAI client `{error: {...}}`, a Cog
client `{detail}`, a Replicate client problem details `{title, detail, status}`. Endpoints raise
one ServiceError; the app picks the body by the path's face, so no endpoint formats errors
itself and none leaks a stack trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel


class ServiceError(Exception):
    """A request the service refuses, with the HTTP status and a message for the client."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        code: str | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        self.code = code  # a machine-readable reason, for contracts whose errors carry one


class AuthError(ServiceError):
    """A missing or unknown token. Contracts disagree on its status (PaddleX and the hosted
    API answer 403, OpenAI 401), so each Face says which one its clients expect."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(403, message, code=code)


class Detail(BaseModel):
    """Error body of the endpoints that follow FastAPI/Cog: `{"detail": message}`."""

    detail: str


@dataclass(frozen=True)
class Face:
    """One contract's way of failing: its paths, its status for bad input, its error body."""

    prefix: str
    bad_input_status: int
    body: Callable[[str, int, str, str | None], dict[str, Any]]  # (logId, status, message, code)
    auth_status: int = 403  # for an AuthError
    # the paths, when a prefix cannot tell them: contracts that share /v1 split it path by path
    owns: Callable[[str], bool] | None = None

    def serves(self, path: str) -> bool:
        if self.owns is not None:
            return self.owns(path)
        return path == self.prefix or path.startswith(self.prefix + "/")


DEFAULT_FACE = Face("/", 422, lambda log_id, status, message, code: {"detail": message})


def describe_validation(errors: Iterable[Mapping[str, Any]]) -> str:
    """Pydantic's error list as one readable line: `body.file: Field required; ...`.

    Only locations and messages: the rejected values may be whole images.
    """
    return "; ".join(_describe(e) for e in errors)


def _describe(error: Mapping[str, Any]) -> str:
    loc = list(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        reason = (error.get("ctx") or {}).get("error", "")
        return f"the body is not valid JSON ({reason} at character {loc[-1]})"
    return f"{'.'.join(map(str, loc)) or 'value'}: {error.get('msg', '')}"


def documented(model: type[BaseModel], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the error statuses an endpoint can answer with."""
    return {
        status: {"model": model, "description": _REASONS.get(status, "Error")}
        for status in statuses
    }


_REASONS = {
    400: "Bad request",
    401: "Missing or invalid API key",
    403: "Missing or invalid token (or, on a pre-signed link, a bad or expired signature)",
    404: "Not found",
    413: "Request body too large",
    422: "Invalid request",
    429: "Daily page quota reached",
    500: "Parameter error (/ocr) or internal error",
    503: "Server busy",
    504: "Request timed out",
}
