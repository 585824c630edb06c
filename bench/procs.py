"""A running server's processes as /proc shows them (Linux): for bench/load.py and the tests
of faults (tests/hostile/test_faults.py)."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """The direct children of a process (uvicorn's workers, under its supervisor)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text()
        found += [int(p) for p in text.split()]
    return found


def workers(pid: int) -> list[int]:
    """The server's worker processes: itself when it runs alone, else its spawned children
    (multiprocessing's resource tracker aside)."""
    spawned = [p for p in children(pid) if "resource_tracker" not in cmdline(p)]
    return spawned or [pid]


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def rss_mb(pid: int) -> float:
    """Resident memory now (VmRSS), in MiB; 0 for a process that is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_ticks(pid: int) -> int:
    """User plus system time the process has used, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])
