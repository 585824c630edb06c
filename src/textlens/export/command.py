"""`textlens export FILE... --format txt,md,hocr,alto,pdf --save_path DIR`: documents from saved
results, without running OCR again.

Each `*_res.json` (for a folder: every one below it) is reloaded as OCRResult.from_json reloads
it (reload.py). Pages are grouped into their documents by `input_path`, in `page_index` order,
and each document is written in each format under the name `textlens ocr` gives it, so a
re-export lands on the files of the first run. A bad file costs its document only: the exit code
is 1 when any failed, 2 for a usage error. Registering the subcommand imports nothing that only
running it needs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ConfigError, InputError, TextlensError

if TYPE_CHECKING:
    from ..reload import Record


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export",
        help="write txt, md, hOCR, ALTO or PDF documents from saved *_res.json (no OCR)",
        description="Write documents from the per-page JSON of an earlier run, without OCR. "
        "Pages are grouped into documents by input_path; the page images come from the "
        "<stem>_preprocessed_img files beside the JSON when preprocessing ran, else from the "
        "inputs themselves.",
    )
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="*_res.json files, or folders (every *_res.json below them)",
    )
    p.add_argument(
        "--format", required=True, help="comma-separated document formats: txt, md, hocr, alto, pdf"
    )
    p.add_argument("--save_path", required=True, metavar="DIR", help="folder for the documents")
    p.add_argument(
        "--pdf_dpi",
        type=int,
        help="the pdf_dpi the PDFs were OCRed at, if not the default (the JSON does not record it)",
    )
    p.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    from ..config import resolve
    from ..reload import load_document, read_record
    from . import EXPORTERS, document_formats, export

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    documents = document_formats(formats, "--format")
    if not documents or "json" in formats:
        raise ConfigError(
            f"--format: choose document formats from {', '.join(EXPORTERS)} (export reads the JSON)"
        )
    resolve(None, pdf_dpi=args.pdf_dpi)  # a bad --pdf_dpi is a usage error, not one per file
    failures, files, records = 0, [], []
    for arg in args.files:
        try:
            files.extend(_result_files(Path(arg)))
        except InputError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
    for path in dict.fromkeys(files):
        try:
            records.append(read_record(path))
        except TextlensError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
    written = pages = 0
    for group in _documents(records):
        try:
            _check_pages_once(group)
            results = load_document(group, args.pdf_dpi)
            for fmt in documents:
                export(results, fmt, args.save_path, results[0].name)
            written, pages = written + 1, pages + len(results)
        except TextlensError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
        except Exception as exc:  # a bug of ours must not stop the other documents either
            failures += 1
            print(
                f"error: {group[0].label}: internal error ({type(exc).__name__}: {exc})",
                file=sys.stderr,
            )
    print(
        f"wrote {written} document(s) of {pages} page(s) to {args.save_path} "
        f"({', '.join(documents)})",
        file=sys.stderr,
    )
    if failures:
        print(f"{failures} failure(s), {len(records)} result(s) read", file=sys.stderr)
    return 1 if failures else 0


def _result_files(path: Path) -> list[Path]:
    """The results an argument names: itself, or every `*_res.json` below a folder (a
    `textlens batch` output keeps its inputs' subfolders)."""
    from ..result import RESULT_SUFFIX

    if not path.is_dir():
        return [path]  # read_record reports one that is not there
    found = sorted(path.rglob(f"*{RESULT_SUFFIX}"))
    if not found:
        raise InputError(f"{path}: folder holds no *{RESULT_SUFFIX}")
    return found


def _documents(records: list[Record]) -> list[list[Record]]:
    """Records grouped by the input they were read from, each group in page order; results of
    in-memory inputs (no input_path) by the name their JSON files give them."""
    groups: dict[tuple[str | None, str], list[Record]] = {}
    for record in records:
        groups.setdefault((record.res["input_path"], record.name), []).append(record)
    return [sorted(group, key=lambda r: r.res["page_index"] or 0) for group in groups.values()]


def _check_pages_once(group: list[Record]) -> None:
    """Refuse a document two files give the same page of (two runs' outputs mixed)."""
    indices = [record.res["page_index"] for record in group]
    if len(set(indices)) < len(indices):
        raise InputError(
            f"{group[0].res['input_path'] or group[0].name}: a page is in more than one of "
            f"{', '.join(record.label for record in group)}"
        )
