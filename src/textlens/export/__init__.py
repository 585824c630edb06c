"""Document exporters: each turns one input document's page results into one file.

They read OCRResult only. EXPORTERS maps a --format name to (file suffix, writer); a writer
takes the document's results in page order and returns the file's bytes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..files import atomic_write
from ..result import OCRResult
from .alto import to_alto
from .hocr import to_hocr
from .markdown import to_markdown
from .pdf import to_pdf
from .text import to_txt

Writer = Callable[[list[OCRResult]], bytes]

EXPORTERS: dict[str, tuple[str, Writer]] = {
    "txt": (".txt", to_txt),
    "md": (".md", to_markdown),
    "hocr": (".hocr", to_hocr),
    "alto": (".alto.xml", to_alto),
    "pdf": (".pdf", to_pdf),
}


# Formats that place each word: they want the recogniser's word boxes (return_word_box), else
# they spread a line's words evenly over it.
WORD_FORMATS = frozenset({"hocr", "alto", "pdf"})


def document_formats(formats: Sequence[str], flag: str = "format") -> list[str]:
    """The requested formats besides the per-page JSON, each once, checked against EXPORTERS;
    `flag` names the option in the error (the CLI says --format)."""
    unknown = [f for f in formats if f != "json" and f not in EXPORTERS]
    if unknown:
        raise ConfigError(
            f"unknown {flag} {', '.join(unknown)}: choose from json, {', '.join(EXPORTERS)}"
        )
    return [f for f in dict.fromkeys(formats) if f != "json"]


def with_word_boxes(params: dict[str, Any], documents: Sequence[str]) -> dict[str, Any]:
    """Engine parameters for writing `documents`: formats that place words get the
    recogniser's word boxes unless the caller said otherwise."""
    if WORD_FORMATS.intersection(documents):
        return {"return_word_box": True, **params}
    return params


def document_path(save_path: str | Path, stem: str, fmt: str) -> Path:
    """Where a document goes: `save_path/<stem><suffix>` (`paper.txt`, `paper.alto.xml`)."""
    return Path(save_path) / f"{stem}{EXPORTERS[fmt][0]}"


def export(results: list[OCRResult], fmt: str, save_path: str | Path, stem: str) -> Path:
    """Write one document in one format to document_path(...), atomically."""
    target = document_path(save_path, stem, fmt)
    atomic_write(target, EXPORTERS[fmt][1](results))
    return target
