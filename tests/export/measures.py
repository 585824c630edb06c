"""Measures the export tests share: poppler's view of a PDF, CER, box overlap.

Written here rather than borrowed from the research-licensed scorer (only its tokeniser and
bag-of-words F1 are imported, by path, where word_f1 is wanted).
"""

from __future__ import annotations

import html
import importlib.util
import re
import subprocess
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np

SCORER = Path(__file__).resolve().parents[3] / "shared" / "eval" / "score.py"
_WORD = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" '
    r'yMax="([-\d.]+)">(.*?)</word>'
)


def pdftotext(pdf: Path | str, page: int | None = None, *flags: str) -> str:
    """poppler's text of a PDF (one page when given, 1-based)."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", *pages, *flags, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_words(pdf: Path | str, page: int, scale: float = 1.0) -> list[tuple[str, list[float]]]:
    """poppler's words on one page with their boxes, in points times `scale`."""
    found = _WORD.findall(pdftotext(pdf, page, "-bbox"))
    return [(html.unescape(text), [float(v) * scale for v in box]) for *box, text in found]


def squeeze(text: str) -> str:
    """Text for CER: NFKC, no white space (layout spacing is not content)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one row at a time with numpy (pages are thousands of chars)."""
    if len(a) < len(b):
        a, b = b, a
    codes = np.array([ord(c) for c in b], dtype=np.int64)
    row = np.arange(len(b) + 1, dtype=np.int64)
    offsets = np.arange(len(b) + 1, dtype=np.int64)
    for i, ch in enumerate(a, 1):
        diag = row[:-1] + (codes != ord(ch))
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, diag)
        # insertions chain left to right: best[j] = min_k(best[k] + j - k)
        row = np.minimum.accumulate(best - offsets) + offsets
    return int(row[-1])


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = squeeze(reference), squeeze(hypothesis)
    return edit_distance(ref, hyp) / max(len(ref), 1)


def iou(a: list[float], b: list[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union if union > 0 else 0.0


@cache
def scorer():
    """The eval scorer (research-licensed: imported by path, never copied)."""
    spec = importlib.util.spec_from_file_location("textlens_eval_score", SCORER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def word_f1(reference: str, hypothesis: str) -> float:
    hit, n_ref, n_hyp = scorer().bag_f1(reference, hypothesis, False)
    return 2 * hit / (n_ref + n_hyp) if n_ref + n_hyp else 1.0
