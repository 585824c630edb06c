"""Plain text: each page's lines in reading order, pages separated by a form feed."""
from __future__ import annotations

from ..result import OCRResult


def to_txt(results: list[OCRResult]) -> bytes:
    return "\f".join(r.text + "\n" for r in results).encode("utf-8")
