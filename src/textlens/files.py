"""Writing output files so that a reader never sees half of one."""

from __future__ import annotations

from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename it into place: an interrupted
    run leaves the old file or none, never a partial one. A write that fails (a full disk)
    removes its temporary file, so that nothing half-written is left behind either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
