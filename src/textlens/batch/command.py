"""`textlens batch INPUT --out DIR [--workers N] [--ray [ADDRESS]] [--format json,txt,...]`.

Thin over run_batch. Failures of single files are listed as they happen and in summary.json;
the exit code is 1 when any file failed, 2 when the job itself could not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..flags import add_pipeline_flags, pipeline_args


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "batch",
        help="OCR a folder, list or manifest into per-page JSON (resumable)",
        description="OCR every image and PDF page of INPUT into DIR/<relative folder>/"
        "<stem>[_<page>]_res.json and DIR/summary.json. A rerun skips the pages "
        "already written.",
    )
    p.add_argument(
        "input",
        metavar="INPUT",
        help="a folder (walked recursively), a text file of paths, a JSONL manifest "
        "(an 'image' or 'path' key per line) or one image or PDF",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="output folder")
    p.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="engines running at once (processes, or Ray actors); default: one per core",
    )
    p.add_argument(
        "--ray",
        nargs="?",
        const=True,
        default=None,
        metavar="ADDRESS",
        help="run on Ray: ray://host:10001, host:6379 or auto; without ADDRESS, "
        "RAY_ADDRESS or a new local cluster",
    )
    p.add_argument(
        "--format",
        default="json",
        help="comma-separated outputs: json (always written, per page) and "
        "document formats: txt, md, hocr, alto, pdf",
    )
    p.add_argument("--config", help="PaddleX-style pipeline YAML naming each stage's model")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_pipeline_flags(p)
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from . import run_batch
    from .summary import SUMMARY_NAME

    summary = run_batch(
        args.input,
        args.out,
        workers=args.workers,
        ray=args.ray,
        formats=[f.strip() for f in args.format.split(",") if f.strip()],
        progress=not args.no_progress,
        config=args.config,
        **pipeline_args(args),
    )
    print(
        f"{summary.pages} page(s) written, {summary.pages_skipped} already done, "
        f"{len(summary.failures)} failure(s) in {summary.seconds:.1f} s "
        f"({summary.pages_per_second:.2f} pages/s); summary: {Path(summary.out) / SUMMARY_NAME}",
        file=sys.stderr,
    )
    return 1 if summary.failures else 0
