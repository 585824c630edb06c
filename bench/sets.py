"""The eval sets beside the repo and their yardstick, shared by the bench scripts.

The sets are research-licensed and live in ../shared/eval/data, never in the repo; score.py and
peers.py beside them are the project's yardstick and RapidOCR's runner, imported from there.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
sys.path.insert(0, str(EVAL))  # score.py, peers.py


def load(name: str, limit: int = 0) -> tuple[Path, list[dict]]:
    """A set's folder and its manifest entries (the first `limit`, or all)."""
    manifest = EVAL / "data" / name / "manifest.jsonl"
    if not manifest.is_file():
        sys.exit(f"needs the eval sets in {EVAL / 'data'}")
    items = [json.loads(l) for l in manifest.read_text().splitlines() if l.strip()]
    return manifest.parent, items[:limit] if limit else items


def score(items: list[dict], lines: dict[str, list[dict]]) -> dict:
    """score.py's summary of predicted lines ({image: [{"text", "poly"}]}) over these items
    only, so that a --limit run is not charged for the pages it skipped."""
    import score as yardstick

    with tempfile.TemporaryDirectory() as tmp:
        for item in items:
            (Path(tmp) / (Path(item["image"]).stem + ".json")).write_text(
                json.dumps({"lines": lines[item["image"]]})
            )
        subset = Path(tmp) / "manifest.jsonl"
        subset.write_text("".join(json.dumps(i) + "\n" for i in items))
        return yardstick.score(str(subset), tmp)[0]


def lines_of(results) -> list[dict]:
    """textlens results as score.py's lines."""
    return [{"text": line.text, "poly": line.poly.tolist()} for r in results for line in r.lines]
