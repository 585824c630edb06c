"""Memory is bounded by design: long PDFs and very large photos stay under 1.5 GB peak RSS.

Each case runs bench/memory.py, which OCRs in a fresh process and reports that process's peak
RSS, so nothing the test session loaded earlier counts.
"""

import json
import subprocess
import sys

import pytest

from conftest import REPO, SAMPLES

LIMIT_MIB = 1536
pytestmark = pytest.mark.slow


def peak(*args) -> dict:
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "memory.py"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.splitlines()[-1])


def test_a_hundred_page_pdf_at_300_dpi():
    got = peak("pdf", SAMPLES / "two_pages.pdf", "--pages", 100, "--dpi", 300)
    assert got["pages"] == 100 and got["lines"] >= 100 * 8
    assert got["peak_rss_mib"] < LIMIT_MIB, got


def test_the_largest_sroie_photo(eval_data):
    from PIL import Image

    def pixels(path):
        with Image.open(path) as image:
            return image.width * image.height

    largest = max((eval_data / "sroie" / "images").iterdir(), key=pixels)
    assert pixels(largest) >= 30_000_000  # a 35-megapixel scan
    got = peak("image", largest)
    assert got["pages"] == 1 and got["lines"] > 10
    assert got["peak_rss_mib"] < LIMIT_MIB, got
