"""Predictions and uploaded files of the Replicate face, in SQLite so that every worker sees them.

A prediction runs in the worker that created it (its inputs stay in that worker's memory), but
its state lives in `jobs_dir/predictions.sqlite3`, so a GET or a cancel that reaches another
worker answers the same. Its life: `starting` (waiting for the OCR thread), `processing`, then
`succeeded`, `failed` or `canceled`.

Cancel: a `starting` prediction is canceled at once (its job, when the OCR thread reaches it,
finds it so and does nothing); a `processing` one gets a flag that its job reads before each
page, so it stops at the next page boundary wherever the cancel arrived.

Dead workers: the creating worker renews the prediction's heartbeat (every lease/3, from its
event loop, so a slow page is not mistaken for death) until it is finished. An unfinished
prediction whose heartbeat is older than `job_lease_s` belonged to a worker that died or
restarted; whichever worker reads it next marks it failed, saying so. It is not resumed: its
inputs died with that worker, and the client creates it again.

Retention: finished predictions, and files `job_retention_s` after their upload, are deleted by
the sweep each creation runs; until then reads already treat them as gone. Everything is kept
per token (its SHA-256, "" when auth is off): another token's prediction or file does not exist.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Literal

from .sqlite import connection, prepare, transaction

DB_NAME = "predictions.sqlite3"
Status = Literal["starting", "processing", "succeeded", "failed", "canceled"]
UNFINISHED = ("starting", "processing")
TERMINAL = ("succeeded", "failed", "canceled")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS predictions (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    input TEXT NOT NULL,
    status TEXT NOT NULL,
    output TEXT,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    completed_at REAL,
    heartbeat_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS predictions_by_status ON predictions (status, heartbeat_at);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    md5 TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS files_by_expiry ON files (expires_at);
"""

Clock = Callable[[], float]


def new_id() -> str:
    """An id in Replicate's shape: 26 lowercase base32 characters (128 random bits)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


@dataclass(frozen=True)
class Prediction:
    id: str
    model: str
    version: str
    input: dict[str, Any]
    status: Status
    output: str | None
    error: str | None
    created_at: float
    started_at: float | None
    completed_at: float | None


class PredictionStore:
    """The predictions of every worker, in `jobs_dir/predictions.sqlite3`."""

    def __init__(
        self, jobs_dir: str | Path, retention_s: float, lease_s: float, clock: Clock = time.time
    ):
        self.path = prepare(Path(jobs_dir).expanduser() / DB_NAME, _SCHEMA)
        self.retention_s = retention_s
        self.lease_s = lease_s
        self.clock = clock

    def create(self, owner: str, model: str, version: str, given: dict[str, Any]) -> Prediction:
        """A new `starting` prediction, whose heartbeat begins now."""
        now, prediction_id = self.clock(), new_id()
        with connection(self.path) as db:
            db.execute(
                "INSERT INTO predictions (id, owner, model, version, input, status, created_at, "
                "heartbeat_at) VALUES (?, ?, ?, ?, ?, 'starting', ?, ?)",
                (prediction_id, owner, model, version, json.dumps(given), now, now),
            )
            row = self._row(db, prediction_id, owner)
        assert row is not None
        return _prediction(row)

    def get(self, prediction_id: str, owner: str) -> Prediction | None:
        """The prediction, None when it is unknown, expired or another token's."""
        with connection(self.path) as db:
            row = self._row(db, prediction_id, owner)
        if row is not None and row["status"] in UNFINISHED and self._dead(row["heartbeat_at"]):
            with transaction(self.path) as db:
                self._fail_dead(db)
                row = self._row(db, prediction_id, owner)
        return None if row is None else _prediction(row)

    def cancel(self, prediction_id: str, owner: str) -> Prediction | None:
        """Cancel a starting prediction now and flag a processing one; a finished one stays."""
        with transaction(self.path) as db:
            self._fail_dead(db)
            db.execute(
                "UPDATE predictions SET status = 'canceled', completed_at = ? "
                "WHERE id = ? AND owner = ? AND status = 'starting'",
                (self.clock(), prediction_id, owner),
            )
            db.execute(
                "UPDATE predictions SET cancel_requested = 1 "
                "WHERE id = ? AND owner = ? AND status = 'processing'",
                (prediction_id, owner),
            )
            row = self._row(db, prediction_id, owner)
        return None if row is None else _prediction(row)

    def start(self, prediction_id: str) -> bool:
        """`starting` -> `processing` as the OCR thread takes it; False when it was canceled."""
        now = self.clock()
        with connection(self.path) as db:
            cursor = db.execute(
                "UPDATE predictions SET status = 'processing', started_at = ?, heartbeat_at = ? "
                "WHERE id = ? AND status = 'starting'",
                (now, now, prediction_id),
            )
        return cursor.rowcount == 1

    def stopped(self, prediction_id: str) -> bool:
        """Whether its job should stop: canceled, or no longer its to finish (failed as dead,
        deleted)."""
        with connection(self.path) as db:
            row = db.execute(
                "SELECT status, cancel_requested FROM predictions WHERE id = ?", (prediction_id,)
            ).fetchone()
        return row is None or bool(row["cancel_requested"]) or row["status"] != "processing"

    def beat(self, prediction_id: str) -> None:
        """The creating worker is alive and still holds the prediction."""
        with connection(self.path) as db:
            db.execute(
                "UPDATE predictions SET heartbeat_at = ? "
                "WHERE id = ? AND status IN ('starting', 'processing')",
                (self.clock(), prediction_id),
            )

    def finish(self, prediction_id: str, output: str | None, error: str | None) -> None:
        """The job's end: succeeded with its output, else canceled if asked, else failed. A
        prediction that already ended (canceled before it started, failed as dead) stays so."""
        with transaction(self.path) as db:
            row = db.execute(
                "SELECT status, cancel_requested FROM predictions WHERE id = ?", (prediction_id,)
            ).fetchone()
            if row is None or row["status"] in TERMINAL:
                return
            if output is not None:
                status = "succeeded"
            elif row["cancel_requested"]:
                status, error = "canceled", None
            else:
                status = "failed"
            db.execute(
                "UPDATE predictions SET status = ?, output = ?, error = ?, completed_at = ? "
                "WHERE id = ?",
                (status, output, error, self.clock(), prediction_id),
            )

    def sweep(self) -> None:
        """Fail the predictions of dead workers; delete those finished past retention."""
        with transaction(self.path) as db:
            self._fail_dead(db)
            db.execute(
                "DELETE FROM predictions WHERE completed_at <= ?",
                (self.clock() - self.retention_s,),
            )

    def _row(self, db: sqlite3.Connection, prediction_id: str, owner: str) -> sqlite3.Row | None:
        return db.execute(
            "SELECT * FROM predictions WHERE id = ? AND owner = ? "
            "AND (completed_at IS NULL OR completed_at > ?)",
            (prediction_id, owner, self.clock() - self.retention_s),
        ).fetchone()

    def _dead(self, heartbeat_at: float) -> bool:
        return heartbeat_at < self.clock() - self.lease_s

    def _fail_dead(self, db: sqlite3.Connection) -> None:
        now = self.clock()
        db.execute(
            "UPDATE predictions SET status = 'failed', error = ?, completed_at = ? "
            "WHERE status IN ('starting', 'processing') AND heartbeat_at < ?",
            (
                f"the worker running this prediction stopped (no heartbeat for "
                f"{self.lease_s:g} s, job_lease_s); create the prediction again",
                now,
                now - self.lease_s,
            ),
        )


def _prediction(row: sqlite3.Row) -> Prediction:
    return Prediction(
        id=row["id"],
        model=row["model"],
        version=row["version"],
        input=json.loads(row["input"]),
        status=row["status"],
        output=row["output"],
        error=row["error"],
        created_at=row["created_at"],
        started_at=row["started_at"],
        completed_at=row["completed_at"],
    )


@dataclass(frozen=True)
class StoredFile:
    id: str
    name: str
    content_type: str
    size: int
    sha256: str
    md5: str
    metadata: dict[str, Any]
    created_at: float
    expires_at: float


class FileStore:
    """Uploaded files: their bytes in `jobs_dir/files/<id>`, their record beside the
    predictions. Written to a temporary name and renamed, so a reader never sees half a file."""

    def __init__(self, jobs_dir: str | Path, retention_s: float, clock: Clock = time.time):
        jobs_dir = Path(jobs_dir).expanduser()
        self.path = prepare(jobs_dir / DB_NAME, _SCHEMA)
        self.folder = jobs_dir / "files"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.retention_s = retention_s
        self.clock = clock

    def add(
        self,
        owner: str,
        name: str,
        content_type: str,
        source: BinaryIO,
        metadata: dict[str, Any],
    ) -> StoredFile:
        """Copy `source` in (a chunk at a time: it may be far larger than memory)."""
        file_id = new_id()
        sha256, md5, size = hashlib.sha256(), hashlib.md5(usedforsecurity=False), 0
        tmp = self.folder / f".{file_id}.part"
        try:
            with tmp.open("wb") as out:
                while chunk := source.read(1 << 20):
                    sha256.update(chunk)
                    md5.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            tmp.replace(self.folder / file_id)
        finally:
            tmp.unlink(missing_ok=True)
        now = self.clock()
        stored = StoredFile(
            file_id,
            name,
            content_type,
            size,
            sha256.hexdigest(),
            md5.hexdigest(),
            metadata,
            now,
            now + self.retention_s,
        )
        with connection(self.path) as db:
            db.execute(
                "INSERT INTO files (id, owner, name, content_type, size, sha256, md5, metadata, "
                "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    file_id,
                    owner,
                    name,
                    content_type,
                    size,
                    stored.sha256,
                    stored.md5,
                    json.dumps(metadata),
                    stored.created_at,
                    stored.expires_at,
                ),
            )
        return stored

    def get(self, file_id: str, owner: str) -> StoredFile | None:
        """The file's record, None when it is unknown, expired or another token's."""
        with connection(self.path) as db:
            row = db.execute(
                "SELECT * FROM files WHERE id = ? AND owner = ? AND expires_at > ?",
                (file_id, owner, self.clock()),
            ).fetchone()
        return None if row is None else _stored_file(row)

    def read(self, file_id: str, owner: str) -> bytes | None:
        """The file's bytes, None when get() would give None or it was swept meanwhile."""
        if self.get(file_id, owner) is None:
            return None
        try:
            return (self.folder / file_id).read_bytes()
        except FileNotFoundError:
            return None

    def delete(self, file_id: str, owner: str) -> bool:
        """Delete the file; False when there was none to delete."""
        with transaction(self.path) as db:
            deleted = db.execute(
                "DELETE FROM files WHERE id = ? AND owner = ? AND expires_at > ?",
                (file_id, owner, self.clock()),
            ).rowcount
        (self.folder / file_id).unlink(missing_ok=True)
        return deleted == 1

    def sweep(self) -> None:
        """Delete the files past their expiry."""
        with transaction(self.path) as db:
            expired = [
                row[0]
                for row in db.execute(
                    "SELECT id FROM files WHERE expires_at <= ?", (self.clock(),)
                ).fetchall()
            ]
            db.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in expired])
        for file_id in expired:
            (self.folder / file_id).unlink(missing_ok=True)


def _stored_file(row: sqlite3.Row) -> StoredFile:
    return StoredFile(
        id=row["id"],
        name=row["name"],
        content_type=row["content_type"],
        size=row["size"],
        sha256=row["sha256"],
        md5=row["md5"],
        metadata=json.loads(row["metadata"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )
