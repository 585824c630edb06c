"""ALTO v4 XML: one Page per page, a TextBlock per block, TextLine and String elements.

Positions are page pixels (MeasurementUnit pixel): HPOS/VPOS the top-left corner, WIDTH and
HEIGHT the size. WC is the confidence in [0, 1]; the recogniser scores lines, so a String
carries its line's. SP elements mark the spaces between words, as ALTO readers expect when
they rebuild a line's text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .. import __version__
from ..result import Line, OCRResult
from .page import union_box, words_of

ALTO = "http://www.loc.gov/standards/alto/ns-v4#"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA = f"{ALTO} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"


def _el(parent: ET.Element, tag: str, attrs: dict[str, str] | None = None) -> ET.Element:
    return ET.SubElement(parent, f"{{{ALTO}}}{tag}", attrs or {})


def _geometry(box: list[int]) -> dict[str, str]:
    x0, y0, x1, y1 = box
    return {"HPOS": str(x0), "VPOS": str(y0), "WIDTH": str(x1 - x0), "HEIGHT": str(y1 - y0)}


def _line(block: ET.Element, line: Line, ids: str) -> None:
    el = _el(block, "TextLine", {"ID": ids, **_geometry(line.box)})
    words = words_of(line)
    for k, word in enumerate(words):
        if k:  # the space between this word and the previous one
            gap_x0, gap_x1 = words[k - 1].box[2], max(word.box[0], words[k - 1].box[2])
            _el(
                el,
                "SP",
                {"HPOS": str(gap_x0), "VPOS": str(word.box[1]), "WIDTH": str(gap_x1 - gap_x0)},
            )
        _el(
            el,
            "String",
            {
                "ID": f"{ids}_w{k + 1}",
                "CONTENT": word.text,
                **_geometry(word.box),
                "WC": f"{line.score:.4f}",
            },
        )


def _page(layout: ET.Element, result: OCRResult, number: int) -> None:
    h, w = result.image.shape[:2]
    page = _el(
        layout,
        "Page",
        {"ID": f"p{number}", "PHYSICAL_IMG_NR": str(number), "WIDTH": str(w), "HEIGHT": str(h)},
    )
    space = _el(page, "PrintSpace", _geometry([0, 0, w, h]))
    line_no = 0
    for b, block in enumerate(result.blocks, 1):
        lines = [line for row in block for line in row]
        el = _el(space, "TextBlock", {"ID": f"p{number}_b{b}", **_geometry(union_box(lines))})
        for line in lines:
            line_no += 1
            _line(el, line, f"p{number}_l{line_no}")


def to_alto(results: list[OCRResult]) -> bytes:
    ET.register_namespace("", ALTO)
    ET.register_namespace("xsi", _XSI)
    root = ET.Element(f"{{{ALTO}}}alto", {f"{{{_XSI}}}schemaLocation": _SCHEMA})
    description = _el(root, "Description")
    _el(description, "MeasurementUnit").text = "pixel"
    source = _el(description, "sourceImageInformation")
    first = results[0] if results else None
    _el(source, "fileName").text = (
        Path(first.input_path).name if first and first.input_path else first.name if first else ""
    )
    processing = _el(description, "Processing", {"ID": "ocr"})
    _el(processing, "processingStepDescription").text = "contentGeneration"
    software = _el(processing, "processingSoftware")
    _el(software, "softwareName").text = "textlens"
    _el(software, "softwareVersion").text = __version__
    layout = _el(root, "Layout")
    for number, result in enumerate(results, 1):
        _page(layout, result, number)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"
