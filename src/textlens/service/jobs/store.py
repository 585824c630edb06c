"""The job store: documents of any size read in the background, durable across restarts.

One SQLite file (beside the quota database by default) shared by every worker process holds
each job and, row by row, the result of each page it has finished; the job's files (its input,
its page images) live in a folder of its own. A worker claims a job by taking its lease, and
keeps it by renewing the lease as it works. A page's result is stored in the same transaction
that counts it and checks the lease, so a page is stored once: a worker that lost its lease (it
stalled, or was killed and another worker or a restarted server took the job over) cannot add
a page the new holder already has, and the new holder resumes after the last stored page. A
finished job is kept for the retention time, then its rows and files are deleted.
"""

from __future__ import annotations

import json
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..sqlite import connection, prepare, transaction

PENDING, RUNNING, DONE, FAILED, CANCELED = "pending", "running", "done", "failed", "canceled"
FINISHED = (DONE, FAILED, CANCELED)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    token_sha256 TEXT,
    batch_id TEXT,
    params TEXT NOT NULL,
    total_pages INTEGER NOT NULL,
    done_pages INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    error TEXT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL,
    started REAL,
    finished REAL,
    lease_owner TEXT,
    lease_until REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, created);
CREATE INDEX IF NOT EXISTS jobs_by_batch ON jobs (batch_id);
CREATE INDEX IF NOT EXISTS jobs_by_token ON jobs (token_sha256, state);
CREATE TABLE IF NOT EXISTS pages (
    job_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (job_id, seq)
);
"""
_COLUMNS = (
    "id, kind, token_sha256, batch_id, params, total_pages, done_pages, state, error, "
    "cancel_requested, created, started, finished"
)


@dataclass(frozen=True)
class Job:
    """One job as stored; `params` are its kind's, `seq` counts pages from 0 in job order."""

    id: str
    kind: str
    token_key: str | None
    batch_id: str | None
    params: dict[str, Any]
    total_pages: int
    done_pages: int
    state: str
    error: str | None
    cancel_requested: bool
    created: float
    started: float | None
    finished: float | None

    @property
    def unfinished(self) -> bool:
        return self.state not in FINISHED


def _job(row: Any) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        token_key=row["token_sha256"],
        batch_id=row["batch_id"],
        params=json.loads(row["params"]),
        total_pages=row["total_pages"],
        done_pages=row["done_pages"],
        state=row["state"],
        error=row["error"],
        cancel_requested=bool(row["cancel_requested"]),
        created=row["created"],
        started=row["started"],
        finished=row["finished"],
    )


class JobStore:
    """Jobs and their page results in `folder/jobs.sqlite3`, their files in `folder/<id>/`."""

    def __init__(self, folder: str | Path, retention_s: float, lease_s: float):
        self.folder = Path(folder).expanduser()
        self.db = prepare(self.folder / "jobs.sqlite3", _SCHEMA)
        self.retention_s = retention_s
        self.lease_s = lease_s

    def files(self, job_id: str) -> Path:
        """The folder of a job's files (its input, its page images)."""
        return self.folder / job_id

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def create(
        self,
        job_id: str,
        kind: str,
        params: dict[str, Any],
        total_pages: int,
        token_key: str | None = None,
        batch_id: str | None = None,
    ) -> Job:
        """A pending job, whose files are already in files(job_id)."""
        with transaction(self.db) as db:
            db.execute(
                "INSERT INTO jobs (id, kind, token_sha256, batch_id, params, total_pages, "
                "state, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    job_id,
                    kind,
                    token_key,
                    batch_id,
                    json.dumps(params),
                    total_pages,
                    PENDING,
                    time.time(),
                ),
            )
        job = self.get(job_id)
        assert job is not None
        return job

    def get(self, job_id: str) -> Job | None:
        with connection(self.db) as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _job(row) if row else None

    def owned(self, job_id: str, kind: str, token_key: str | None) -> Job | None:
        """The job if it is of this kind and this token's (None: not found, for the caller)."""
        job = self.get(job_id)
        return job if job and job.kind == kind and job.token_key == token_key else None

    def batch(self, batch_id: str, kind: str, token_key: str | None) -> list[Job]:
        """A batch's jobs of this kind and this token, oldest first."""
        with connection(self.db) as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM jobs WHERE batch_id = ? AND kind = ? "
                "AND token_sha256 IS ? ORDER BY created",
                (batch_id, kind, token_key),
            ).fetchall()
        return [_job(row) for row in rows]

    def unfinished(self, token_key: str | None, kind: str) -> int:
        """How many of this token's jobs of this kind are pending or running."""
        with connection(self.db) as db:
            row = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE token_sha256 IS ? AND kind = ? "
                "AND state IN (?, ?)",
                (token_key, kind, PENDING, RUNNING),
            ).fetchone()
        return row[0]

    def claim(self, owner: str, kinds: tuple[str, ...]) -> Job | None:
        """The oldest job that is pending, or running under a lease that has run out, now held
        by `owner`; None when there is none."""
        now = time.time()
        marks = ", ".join("?" * len(kinds))
        with transaction(self.db) as db:
            row = db.execute(
                f"SELECT id FROM jobs WHERE kind IN ({marks}) AND (state = ? OR "
                "(state = ? AND lease_until < ?)) ORDER BY created LIMIT 1",
                (*kinds, PENDING, RUNNING, now),
            ).fetchone()
            if row is None:
                return None
            db.execute(
                "UPDATE jobs SET state = ?, lease_owner = ?, lease_until = ?, "
                "started = COALESCE(started, ?) WHERE id = ?",
                (RUNNING, owner, now + self.lease_s, now, row["id"]),
            )
        return self.get(row["id"])

    def renew(self, job_id: str, owner: str) -> bool:
        """Extend the lease; False when `owner` no longer holds it."""
        with transaction(self.db) as db:
            cursor = db.execute(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_owner = ? AND state = ?",
                (time.time() + self.lease_s, job_id, owner, RUNNING),
            )
        return cursor.rowcount == 1

    def add_page(self, job_id: str, owner: str, seq: int, body: dict[str, Any]) -> bool:
        """Store page `seq`'s result and count it, if `owner` still holds the job and the page is
        the next one; False (and nothing stored) otherwise."""
        with transaction(self.db) as db:
            cursor = db.execute(
                "UPDATE jobs SET done_pages = done_pages + 1, lease_until = ? "
                "WHERE id = ? AND lease_owner = ? AND state = ? AND done_pages = ?",
                (time.time() + self.lease_s, job_id, owner, RUNNING, seq),
            )
            if cursor.rowcount != 1:
                return False
            db.execute(
                "INSERT INTO pages (job_id, seq, body) VALUES (?, ?, ?)",
                (job_id, seq, json.dumps(body, ensure_ascii=False)),
            )
        return True

    def finish(self, job_id: str, owner: str, state: str, error: str | None = None) -> bool:
        """End a held job as done, failed or canceled; its input is no longer needed."""
        with transaction(self.db) as db:
            cursor = db.execute(
                "UPDATE jobs SET state = ?, error = ?, finished = ?, lease_owner = NULL "
                "WHERE id = ? AND lease_owner = ? AND state = ?",
                (state, error, time.time(), job_id, owner, RUNNING),
            )
        return cursor.rowcount == 1

    def cancel(self, job_id: str) -> Job | None:
        """Ask a job to stop: a pending one is canceled now, a running one at its next page."""
        with transaction(self.db) as db:
            db.execute(
                "UPDATE jobs SET state = ?, finished = ? WHERE id = ? AND state = ?",
                (CANCELED, time.time(), job_id, PENDING),
            )
            db.execute(
                "UPDATE jobs SET cancel_requested = 1 WHERE id = ? AND state = ?",
                (job_id, RUNNING),
            )
        return self.get(job_id)

    def release(self, owner: str) -> None:
        """Give up every lease of `owner` (a worker shutting down): its jobs resume at once."""
        with transaction(self.db) as db:
            db.execute(
                "UPDATE jobs SET lease_owner = NULL, lease_until = 0 WHERE lease_owner = ?",
                (owner,),
            )

    def pages(self, job_id: str, batch: int = 64) -> Iterator[tuple[int, dict[str, Any]]]:
        """The stored page results in order, read a few at a time (a job may have thousands)."""
        start = 0
        while True:
            with connection(self.db) as db:
                rows = db.execute(
                    "SELECT seq, body FROM pages WHERE job_id = ? AND seq >= ? ORDER BY seq "
                    "LIMIT ?",
                    (job_id, start, batch),
                ).fetchall()
            for row in rows:
                yield row["seq"], json.loads(row["body"])
            if len(rows) < batch:
                return
            start = rows[-1]["seq"] + 1

    def sweep(self, now: float | None = None) -> int:
        """Delete the jobs finished longer than the retention time ago, with their files."""
        cutoff = (now or time.time()) - self.retention_s
        with transaction(self.db) as db:
            ids = [
                row["id"]
                for row in db.execute(
                    "SELECT id FROM jobs WHERE finished IS NOT NULL AND finished < ?", (cutoff,)
                )
            ]
            for job_id in ids:
                db.execute("DELETE FROM pages WHERE job_id = ?", (job_id,))
                db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        for job_id in ids:
            shutil.rmtree(self.files(job_id), ignore_errors=True)
        return len(ids)
