"""Score textlens with given parameters over the eval sets (used to choose defaults).

    python bench/evaluate.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]

Runs OCR(**params) over each set's manifest, writes predictions to a temporary folder and scores
them with ../shared/eval/score.py; prints one JSON line per set with pages/s.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"


def load_scorer():
    spec = importlib.util.spec_from_file_location("score", EVAL / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate(ocr, manifest: Path, limit: int = 0, **call) -> dict:
    """Run one engine over a manifest; return the scorer's summary plus pages/s."""
    score = load_scorer()
    items = [json.loads(l) for l in manifest.read_text().splitlines() if l.strip()]
    items = items[:limit] if limit else items
    with tempfile.TemporaryDirectory() as out:
        spent = 0.0
        for item in items:
            t = time.perf_counter()
            results = ocr.predict(str(manifest.parent / item["image"]), **call)
            spent += time.perf_counter() - t
            lines = [{"text": l.text, "poly": l.poly.tolist()} for r in results for l in r.lines]
            (Path(out) / (Path(item["image"]).stem + ".json")).write_text(json.dumps({"lines": lines}))
        subset = Path(out) / "manifest.jsonl"  # score only the pages that ran
        subset.write_text("".join(json.dumps(i) + "\n" for i in items))
        summary, _ = score.score(str(subset), out)
    summary["pages_per_s"] = round(len(items) / spent, 3)
    return summary


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="sroie,funsd,pdf_digital")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--param", action="append", default=[], help="k=v passed to OCR()")
    args = ap.parse_args()
    from textlens import OCR

    params = dict(p.split("=", 1) for p in args.param)
    ocr = OCR(**params)
    for name in args.sets.split(","):
        manifest = EVAL / "data" / name / "manifest.jsonl"
        first = json.loads(manifest.read_text().splitlines()[0])
        ocr.predict(str(manifest.parent / first["image"]))  # warm-up
        print(json.dumps({"set": name, **params, **evaluate(ocr, manifest, args.limit)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
