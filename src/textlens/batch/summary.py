"""The job's record, `DIR/summary.json`: what was read, what was written, what failed and why,
and how fast. Written atomically like every other output, so a reader never sees half of it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..files import atomic_write
from .plan import Failure

SUMMARY_NAME = "summary.json"


@dataclass
class Summary:
    """One run of a batch job."""

    input: str
    out: str
    mode: str  # "local" or "ray"
    workers: int
    threads: int  # inference threads of each worker
    files: int  # input files found, done or not
    pages: int = 0  # pages written by this run
    pages_skipped: int = 0  # pages an earlier run had written
    failures: list[Failure] = field(default_factory=list)
    seconds: float = 0.0  # wall time, start-up included

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    @property
    def json(self) -> dict[str, Any]:
        data = asdict(self)
        data["failures"] = sorted(data["failures"], key=lambda f: (f["path"], f["reason"]))
        data["seconds"] = round(self.seconds, 3)
        data["pages_per_second"] = round(self.pages_per_second, 3)
        return data

    def write(self) -> Path:
        target = Path(self.out) / SUMMARY_NAME
        atomic_write(target, json.dumps(self.json, indent=2, ensure_ascii=False).encode())
        return target
