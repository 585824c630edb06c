"""Markdown: blocks become paragraphs or headings, in reading order; pages split by a rule.

Prose blocks (rows that fill the block's width) are reflowed into one paragraph, with words
broken by a hyphen at a line's end joined again. Other blocks (a receipt's rows, an address)
keep their rows, one per line with a hard break. A short block set clearly larger than the
page's body text is a heading: `#` from twice the body's height, `##` from 1.5 times
(detected line heights wobble by a quarter with ascenders and descenders, so smaller steps
would turn body lines into headings).
Characters Markdown would read as markup are escaped.
"""

from __future__ import annotations

import re
from statistics import median

from ..result import Line, OCRResult
from .page import union_box

_H1, _H2 = 2.0, 1.5  # heading levels, as multiples of the body text's height
_FILLED = 0.75  # a prose row fills at least this share of its block's width
_INLINE = re.compile(r"([\\`*_\[\]<>])")
_LINE_START = re.compile(r"^(\s*)([#>+=-])")
_LIST_NUMBER = re.compile(r"^(\s*\d+)([.)])(?=\s|$)")
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-$")


def _escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\1\\\2", text)
    return _LIST_NUMBER.sub(r"\1\\\2", text)


def _height(line: Line) -> float:
    return float(line.box[3] - line.box[1])


def _is_prose(block: list[list[Line]]) -> bool:
    """Rows of single lines that (all but the last) fill the block's width."""
    if len(block) < 2 or any(len(row) != 1 for row in block):
        return False
    x0, _, x1, _ = union_box([row[0] for row in block])
    return all(_width(row[0]) >= _FILLED * (x1 - x0) for row in block[:-1])


def _width(line: Line) -> float:
    return float(line.box[2] - line.box[0])


def _reflow(rows: list[str]) -> str:
    """Rows of a paragraph as one line; a word hyphenated across rows is joined again."""
    text = rows[0]
    for row in rows[1:]:
        if _HYPHENATED.search(text) and row[:1].islower():
            text = text[:-1] + row
        else:
            text = f"{text} {row}"
    return text


def _block_markdown(block: list[list[Line]], body_height: float) -> str:
    rows = [" ".join(line.text for line in row) for row in block]
    height = median(_height(line) for row in block for line in row)
    if len(block) <= 2 and height >= _H2 * body_height:
        level = "#" if height >= _H1 * body_height else "##"
        return f"{level} {_escape(' '.join(rows))}"
    if _is_prose(block):
        return _escape(_reflow(rows))
    return "  \n".join(_escape(row) for row in rows)


def page_markdown(result: OCRResult) -> str:
    if not result.lines:
        return ""
    body_height = median(_height(line) for line in result.lines)
    return "\n\n".join(_block_markdown(block, body_height) for block in result.blocks)


def to_markdown(results: list[OCRResult]) -> bytes:
    pages = [page_markdown(r) for r in results]
    return ("\n\n---\n\n".join(pages) + "\n").encode("utf-8")
