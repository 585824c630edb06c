"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place: an interrupted
    run leaves the old file or none, never a partial one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
