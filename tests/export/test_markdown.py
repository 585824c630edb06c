"""Markdown: headings by text size, prose reflowed, rows kept, markup escaped."""

from __future__ import annotations

import pytest

from export.made_pages import made_page
from textlens.export import EXPORTERS


def _md(*pages) -> str:
    return EXPORTERS["md"][1](list(pages)).decode("utf-8")


def test_headings_paragraphs_and_hyphenation():
    page = made_page(
        [
            ("A Title", [100, 40, 400, 80]),
            ("Body text that fills the whole col-", [100, 130, 600, 150]),
            ("umn and goes on to the next line of", [100, 154, 600, 174]),
            ("the paragraph.", [100, 178, 250, 198]),
        ]
    )
    assert _md(page) == (
        "# A Title\n\nBody text that fills the whole column and goes on to the"
        " next line of the paragraph.\n"
    )


def test_receipt_rows_keep_their_lines_and_markup_is_escaped():
    page = made_page(
        [
            ("*SPECIAL*", [100, 40, 260, 60]),
            ("Item_1", [100, 70, 200, 90]),
            ("12.50", [500, 70, 560, 90]),
            ("- Tax", [100, 100, 180, 120]),
            ("0.75", [500, 100, 560, 120]),
        ]
    )
    assert _md(page) == "\\*SPECIAL\\*  \nItem\\_1 12.50  \n\\- Tax 0.75\n"


def test_pages_are_separated_by_a_rule():
    one = made_page([("first page", [100, 40, 300, 60])])
    two = made_page([("second page", [100, 40, 300, 60])])
    assert _md(one, two) == "first page\n\n---\n\nsecond page\n"


@pytest.mark.slow
def test_real_paper_title_is_a_heading(tracemonkey):
    md = _md(*tracemonkey)
    assert md.startswith("# Trace-based Just-in-Time Type Specialization for Dynamic Languages")
    assert md.count("\n---\n") == len(tracemonkey) - 1
