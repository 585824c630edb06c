"""textlens against RapidOCR on the same pages, in one process, pages alternating.

    python bench/compare.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]

This machine's speed drifts by about 10% from one run to the next, so both systems are timed in
the same process, page by page in turn (textlens, then RapidOCR, on each page), after one
warm-up page each. For every set it prints both systems' scores (../shared/eval/score.py) and
pages/s, their ratio, the share of textlens's wall time spent outside
model calls, and the peak RSS of a separate process that runs textlens alone over the set.
Model loading is excluded from the timings, as in ../shared/eval/peers.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

import memory
import sets


class TimedModel:
    """Wraps a stage's model and adds the seconds spent in run() to a shared clock."""

    def __init__(self, inner: Any, clock: list[float]):
        self._inner, self._clock = inner, clock

    def run(self, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._inner.run(*args, **kwargs)
        finally:
            self._clock[0] += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def textlens_engine(params: dict[str, Any]) -> tuple[Callable, list[float]]:
    """textlens through its public API, every stage's model calls timed."""
    from textlens import OCR

    ocr = OCR(**params)
    clock = [0.0]
    for stage in (ocr.detector, ocr.recognizer, *ocr._optional.values()):
        stage.model = TimedModel(stage.model, clock)
    if ocr.recognizer.recheck is not None:
        ocr.recognizer.recheck = TimedModel(ocr.recognizer.recheck, clock)
    return (lambda path: sets.lines_of(ocr.predict(str(path)))), clock


def rapidocr_engine() -> Callable:
    """RapidOCR exactly as ../shared/eval/peers.py runs it (its own defaults)."""
    import peers

    return peers.run_rapidocr()


def compare(
    name: str,
    limit: int,
    params: dict[str, Any],
    ours: Callable,
    clock: list[float],
    theirs: Callable,
    rss: bool = True,
) -> dict[str, Any]:
    folder, items = sets.load(name, limit)
    first = folder / items[0]["image"]
    ours(first), theirs(first)  # warm-up, excluded like peers.py does
    systems = {"textlens": ours, "rapidocr": theirs}
    spent = dict.fromkeys(systems, 0.0)
    lines: dict[str, dict[str, list]] = {system: {} for system in systems}
    clock[0] = 0.0
    for item in items:
        for system, engine in systems.items():
            start = time.perf_counter()
            lines[system][item["image"]] = engine(folder / item["image"])
            spent[system] += time.perf_counter() - start
    row: dict[str, Any] = {"set": name, "pages": len(items)}
    for system in systems:
        s = sets.score(items, lines[system])
        row[system] = {k: round(s[k], 4) for k in ("word_f1", "det_hmean", "e2e_1ned")}
        row[system]["pages_per_s"] = round(len(items) / spent[system], 3)
    row["speed_ratio"] = round(spent["rapidocr"] / spent["textlens"], 2)
    row["textlens_outside_model_share"] = round(1 - clock[0] / spent["textlens"], 3)
    if rss:  # textlens alone over the set, in a fresh process
        paths = [str(folder / i["image"]) for i in items]
        row["textlens_peak_rss_mib"] = memory.in_child(paths, **params)["peak_rss_mib"]
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sroie,funsd,pdf_digital")
    ap.add_argument("--limit", type=int, default=0, help="first N pages of each set (0: all)")
    ap.add_argument("--param", action="append", default=[], help="k=v passed to textlens OCR()")
    ap.add_argument("--no-rss", action="store_true", help="skip the separate peak-RSS run")
    args = ap.parse_args()
    params = dict(p.split("=", 1) for p in args.param)
    ours, clock = textlens_engine(params)
    theirs = rapidocr_engine()
    for name in args.sets.split(","):
        print(
            json.dumps(compare(name, args.limit, params, ours, clock, theirs, not args.no_rss)),
            flush=True,
        )
    print(
        json.dumps(
            {
                "process_peak_rss_mib": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                )
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
