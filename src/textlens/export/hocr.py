"""hOCR 1.2: XHTML with one ocr_page per page, ocr_carea / ocr_par per block, ocr_line and
ocrx_word elements carrying `bbox` (page pixels) and, on words, `x_wconf` (0-100).

The recogniser scores lines, not words, so every word carries its line's confidence. Elements
follow the reading order, which is what tools reading hOCR (hocr-tools, OCRmyPDF's hOCR
renderer, search indexers) take as the text's order.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .. import __version__
from ..result import Line, OCRResult
from .page import page_dpi, union_box, words_of

XHTML = "http://www.w3.org/1999/xhtml"
_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
)
_CAPABILITIES = "ocr_page ocr_carea ocr_par ocr_line ocrx_word"


def _bbox(box: list[int]) -> str:
    return "bbox {} {} {} {}".format(*box)


def _el(parent: ET.Element, tag: str, cls: str, ident: str, title: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{XHTML}}}{tag}", {"class": cls, "id": ident, "title": title})


def _page(body: ET.Element, result: OCRResult, number: int) -> None:
    h, w = result.image.shape[:2]
    dpi = round(page_dpi(result))
    image = Path(result.input_path).name if result.input_path else result.file_stem
    title = f'image "{image}"; {_bbox([0, 0, w, h])}; ppageno {number - 1}; scan_res {dpi} {dpi}'
    page = _el(body, "div", "ocr_page", f"page_{number}", title)
    count = {"block": 0, "line": 0, "word": 0}

    def next_id(kind: str) -> str:
        count[kind] += 1
        return f"{kind}_{number}_{count[kind]}"

    for block in result.blocks:
        lines: list[Line] = [line for row in block for line in row]
        box = _bbox(union_box(lines))
        block_id = next_id("block")
        area = _el(page, "div", "ocr_carea", block_id, box)
        par = _el(area, "p", "ocr_par", block_id.replace("block", "par"), box)
        for line in lines:
            span = _el(par, "span", "ocr_line", next_id("line"), _bbox(line.box))
            conf = round(100 * line.score)
            for word in words_of(line):
                _el(
                    span, "span", "ocrx_word", next_id("word"), f"{_bbox(word.box)}; x_wconf {conf}"
                ).text = word.text


def to_hocr(results: list[OCRResult]) -> bytes:
    ET.register_namespace("", XHTML)
    html = ET.Element(f"{{{XHTML}}}html")
    head = ET.SubElement(html, f"{{{XHTML}}}head")
    ET.SubElement(head, f"{{{XHTML}}}title").text = results[0].name if results else ""
    for name, content in (
        ("ocr-system", f"textlens {__version__}"),
        ("ocr-capabilities", _CAPABILITIES),
        ("ocr-number-of-pages", str(len(results))),
    ):
        ET.SubElement(head, f"{{{XHTML}}}meta", {"name": name, "content": content})
    ET.SubElement(
        head,
        f"{{{XHTML}}}meta",
        {"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"},
    )
    body = ET.SubElement(html, f"{{{XHTML}}}body")
    for number, result in enumerate(results, 1):
        _page(body, result, number)
    ET.indent(html, space=" ")
    text = ET.tostring(html, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _DOCTYPE + text + "\n").encode("utf-8")
