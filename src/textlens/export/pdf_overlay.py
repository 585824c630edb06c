"""Searchable PDF of a PDF: the original pages, each with the OCR's invisible text on top.

Re-rendering a PDF's pages to images would cost what the PDF has: a 300-dpi scan comes back
at pdf_dpi, vector text and drawings become pixels. So when a document's results were
rendered from one PDF that is still at hand, the output is that PDF with every content
stream, image and font as it was; each page only gains one form XObject, the text layer that
pdf.py draws with reportlab (one overlay page per result, sized to the page as OCRed), and
two tiny content streams, `q` before the page's own and `Q q /Name Do Q` after them, so that
whatever state the page's streams leave behind cannot move the text. pypdf's merge_page would
parse and rewrite the page's streams, hence the XObject.

Where the pixels lie: pdfium renders a page's crop box (clipped to its media box) turned
clockwise by its /Rotate, at result.dpi, and document preprocessing may then turn the image
counter-clockwise by the doc angle. The text layer, in points over the image as OCRed, reaches
the page's own (unrotated) space by turning counter-clockwise by /Rotate minus the doc angle
and moving its lower-left corner onto the crop box's. Unwarped pages have no such mapping;
their documents get image pages (see pdf.py), as do images and PDFs that are gone, changed or
encrypted. A page that has its text already gets no layer (see SourcePdf).

Kept apart from pdf.py because this half is about reading and editing someone else's PDF.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, cast

from ..inputs import PDFIUM_LOCK, is_pdf
from ..result import OCRResult
from .page import page_dpi

if TYPE_CHECKING:
    from pypdf import PageObject, PdfReader

_LAYER = "/TextlensOCR"  # the text layer's XObject name; a digit is added if a page has it
_SLACK_PX = 2.0  # how far a page's rendered size may be off the OCRed image's (rounding)
_OWN_TEXT_SHARE = 0.5  # a page with this share of the OCR's characters has its text already


def _quarter_turns(degrees: int) -> int:
    """A rotation as pdfium counts it: truncated to quarter turns, 0-3."""
    return int(degrees / 90) % 4


def _shown_box(page: PageObject) -> tuple[float, float, float, float]:
    """(left, bottom, width, height) of what pdfium renders: crop box within media box."""
    media, crop = ([float(v) for v in box] for box in (page.mediabox, page.cropbox))
    left = max(min(media[0], media[2]), min(crop[0], crop[2]))
    bottom = max(min(media[1], media[3]), min(crop[1], crop[3]))
    right = min(max(media[0], media[2]), max(crop[0], crop[2]))
    top = min(max(media[1], media[3]), max(crop[1], crop[3]))
    return left, bottom, right - left, top - bottom


def _turn(result: OCRResult, page: PageObject) -> int:
    """Degrees counter-clockwise from the image as OCRed to the page's own space."""
    return 90 * (_quarter_turns(page.rotation) - _quarter_turns(max(result.doc_angle, 0)))


def _fits(page: PageObject, result: OCRResult) -> bool:
    """Whether `result` was OCRed from this page as it is now: its size, turned as rendered."""
    _, _, width, height = _shown_box(page)
    if _quarter_turns(_turn(result, page)) % 2:
        width, height = height, width
    scale = page_dpi(result) / 72.0
    rows, cols = result.image.shape[:2]
    return abs(width * scale - cols) <= _SLACK_PX and abs(height * scale - rows) <= _SLACK_PX


def _own_text(data: bytes, indices: list[int]) -> list[int]:
    """How many characters (white space aside) each page's own text layer holds, as pdfium
    reads it."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(data)
        try:
            counts = []
            for index in indices:
                page = pdf[index]
                text = page.get_textpage()
                counts.append(len("".join(text.get_text_range().split())))
                text.close()
                page.close()
            return counts
        finally:
            pdf.close()


@dataclass(frozen=True)
class SourcePdf:
    """The PDF a document's results were rendered from, and which of them get a text layer:
    a page whose own text layer already holds about what the OCR read (a born-digital page,
    or one OCRed before) is left as it is, since a second copy of its text would double every
    search hit and every copied line."""

    reader: PdfReader
    layered: tuple[bool, ...]  # per result


def source_pdf(results: list[OCRResult]) -> SourcePdf | None:
    """The PDF the results were rendered from, opened, when the text layer can go onto its
    pages: one readable, unencrypted PDF file, pages in order, none unwarped, each page the
    size it was OCRed at. None otherwise: the document gets image pages."""
    paths = {result.input_path for result in results}
    pages = [result.page_index for result in results if result.page_index is not None]
    if len(paths) != 1 or None in paths or len(pages) < len(results) or pages != sorted(set(pages)):
        return None
    if any(result.settings.use_doc_unwarping for result in results):
        return None
    import pypdfium2 as pdfium  # here: a document of images never needs pypdf
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        data = Path(str(next(iter(paths)))).read_bytes()
        if not is_pdf(data):
            return None
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted or pages[-1] >= len(reader.pages):
            return None
        if not all(_fits(reader.pages[i], r) for i, r in zip(pages, results)):
            return None
        own = _own_text(data, pages)
    except (OSError, PyPdfError, pdfium.PdfiumError, ValueError, KeyError, TypeError):
        return None  # gone, unreadable or malformed: the page images are the faithful copy
    read = (sum(len("".join(line.text.split())) for line in r.lines) for r in results)
    return SourcePdf(reader, tuple(n < _OWN_TEXT_SHARE * m for n, m in zip(own, read)))


def _matrix(turn: int, width: float, height: float, box: tuple[float, ...]) -> list[float]:
    """The form matrix taking a width x height layer, turned `turn` degrees, onto `box`."""
    cos, sin = ((1, 0), (0, 1), (-1, 0), (0, -1))[_quarter_turns(turn)]
    corners = [(cos * x - sin * y, sin * x + cos * y) for x in (0, width) for y in (0, height)]
    left, bottom = box[0] - min(x for x, _ in corners), box[1] - min(y for _, y in corners)
    return [cos, sin, -sin, cos, left, bottom]


def _put_layer(page: PageObject, layer: PageObject, turn: int) -> None:
    """Draw `layer` over `page` (a page of the writer) as a form XObject, leaving the page's
    content streams and the objects its resources name as they are."""
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        PdfObject,
        StreamObject,
    )

    writer = page.indirect_reference.pdf  # type: ignore[union-attr]
    form = cast(StreamObject, layer["/Contents"].get_object())  # reportlab: one per page
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): layer.mediabox,
            NameObject("/Resources"): layer["/Resources"],
            NameObject("/Matrix"): ArrayObject(
                FloatObject(v)
                for v in _matrix(
                    turn, layer.mediabox.width, layer.mediabox.height, _shown_box(page)
                )
            ),
        }
    )
    # resources may be shared between pages: this page gets its own two dictionaries, whose
    # values are the same objects
    resources = DictionaryObject(page.get("/Resources", DictionaryObject()).get_object())
    xobjects = DictionaryObject(resources.get("/XObject", DictionaryObject()).get_object())
    name = next(
        n
        for n in (_LAYER + (str(k) if k else "") for k in range(len(xobjects) + 1))
        if n not in xobjects
    )
    xobjects[NameObject(name)] = form.clone(writer).indirect_reference
    resources[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = resources

    contents = page.get("/Contents", ArrayObject()).get_object()
    streams = contents if isinstance(contents, ArrayObject) else [contents]
    own = [cast(PdfObject, stream).get_object() for stream in streams]
    page.pop("/Contents", None)  # else replace_contents would free the streams kept below
    before, after = DecodedStreamObject(), DecodedStreamObject()
    before.set_data(b"q\n")
    after.set_data(f"\nQ\nq {name} Do Q\n".encode("ascii"))
    page.replace_contents(ArrayObject([before, *own, after]))


def overlay(source: SourcePdf, results: list[OCRResult], layers: bytes) -> bytes:
    """The source PDF cut to the OCRed pages, page k of `layers` (the text layer of
    results[k], drawn by pdf.py) on top of each page that gets one."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=source.reader)
    kept = {result.page_index for result in results}
    for index in reversed(range(len(writer.pages))):
        if index not in kept:
            del writer.pages[index]  # type: ignore[attr-defined]
    if len(kept) < len(source.reader.pages):
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
    drawn = PdfReader(io.BytesIO(layers)).pages
    for page, layer, result, layered in zip(writer.pages, drawn, results, source.layered):
        if layered:
            _put_layer(page, layer, _turn(result, page))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
