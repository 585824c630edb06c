"""The service's SQLite files (quota, jobs, predictions): one way to open them.

Worker processes and their threads share these files, so every call opens its own short-lived
connection in autocommit mode (transactions are explicit `BEGIN IMMEDIATE`), and the files use
WAL so that readers never wait for a writer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


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
    """A connection for one call, closed on leaving."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    db.row_factory = sqlite3.Row
    try:
        yield db
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
