"""textlens against RapidOCR on the same pages, in one process, pages alternating.

    python bench/compare.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]

This machine's speed drifts by about 10% from one run to the next, so both systems are timed in
the same process, page by page in turn (textlens, then RapidOCR, on each page), after one
warm-up page each. For every set it prints both systems' scores (../shared/eval/score.py) and
pages/s, their ratio, the share of textlens's wall time spent outside onnxruntime's
`session.run`, and the peak RSS of a separate process that runs textlens alone over the set.
Model loading is excluded from the timings, as in ../shared/eval/peers.py.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
sys.path.insert(0, str(EVAL))


class TimedSession:
    """Wraps an onnxruntime session and adds the seconds spent in run() to a shared clock."""

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
    """textlens through its public API, every stage's session timed."""
    from textlens import OCR

    ocr = OCR(**params)
    clock = [0.0]
    for stage in (ocr.detector, ocr.recognizer, *ocr._optional.values()):
        stage.session = TimedSession(stage.session, clock)

    def run(path: Path) -> list[dict]:
        return [{"text": line.text, "poly": line.poly.tolist()}
                for res in ocr.predict(str(path)) for line in res.lines]
    return run, clock


def rapidocr_engine() -> Callable:
    """RapidOCR exactly as ../shared/eval/peers.py runs it (its own defaults)."""
    import peers

    return peers.run_rapidocr()


def peak_rss_alone(manifest: Path, limit: int, params: dict[str, Any]) -> float:
    """Peak RSS (MiB) of a fresh process that runs textlens alone over the set."""
    code = (
        "import json, resource, sys\n"
        "from pathlib import Path\n"
        "from textlens import OCR\n"
        f"m = Path({str(manifest)!r})\n"
        "items = [json.loads(l) for l in m.read_text().splitlines() if l.strip()]\n"
        f"items = items[:{limit}] if {limit} else items\n"
        f"ocr = OCR(**{params!r})\n"
        "for res in ocr.predict_iter([str(m.parent / i['image']) for i in items]):\n"
        "    pass\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(out.stdout.split()[-1]), 1)


def compare(name: str, limit: int, params: dict[str, Any], ours: Callable, clock: list[float],
            theirs: Callable, rss: bool = True) -> dict[str, Any]:
    import score

    manifest = EVAL / "data" / name / "manifest.jsonl"
    items = [json.loads(l) for l in manifest.read_text().splitlines() if l.strip()]
    items = items[:limit] if limit else items
    first = manifest.parent / items[0]["image"]
    ours(first), theirs(first)  # warm-up, excluded like peers.py does
    spent = {"textlens": 0.0, "rapidocr": 0.0}
    clock[0] = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        outs = {k: Path(tmp) / k for k in spent}
        for d in outs.values():
            d.mkdir()
        for item in items:
            path = manifest.parent / item["image"]
            for system, engine in (("textlens", ours), ("rapidocr", theirs)):
                start = time.perf_counter()
                lines = engine(path)
                spent[system] += time.perf_counter() - start
                (outs[system] / (Path(item["image"]).stem + ".json")).write_text(
                    json.dumps({"lines": lines}))
        subset = Path(tmp) / "manifest.jsonl"  # score only the pages that ran
        subset.write_text("".join(json.dumps(i) + "\n" for i in items))
        scores = {k: score.score(str(subset), str(d))[0] for k, d in outs.items()}
    row: dict[str, Any] = {"set": name, "pages": len(items)}
    for system in spent:
        s = scores[system]
        row[system] = {k: round(s[k], 4) for k in ("word_f1", "det_hmean", "e2e_1ned") if k in s}
        row[system]["pages_per_s"] = round(len(items) / spent[system], 3)
    row["speed_ratio"] = round(spent["rapidocr"] / spent["textlens"], 2)
    row["textlens_outside_model_share"] = round(1 - clock[0] / spent["textlens"], 3)
    if rss:
        row["textlens_peak_rss_mib"] = peak_rss_alone(manifest, limit, params)
    return row


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sroie,funsd,pdf_digital")
    ap.add_argument("--limit", type=int, default=0, help="first N pages of each set (0: all)")
    ap.add_argument("--param", action="append", default=[], help="k=v passed to textlens OCR()")
    ap.add_argument("--no-rss", action="store_true", help="skip the separate peak-RSS run")
    args = ap.parse_args()
    if not (EVAL / "data").is_dir():
        sys.exit(f"needs the eval sets in {EVAL / 'data'}")
    params: dict[str, Any] = {}
    for p in args.param:
        key, value = p.split("=", 1)
        params[key] = json.loads(value) if value[:1] in "0123456789-[{tf" else value
    ours, clock = textlens_engine(params)
    theirs = rapidocr_engine()
    for name in args.sets.split(","):
        print(json.dumps(compare(name, args.limit, params, ours, clock, theirs,
                                  not args.no_rss)), flush=True)
    print(json.dumps({"process_peak_rss_mib":
                      round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
