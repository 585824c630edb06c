"""API tokens: `Authorization: token T` (the PP-OCR hosted API) or `Bearer T` (OpenAI clients).

Every configured token is compared in constant time, and all of them are always compared, so
the response time tells an attacker nothing about how much of a guess was right.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from .errors import AuthError

_SCHEMES = {"token", "bearer"}


def presented_token(header: str | None) -> str | None:
    """The token in an Authorization header, or None when there is none in a known scheme."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() not in _SCHEMES or not value:
        return None
    return value


class TokenCheck:
    """Decides whether a request may use the service; no tokens configured means open access."""

    def __init__(self, tokens: Sequence[str] | None):
        self._tokens = [t.encode("utf-8") for t in tokens or ()]

    @property
    def enabled(self) -> bool:
        return bool(self._tokens)

    def __call__(self, header: str | None) -> str | None:
        """The caller's token (None when auth is off); AuthError when it is missing or unknown."""
        if not self.enabled:
            return None
        token = presented_token(header)
        if token is None:
            raise AuthError(
                "missing token: send `Authorization: token <TOKEN>` or "
                "`Authorization: Bearer <TOKEN>`"
            )
        given = token.encode("utf-8")
        matched = False
        for known in self._tokens:
            matched |= hmac.compare_digest(given, known)
        if not matched:
            raise AuthError("invalid token", code="invalid_api_key")
        return token
