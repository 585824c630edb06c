"""Score textlens with given parameters over the eval sets (used to choose defaults).

    python bench/evaluate.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]
                             [--turn 90]

Runs OCR(**params) over each set's manifest, writes predictions to a temporary folder and scores
them with ../shared/eval/score.py; prints one JSON line per set with pages/s. With --turn
every page is first turned by that many degrees counter-clockwise (a sideways photo); then
only word_f1 means something, since the boxes are in the turned page's pixels.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import sets


def turned(path: Path, turn: int):
    """The page as a BGR array turned counter-clockwise by `turn` degrees (0: the file's path)."""
    if not turn:
        return str(path)
    from textlens.geometry import rotate_page
    from textlens.inputs import iter_pages

    return rotate_page(next(iter_pages(str(path))).image, turn)


def evaluate(ocr, name: str, limit: int = 0, turn: int = 0) -> dict:
    """Run one engine over a set; return the scorer's summary plus pages/s."""
    folder, items = sets.load(name, limit)
    ocr.predict(str(folder / items[0]["image"]))  # warm-up
    spent, lines = 0.0, {}
    for item in items:
        page = turned(folder / item["image"], turn)
        t = time.perf_counter()
        results = ocr.predict(page)
        spent += time.perf_counter() - t
        lines[item["image"]] = sets.lines_of(results)
    summary = sets.score(items, lines)
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
        print(
            json.dumps(
                {
                    "set": name,
                    **params,
                    "turn": args.turn,
                    **evaluate(ocr, name, args.limit, args.turn),
                }
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
