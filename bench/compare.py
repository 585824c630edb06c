"""textlens against its peers on the same pages, in one process, pages alternating.

    python bench/compare.py [--sets sroie,funsd,pdf_digital] [--limit N] [--param k=v ...]
                            [--precisions bf16,fp32] [--peers NAME,...] [--no-rss] [--markdown]

This machine's speed drifts by about 10% from one run to the next (more while other work runs),
so every system is timed in the same process, page by page in turn, after one warm-up page
each, and every speed figure is a ratio within one run. Each page starts one system further
along, so that no system always follows the same one (warm caches, a peer's threads still
spinning). textlens runs once per --precisions value. `runs_at` says what a system's models really
ran at, where known: textlens's bf16 needs a CPU that computes it, and RapidOCR on OpenVINO takes
OpenVINO's CPU default (bf16 on such a CPU). The peers are systems.PEERS (all by default).

For every set it prints one JSON line: each system's scores (../shared/eval/score.py), pages/s
and share of wall time outside model calls (clock.py; faster-paddle's calls are out of reach),
textlens's speed ratio against each peer, and for textlens the peak RSS of a separate process
that runs it alone over the set (memory.py). --markdown then prints the run as one table.
Model loading is excluded from the timings, as in ../shared/eval/peers.py.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path
from typing import Any

import memory
import sets
import systems
from clock import Stopwatch
from systems import Lines, System

METRICS = ("word_f1", "det_hmean", "e2e_1ned")


def textlens_configs(precisions: list[str], params: dict[str, Any]) -> dict[str, dict]:
    """textlens's systems by name, each with the OCR() parameters it runs with."""
    return {f"textlens-{p}": {**params, "precision": p} for p in precisions}


def compare(
    folder: Path, items: list[dict], ours: list[System], peers: list[System], watch: Stopwatch
) -> dict[str, Any]:
    """Every system over the same pages, timed in turn: its scores, pages/s and share outside
    model calls, and each of ours' speed ratio against each peer (their seconds over ours)."""
    lines = read_in_turn([*ours, *peers], folder, items, watch)
    row: dict[str, Any] = {"pages": len(items), "systems": {}, "speed_ratio": {}}
    for system in (*ours, *peers):
        scores = sets.score(items, lines[system.name])
        entry = {k: scores[k] for k in METRICS}
        entry["pages_per_s"] = round(len(items) / watch.wall[system.name], 3)
        outside = round(watch.outside_models(system.name), 3) if system.models_timed else None
        entry["outside_model_share"] = outside
        if system.runs_at:
            entry["runs_at"] = system.runs_at
        row["systems"][system.name] = entry
    for us in ours:
        row["speed_ratio"][us.name] = {
            p.name: round(watch.wall[p.name] / watch.wall[us.name], 2) for p in peers
        }
    return row


def read_in_turn(
    everyone: list[System], folder: Path, items: list[dict], watch: Stopwatch
) -> dict[str, dict[str, Lines]]:
    """Each system's lines for each page ({system: {image: lines}}), the pages read one at a
    time by every system in turn, the first of each turn rotating."""
    for system in everyone:
        system.read(folder / items[0]["image"])  # warm-up, excluded as peers.py does
    watch.reset()
    lines: dict[str, dict[str, Lines]] = {s.name: {} for s in everyone}
    for i, item in enumerate(items):
        start = i % len(everyone)
        for system in everyone[start:] + everyone[:start]:
            with watch.page(system.name):
                lines[system.name][item["image"]] = system.read(folder / item["image"])
    return lines


def markdown(rows: list[dict[str, Any]]) -> str:
    """The run as one table: a row per set and system (with the precision it ran at, where
    known), textlens's speed ratios in columns."""
    ours = list(rows[0]["speed_ratio"])
    head = ["set (pages)", "system", *METRICS, "pages/s", *(f"{n} speed ratio" for n in ours)]
    head += ["outside models", "peak RSS MiB"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        label = f"{row['set']} ({row['pages']})"
        for name, s in row["systems"].items():
            ratios = [
                f"{row['speed_ratio'][us][name]:.2f}x" if name not in ours else "" for us in ours
            ]
            share = s["outside_model_share"]
            system = f"{name} ({s['runs_at']})" if "runs_at" in s else name
            cells = [label, system, *(f"{s[k]:.3f}" for k in METRICS), f"{s['pages_per_s']:.2f}"]
            cells += [*ratios, "n/a" if share is None else f"{share:.1%}"]
            cells.append(str(s.get("peak_rss_mib", "")))
            out.append("| " + " | ".join(cells) + " |")
            label = ""
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="sroie,funsd,pdf_digital")
    ap.add_argument("--limit", type=int, default=0, help="first N pages of each set (0: all)")
    ap.add_argument("--param", action="append", default=[], help="k=v passed to textlens OCR()")
    ap.add_argument("--precisions", default="bf16,fp32", help="textlens's, one system each")
    ap.add_argument("--peers", default=",".join(systems.PEERS), help="comma list, or ''")
    ap.add_argument("--no-rss", action="store_true", help="skip the separate peak-RSS runs")
    ap.add_argument("--markdown", action="store_true", help="also print the run as a table")
    args = ap.parse_args()
    names = [n for n in args.peers.split(",") if n]
    if unknown := set(names) - set(systems.PEERS):
        ap.error(f"unknown peers {sorted(unknown)}; choose from {', '.join(systems.PEERS)}")
    params = dict(p.split("=", 1) for p in args.param)
    configs = textlens_configs(args.precisions.split(","), params)
    ours = [systems.textlens(name, config) for name, config in configs.items()]
    peers = [systems.PEERS[n]() for n in names]
    rows = []
    with Stopwatch().installed() as watch:
        for name in args.sets.split(","):
            folder, items = sets.load(name, args.limit)
            row = {"set": name, **compare(folder, items, ours, peers, watch)}
            if not args.no_rss:  # textlens alone over the set, in a fresh process
                paths = [str(folder / i["image"]) for i in items]
                for system, config in configs.items():
                    child = memory.in_child(paths, **config)
                    row["systems"][system]["peak_rss_mib"] = child["peak_rss_mib"]
            print(json.dumps(row), flush=True)
            rows.append(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"process_peak_rss_mib": round(peak, 1)}))
    if args.markdown:
        print(markdown(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
