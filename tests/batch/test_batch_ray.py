"""Ray mode end to end on a real local Ray cluster: the same pages as the local pool, a driver
killed midway and a rerun, reaching the cluster by address and starting a cluster of its own.

Few tests, one cluster: starting Ray costs seconds on the shared machine.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
import ray

from batch.job import CORRUPT, PAGE_FILES, kill_midway, page_texts, stray_files, textlens
from textlens.batch import run_batch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A local two-CPU cluster; yields the address other drivers join it by."""
    ray.init(num_cpus=2, include_dashboard=False, logging_level="error")
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


def test_ray_job_writes_the_same_pages_as_the_local_pool(job_folder, clean_run, cluster, tmp_path):
    out = tmp_path / "out"
    summary = run_batch(job_folder, out, ray=True, workers=2, progress=False)
    assert summary.mode == "ray" and summary.workers == 2 and summary.threads == 1
    assert summary.pages == len(PAGE_FILES) and summary.pages_skipped == 0
    assert [f.path for f in summary.failures] == [str(job_folder / CORRUPT)]
    assert ray.is_initialized(), "a connection the caller made is the caller's to close"
    assert page_texts(out) == page_texts(clean_run[0])
    assert json.loads((out / "summary.json").read_text())["pages"] == len(PAGE_FILES)


def test_ray_job_killed_midway_then_rerun_equals_a_clean_run(
    job_folder, clean_run, cluster, tmp_path
):
    out = tmp_path / "out"
    written = kill_midway(job_folder, "--ray", cluster, "--workers", "2", out=out)
    assert 0 < len(written) < len(PAGE_FILES), "the kill came after the job had ended"
    # The rerun names no address: it starts a local cluster of its own and stops it after.
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    rerun = textlens(
        "batch", job_folder, "--out", out, "--ray", "--workers", "2", "--no-progress", env=env
    )
    assert rerun.returncode == 1, rerun.stderr  # the corrupt file, again
    assert "Traceback" not in rerun.stderr and CORRUPT in rerun.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["mode"] == "ray" and summary["pages_skipped"] >= len(written)
    assert summary["pages"] + summary["pages_skipped"] == len(PAGE_FILES)
    assert page_texts(out) == page_texts(clean_run[0])
    assert not stray_files(out)
