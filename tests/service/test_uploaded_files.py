"""The Replicate face's uploaded files, without a server; a settable clock stands for time."""

from __future__ import annotations

import hashlib
import io

import pytest

from textlens.service.uploaded_files import FileStore

RETENTION_S = 100.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def files(tmp_path, clock) -> FileStore:
    return FileStore(tmp_path, RETENTION_S, clock)


def test_a_file_is_stored_whole_with_its_checksums(files, tmp_path):
    data = bytes(range(256)) * 10_000  # several read chunks
    stored = files.add("owner", "scan.png", "image/png", io.BytesIO(data), {"page": 1})
    assert stored.size == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.md5 == hashlib.md5(data).hexdigest()
    assert files.get(stored.id, "owner") == stored
    assert files.read(stored.id, "owner") == data
    assert (tmp_path / "files" / stored.id).read_bytes() == data
    assert [p.name for p in (tmp_path / "files").iterdir()] == [stored.id]  # no temporary left
    assert files.get(stored.id, "other") is None and files.read(stored.id, "other") is None
    assert not files.delete(stored.id, "other")


def test_a_deleted_file_is_gone_from_disk(files, tmp_path):
    stored = files.add("owner", "a.png", "image/png", io.BytesIO(b"abc"), {})
    assert files.delete(stored.id, "owner")
    assert not (tmp_path / "files" / stored.id).exists()
    assert files.get(stored.id, "owner") is None and not files.delete(stored.id, "owner")


def test_files_expire_after_retention(files, clock, tmp_path):
    old = files.add("owner", "old.png", "image/png", io.BytesIO(b"old"), {})
    clock.now += RETENTION_S / 2
    new = files.add("owner", "new.png", "image/png", io.BytesIO(b"new"), {})
    assert old.expires_at == old.created_at + RETENTION_S
    clock.now += RETENTION_S / 2 + 1
    assert files.read(old.id, "owner") is None  # expired for readers at once
    assert (tmp_path / "files" / old.id).exists()
    files.sweep()
    assert not (tmp_path / "files" / old.id).exists()
    assert files.read(new.id, "owner") == b"new"
