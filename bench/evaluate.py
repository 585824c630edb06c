"""Score textlens with given parameters over the eval sets (used to choose defaults).

    python bench/evaluate.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]
                             [--turn 90]

Runs OCR(**params) over each set's manifest, writes predictions to a temporary folder and scores
them with ../shared/eval/score.py; prints one JSON line per set with pages/s. With --turn every
page is first turned by that many degrees counter-clockwise (a sideways photo); then only word_f1 means
something, since the boxes are in the turned page's pixels.
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


def turned(path: Path, turn: int):
    """The page as a BGR array turned counter-clockwise by `turn` degrees (0: the file's path)."""
    if not turn:
        return str(path)
    from textlens.geometry import rotate_page
    from textlens.inputs import iter_pages

    return rotate_page(next(iter_pages(str(path))).image, turn)


def evaluate(ocr, manifest: Path, limit: int = 0, turn: int = 0, **call) -> dict:
    """Run one engine over a manifest; return the scorer's summary plus pages/s."""
    score = load_scorer()
    items = [json.loads(l) for l in manifest.read_text().splitlines() if l.strip()]
    items = items[:limit] if limit else items
    with tempfile.TemporaryDirectory() as out:
        spent = 0.0
        for item in items:
            page = turned(manifest.parent / item["image"], turn)
            t = time.perf_counter()
            results = ocr.predict(page, **call)
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
    ap.add_argument("--turn", type=int, default=0, choices=[0, 90, 180, 270])
    args = ap.parse_args()
    from textlens import OCR

    params = dict(p.split("=", 1) for p in args.param)
    ocr = OCR(**params)
    for name in args.sets.split(","):
        manifest = EVAL / "data" / name / "manifest.jsonl"
        first = json.loads(manifest.read_text().splitlines()[0])
        ocr.predict(str(manifest.parent / first["image"]))  # warm-up
        print(json.dumps({"set": name, **params, "turn": args.turn,
                          **evaluate(ocr, manifest, args.limit, args.turn)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
