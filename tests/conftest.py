"""Shared fixtures: the research-licensed eval data (outside the repo) and one OCR engine.

Tests that read ../shared/eval/data skip with a reason where it is absent (a user's clone);
.ci/run refuses to run without it, so CI always runs them.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
EVAL_DATA = Path(os.environ.get("TEXTLENS_EVAL_DATA", REPO.parent / "shared" / "eval" / "data"))
SAMPLES = REPO / "samples"


def sample_maker() -> ModuleType:
    """scripts/make_samples.py, loaded by path: its texts are the truth of the repo's samples,
    and its render() draws more pages like them."""
    spec = importlib.util.spec_from_file_location(
        "make_samples", REPO / "scripts" / "make_samples.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def eval_data() -> Path:
    if not (EVAL_DATA / "sroie" / "manifest.jsonl").is_file():
        pytest.skip(
            f"eval data not found at {EVAL_DATA}: it is research-licensed and lives "
            "outside the repo (set TEXTLENS_EVAL_DATA); CI always provides it"
        )
    return EVAL_DATA


def manifest_items(eval_data: Path, name: str) -> list[dict]:
    """The manifest entries of one eval set."""
    text = (eval_data / name / "manifest.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="session")
def ocr():
    """One engine for the whole run: building it per test would dominate the suite's time."""
    from textlens import OCR

    return OCR()


@pytest.fixture(scope="session")
def scorer(eval_data):
    """../shared/eval/score.py, the project's yardstick, loaded by path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_score", eval_data.parent / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def page_word_f1(scorer, gt_text: str, results) -> float:
    """word_f1 (case-folded bag of words, as score.py counts it) of results against a text."""
    hit, gt, pred = scorer.bag_f1(gt_text, "\n".join(r.text for r in results), strict=False)
    precision, recall = hit / max(pred, 1), hit / max(gt, 1)
    return 2 * precision * recall / max(precision + recall, 1e-9)
