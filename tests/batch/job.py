"""A small real batch job for the tests, built in tmp from the repo's own samples.

Three pages (a PNG, a JPEG with an EXIF turn, a JPEG in a nested folder), a two-page PDF and a
truncated JPEG: five pages to write and one file to fail.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import SAMPLES, sample_maker

PAGE_FILES = {
    "page_a_res.json",
    "page_b_res.json",
    "nested/page_c_res.json",
    "paper_0_res.json",
    "paper_1_res.json",
}
CORRUPT = "broken.jpg"
KILL_TIMEOUT_S = 300


def build_folder(root: Path) -> Path:
    """The job's input folder under `root`."""
    folder = root / "in"
    (folder / "nested").mkdir(parents=True)
    (folder / "page_a.png").symlink_to(SAMPLES / "invoice.png")
    (folder / "page_b.jpg").symlink_to(SAMPLES / "exif_rotated.jpg")
    sample_maker().render(sample_maker().SECOND_PAGE).save(folder / "nested" / "page_c.jpg")
    truncated = (SAMPLES / "exif_rotated.jpg").read_bytes()[:30_000]
    (folder / CORRUPT).write_bytes(truncated)
    (folder / "paper.pdf").symlink_to(SAMPLES / "two_pages.pdf")
    return folder


def page_texts(out: Path) -> dict[str, list[str]]:
    """Every page result under `out` (relative path -> its rec_texts)."""
    return {
        p.relative_to(out).as_posix(): json.loads(p.read_text())["res"]["rec_texts"]
        for p in out.rglob("*_res.json")
    }


def stray_files(out: Path) -> list[Path]:
    """Files a writer left behind: temporary files of atomic writes."""
    return [p for p in out.rglob("*") if p.is_file() and p.name.endswith(".tmp")]


def textlens(*args: object, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "textlens.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def kill_midway(*args: object, out: Path) -> set[str]:
    """Run `textlens batch ... --out out`, SIGKILL it as soon as its first page is written,
    and return the pages it had written. Every one of them must be whole JSON."""
    job = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "textlens.cli",
            "batch",
            *map(str, args),
            "--out",
            str(out),
            "--no-progress",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + KILL_TIMEOUT_S
    try:
        while not list(out.rglob("*_res.json")):
            assert job.poll() is None, "the job ended before writing a page"
            assert time.monotonic() < deadline, "no page written in time"
            time.sleep(0.1)
    finally:
        os.kill(job.pid, signal.SIGKILL)
        job.wait()
    time.sleep(2.5)  # the workers notice the driver is gone and stop
    return set(page_texts(out))
