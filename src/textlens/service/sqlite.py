"""The service's SQLite files (quota, jobs, predictions): one way to open them.

Worker processes and their threads share these files, so every call opens its own short-lived
connection in autocommit mode (transactions are explicit `BEGIN IMMEDIATE`), and the files use
WAL so that readers never wait for a writer.

A file that cannot be used (locked past the busy timeout, unwritable, its disk full) is a 503
for the request that needed it, never a pass: a quota that cannot be charged refuses the
request, and a job that cannot be stored is not accepted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ServiceError

# Transactions here last milliseconds; a lock held this long is a fault, not a queue.
BUSY_TIMEOUT_S = 10


class StoreUnavailable(ServiceError):
    """503: one of the service's SQLite files cannot be read or written right now."""

    def __init__(self, path: Path, exc: sqlite3.Error):
        super().__init__(
            503,
            f"the service's store is unavailable ({path.name}: {exc}); try again later",
            {"Retry-After": "10"},
            code="store_unavailable",
        )


def prepare(path: str | Path, schema: str) -> Path:
    """Create the file's folder and tables if missing; the path, expanded."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with connection(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(schema)
    return path


@contextmanager
def connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection for one call, closed on leaving; StoreUnavailable when the file fails."""
    try:
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(path, exc) from None
    db.row_factory = sqlite3.Row
    try:
        yield db
    except sqlite3.OperationalError as exc:
        raise StoreUnavailable(path, exc) from None
    finally:
        db.close()


@contextmanager
def transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """A write transaction: committed on leaving, rolled back on an exception."""
    with connection(path) as db:
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
