"""hOCR 1.2 and ALTO v4 files parse with lxml and carry every line and word with its box."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from textlens.export import EXPORTERS
from textlens.export.page import words_of

pytestmark = pytest.mark.slow  # OCRs real pages

XHTML = {"h": "http://www.w3.org/1999/xhtml"}
ALTO = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}


def _expected(results) -> list[list[tuple[str, list[int], list[tuple[str, list[int]]]]]]:
    """Per page: (line text, line box, [(word, box)]) in reading order."""
    return [
        [
            (line.text, line.box, [(w.text, w.box) for w in words_of(line)])
            for block in r.blocks
            for row in block
            for line in row
        ]
        for r in results
    ]


def _bbox(title: str) -> list[int]:
    return [int(v) for v in re.search(r"bbox (\d+) (\d+) (\d+) (\d+)", title).groups()]


def _geometry(el) -> list[int]:
    x, y = int(el.get("HPOS")), int(el.get("VPOS"))
    return [x, y, x + int(el.get("WIDTH")), y + int(el.get("HEIGHT"))]


@pytest.fixture(scope="module")
def expected(tracemonkey):
    return _expected(tracemonkey)


def test_hocr_carries_every_line_and_word(tracemonkey, expected):
    root = etree.fromstring(EXPORTERS["hocr"][1](tracemonkey))
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"
    capabilities = root.xpath("//h:meta[@name='ocr-capabilities']/@content", namespaces=XHTML)
    assert capabilities[0].split() == ["ocr_page", "ocr_carea", "ocr_par", "ocr_line", "ocrx_word"]
    pages = root.xpath("//h:div[@class='ocr_page']", namespaces=XHTML)
    assert len(pages) == len(tracemonkey)
    for page, result, lines in zip(pages, tracemonkey, expected):
        height, width = result.image.shape[:2]
        assert _bbox(page.get("title")) == [0, 0, width, height]
        assert "scan_res 150 150" in page.get("title")
        found = []
        for line in page.xpath(
            ".//h:div[@class='ocr_carea']/h:p[@class='ocr_par']/h:span[@class='ocr_line']",
            namespaces=XHTML,
        ):
            words = line.xpath("h:span[@class='ocrx_word']", namespaces=XHTML)
            for word in words:
                assert 0 <= int(re.search(r"x_wconf (\d+)", word.get("title")).group(1)) <= 100
            found.append(
                (_bbox(line.get("title")), [(w.text, _bbox(w.get("title"))) for w in words])
            )
        assert found == [(box, words) for _, box, words in lines]
        assert sum(len(words) for _, _, words in lines) > 500


def test_alto_carries_every_line_and_word(tracemonkey, expected):
    root = etree.fromstring(EXPORTERS["alto"][1](tracemonkey))
    assert root.tag == "{http://www.loc.gov/standards/alto/ns-v4#}alto"
    assert root.findtext("a:Description/a:MeasurementUnit", namespaces=ALTO) == "pixel"
    pages = root.xpath("a:Layout/a:Page", namespaces=ALTO)
    assert len(pages) == len(tracemonkey)
    ids = root.xpath("//@ID")
    assert len(ids) == len(set(ids))
    for page, result, lines in zip(pages, tracemonkey, expected):
        height, width = result.image.shape[:2]
        assert (int(page.get("WIDTH")), int(page.get("HEIGHT"))) == (width, height)
        found = []
        for line in page.xpath("a:PrintSpace/a:TextBlock/a:TextLine", namespaces=ALTO):
            strings = line.xpath("a:String", namespaces=ALTO)
            for s in strings:
                assert 0.0 <= float(s.get("WC")) <= 1.0
            assert len(line.xpath("a:SP", namespaces=ALTO)) == max(len(strings) - 1, 0)
            found.append((_geometry(line), [(s.get("CONTENT"), _geometry(s)) for s in strings]))
        assert found == [(box, words) for _, box, words in lines]
