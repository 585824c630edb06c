"""Pre-signed URLs: what a job's result and image links carry instead of a token.

PaddleOCR's client fetches `resultUrl.jsonUrl` and the page images with no Authorization
header, as it would fetch object-storage links. Each link therefore carries its expiry and an
HMAC-SHA256 of its path and expiry under a key only the server knows: the link cannot be guessed
from a job id, altered to reach another job or file, or used after it expires. The key is made
once per job store (a file readable by the server alone) so that every worker process and
every restart signs and checks alike.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlencode

from ..errors import ServiceError

KEY_FILE = "url-signing.key"


def load_key(folder: Path) -> bytes:
    """The store's signing key, created on first use (atomically: workers may race here)."""
    path = folder / KEY_FILE
    folder.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):  # another process may have created it and not yet written it
        text = path.read_text().strip()
        if text:
            return bytes.fromhex(text)
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: delete it and restart the service")


class Signer:
    """Signs a path with an expiry and checks what a request presents."""

    def __init__(self, key: bytes, ttl_s: float):
        self._key = key
        self.ttl_s = ttl_s

    def _mac(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def query(self, path: str, now: float | None = None) -> str:
        """`expires=...&signature=...` for a link to `path` valid for the TTL from now."""
        expires = int((now or time.time()) + self.ttl_s)
        return urlencode({"expires": expires, "signature": self._mac(path, expires)})

    def check(self, path: str, expires: str | None, signature: str | None) -> None:
        """403 unless the signature is this server's for this path and has not expired."""
        if not expires or not signature or not expires.isdigit():
            raise ServiceError(403, "this link needs its expires and signature parameters")
        if not hmac.compare_digest(self._mac(path, int(expires)), signature):
            raise ServiceError(403, "invalid link signature")
        if int(expires) < time.time():
            raise ServiceError(
                403, "this link has expired: ask the job's status again for fresh links"
            )
