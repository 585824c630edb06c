"""Plain text: each page in reading order, a blank line between blocks, pages split by \\f.

Lines that share a row (a key and its value) stay on one text line, as in `OCRResult.text`.
"""

from __future__ import annotations

from ..result import OCRResult


def page_text(result: OCRResult) -> str:
    return "\n\n".join(
        "\n".join(" ".join(line.text for line in row) for row in block) for block in result.blocks
    )


def to_txt(results: list[OCRResult]) -> bytes:
    return "\f".join(page_text(r) + "\n" for r in results).encode("utf-8")
