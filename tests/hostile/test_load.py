"""bench/load.py at a small count, as its README command runs it: a second process drives a real
server with concurrent clients on every endpoint it measures, and reports every figure."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.slow
def test_a_short_load_run_reports_every_figure_and_no_unplanned_error(tmp_path):
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [
            sys.executable,
            REPO / "bench" / "load.py",
            "--requests",
            "24",
            "--clients",
            "3",
            "--workers",
            "1",
            "--json",
            figures,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    numbers = json.loads(figures.read_text())
    assert numbers["requests"] == 24 and numbers["unplanned_errors"] == 0
    for endpoint in numbers["endpoints"].values():
        assert endpoint["statuses"] == {"200": 6}
        assert 0 < endpoint["p50_s"] <= endpoint["p95_s"] <= endpoint["p99_s"]
    assert numbers["pages_per_second"] > 0
    assert set(numbers["rss_mb"]) == {"24"} and numbers["rss_mb"]["24"]["server"] > 100
    assert "| `/ocr` | 6 |" in run.stdout and "pages/s" in run.stdout
