"""Peak memory of textlens on long PDFs and very large photos.

    python bench/memory.py pdf SOURCE.pdf --pages 100 --dpi 300
    python bench/memory.py image PHOTO.jpg

`pdf` builds a PDF of --pages pages by repeating SOURCE's pages (in a temporary folder), then
runs `OCR().predict_iter` over it at --dpi; `image` runs it over one image. Each measurement
runs in a fresh process so that nothing else has grown the heap, and prints one JSON line with
the pages read, seconds and that process's peak RSS in MiB.
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


def build_pdf(source: Path, pages: int, target: Path) -> None:
    """A PDF of `pages` pages, SOURCE's pages repeated in order."""
    import pypdfium2 as pdfium

    src = pdfium.PdfDocument(str(source))
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        take = list(range(min(len(src), pages - len(out))))
        out.import_pages(src, take)
    out.save(str(target))
    out.close()
    src.close()


def measure(paths: list[str], params: dict) -> dict:
    """Runs in the child: OCR every page of `paths`, report pages, seconds and peak RSS."""
    from textlens import OCR

    ocr = OCR(**params)
    start, pages, lines = time.perf_counter(), 0, 0
    for result in ocr.predict_iter(paths):
        pages += 1
        lines += len(result.lines)
    return {
        "file": Path(paths[0]).name,
        "pages": pages,
        "lines": lines,
        "seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mib": round(peak_rss_kib() / 1024, 1),
    }


def peak_rss_kib() -> int:
    """This process's peak resident memory since it started its program. Linux's VmHWM starts
    afresh at exec; getrusage's ru_maxrss does not, so a child forked from a big process (the
    benchmark holding two OCR systems) would report its parent's size."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def in_child(paths: list[str], **params) -> dict:
    """measure() in a fresh process, so that nothing this one loaded counts."""
    out = subprocess.run(
        [sys.executable, __file__, "_measure", json.dumps(paths), "--params", json.dumps(params)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=["pdf", "image", "_measure"])
    ap.add_argument("path")
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.kind == "_measure":
        print(json.dumps(measure(json.loads(args.path), json.loads(args.params))))
    elif args.kind == "image":
        print(json.dumps(in_child([args.path])))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / f"{Path(args.path).stem}_{args.pages}pages.pdf"
            build_pdf(Path(args.path), args.pages, target)
            print(json.dumps({**in_child([str(target)], pdf_dpi=args.dpi), "dpi": args.dpi}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
