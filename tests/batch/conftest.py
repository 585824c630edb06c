"""The batch tests' shared job: one input folder and one clean local run to compare against.

Both are per session: every page OCR'd costs seconds on the shared two-core machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from batch.job import build_folder
from textlens.batch import Summary, run_batch


@pytest.fixture(scope="session")
def job_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_folder(tmp_path_factory.mktemp("batch"))


@pytest.fixture(scope="session")
def clean_run(job_folder: Path) -> tuple[Path, Summary]:
    """The job run once, uninterrupted, on a local pool of two processes."""
    out = job_folder.parent / "clean"
    return out, run_batch(job_folder, out, workers=2, progress=False)
