"""Daily page quota per token, kept in SQLite so that restarts and worker processes share it.

A request is charged all its pages at once, before any OCR runs, inside one write transaction:
two workers cannot both spend the last pages, and a request that does not fit is refused whole.
Pages that later fail stay charged (the hosted API counts them too). Tokens are stored as
SHA-256 digests, never in clear.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .errors import ServiceError
from .sqlite import connection, prepare, transaction

_SCHEMA = """CREATE TABLE IF NOT EXISTS usage (
    token_sha256 TEXT NOT NULL,
    day TEXT NOT NULL,
    pages INTEGER NOT NULL,
    PRIMARY KEY (token_sha256, day));"""


class QuotaExceeded(ServiceError):
    """429: the request's pages do not fit in what is left of the token's day."""

    def __init__(self, needed: int, used: int, limit: int, now: datetime):
        reset = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
        wait = max(1, int((reset - now).total_seconds()))
        hours, minutes = divmod(wait // 60, 60)
        super().__init__(
            429,
            f"daily page limit reached: this request needs {needed} page(s) but only "
            f"{max(0, limit - used)} of {limit} are left today for this token; the quota resets "
            f"at {reset:%Y-%m-%d %H:%M} UTC (in {hours} h {minutes} min)",
            {"Retry-After": str(wait)},
        )


class QuotaBook:
    """Pages used per token per UTC day."""

    def __init__(self, path: str | Path, daily_limit: int):
        self.path = prepare(path, _SCHEMA)
        self.daily_limit = daily_limit

    def charge(self, token: str, pages: int, now: datetime | None = None) -> int:
        """Take `pages` from the token's day and return what is left; QuotaExceeded if short."""
        now = now or datetime.now(UTC)
        day, key = now.date().isoformat(), token_key(token)
        with transaction(self.path) as db:
            row = db.execute(
                "SELECT pages FROM usage WHERE token_sha256 = ? AND day = ?", (key, day)
            ).fetchone()
            used = row[0] if row else 0
            if used + pages > self.daily_limit:
                raise QuotaExceeded(pages, used, self.daily_limit, now)
            db.execute(
                "INSERT INTO usage (token_sha256, day, pages) VALUES (?, ?, ?) "
                "ON CONFLICT (token_sha256, day) DO UPDATE SET pages = pages + ?",
                (key, day, pages, pages),
            )
        return self.daily_limit - used - pages

    def refund(self, token: str, pages: int, charged_at: datetime) -> None:
        """Give back pages charged at `charged_at` for work that was then never accepted (a job
        whose row could not be stored), to that day's count."""
        day = charged_at.date().isoformat()
        with transaction(self.path) as db:
            db.execute(
                "UPDATE usage SET pages = MAX(0, pages - ?) WHERE token_sha256 = ? AND day = ?",
                (pages, token_key(token), day),
            )

    def used(self, token: str, now: datetime | None = None) -> int:
        """Pages the token has used on the (UTC) day of `now`."""
        day = (now or datetime.now(UTC)).date().isoformat()
        with connection(self.path) as db:
            row = db.execute(
                "SELECT pages FROM usage WHERE token_sha256 = ? AND day = ?",
                (token_key(token), day),
            ).fetchone()
        return row[0] if row else 0


def token_key(token: str) -> str:
    """How a token is stored: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def owner_key(token: str | None) -> str | None:
    """What a caller's jobs are stored under: its token's key, None when auth is off."""
    return None if token is None else token_key(token)
