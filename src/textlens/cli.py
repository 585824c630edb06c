"""The `textlens` command: ocr, models (and the faces that register themselves: serve, batch,
export).

Thin over the Python API: flags are generated from textlens.config, work is done by OCR.
Failures print one line each, never a stack trace, and the exit code tells whether any failed.
"""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys

from .errors import TextlensError
from .flags import add_pipeline_flags, pipeline_args
from .florence2 import command as florence_command

# Modules that add their own subcommand with register(subparsers).
_FACES: tuple[str, ...] = (
    "textlens.service.command",
    "textlens.batch.command",
    "textlens.export.command",
)


def _ocr_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ocr",
        help="OCR images and PDFs",
        description="OCR images and PDFs with the General OCR pipeline.",
    )
    p.add_argument(
        "-i", "--input", required=True, action="append", help="file, folder or glob (repeatable)"
    )
    p.add_argument("--save_path", help="folder for <stem>_res.json, images and exports")
    p.add_argument(
        "--format",
        default="json",
        help="comma-separated outputs with --save_path: json (per page, with "
        "visualisation) and document formats",
    )
    p.add_argument("--config", help="PaddleX-style pipeline YAML naming each stage's model")
    add_pipeline_flags(p)
    florence_command.add_flags(p)
    p.set_defaults(run=_run_ocr)


def _run_ocr(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .export import document_formats, export, with_word_boxes
    from .inputs import expand
    from .pipeline import OCR

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    documents = document_formats(formats, "--format")
    params = pipeline_args(args)
    if args.engine == "florence2":
        read, shown = florence_command.reader(args, params, documents)
    else:
        florence_command.refuse_flags(args)
        if args.save_path:
            params = with_word_boxes(params, documents)
        ocr = OCR(config=args.config, **params)
        read, shown = (lambda source: (r for _, r in ocr.read([source]))), (lambda r: r.text)
    sources, failures = [], 0
    for text in args.input:
        try:
            sources.extend(expand(text))
        except TextlensError as exc:
            failures += 1
            print(f"error: {exc}", file=sys.stderr)
    # A bar only where a person watches: in a log its carriage returns garble the error lines.
    bar = tqdm(
        total=len(sources),
        unit="file",
        file=sys.stderr,
        disable=len(sources) < 2 or not sys.stderr.isatty(),
    )
    written, files_done = 0, 0
    for source in sources:
        try:
            results = []
            for result in read(source):
                if args.save_path and "json" in formats:
                    result.save_to_json(args.save_path)
                    result.save_to_img(args.save_path)
                if not args.save_path:
                    print(shown(result), flush=True)
                results.append(result)
            for fmt in documents if args.save_path else ():
                export(results, fmt, args.save_path, source.name)
            written += len(results)
            files_done += 1
        except BrokenPipeError:
            raise  # the reader has gone (`| head`): stop reading pages, see main()
        except TextlensError as exc:
            failures += 1
            bar.write(f"error: {exc}", file=sys.stderr)
        except Exception as exc:  # a bug of ours must not stop the other files either
            failures += 1
            bar.write(
                f"error: {source.label}: internal error ({type(exc).__name__}: {exc})",
                file=sys.stderr,
            )
        bar.update(1)
    bar.close()
    if args.save_path:
        print(
            f"wrote {written} page(s) of {files_done} file(s) to "
            f"{args.save_path} ({', '.join(formats)})",
            file=sys.stderr,
        )
    if failures:
        print(f"{failures} input(s) failed, {len(sources)} file(s) read", file=sys.stderr)
    return 1 if failures else 0


def _models_command(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("models", help="list the models, their packages, sizes and licences")
    p.set_defaults(run=_run_models)


def _run_models(args: argparse.Namespace) -> int:
    from .models import catalogue_rows

    rows = catalogue_rows()
    keys = ["model", "stage", "package", "size", "licence"]
    widths = {k: max(len(k), *(len(r[k]) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(r[k].ljust(widths[k]) for k in keys))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="textlens", description="Offline document OCR.")
    sub = parser.add_subparsers(dest="command", required=True)
    _ocr_command(sub)
    _models_command(sub)
    for module in _FACES:
        importlib.import_module(module).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except TextlensError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader closed the pipe (`| head -1`): end quietly with the status a Unix tool
        # killed by SIGPIPE has. Python flushes stdout again at exit; point it at /dev/null so
        # that flush cannot raise a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE


if __name__ == "__main__":
    sys.exit(main())
