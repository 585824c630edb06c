"""Files uploaded through the Replicate face's `POST /v1/files`, for prediction inputs.

Their bytes live in `jobs_dir/files/<id>`, written to a temporary name and renamed so that a
reader never sees half a file; their records in `jobs_dir/files.sqlite3`, per token (its
SHA-256, "" when auth is off): another token's file does not exist. A file expires
`job_retention_s` after its upload; reads treat it as gone from then, and the sweep each upload
runs deletes it.
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
from typing import Any, BinaryIO

from .sqlite import connection, prepare, transaction

DB_NAME = "files.sqlite3"

_SCHEMA = """
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
