"""The searchable PDF of a PDF: its own pages, untouched, with the OCR's text laid on top.

Checked with pypdf (every content stream and image of a page is still there, byte for byte)
and poppler (`pdftotext` reads our words, `-bbox` finds them where the OCR saw them, on pages
turned by /Rotate, by document orientation, or whose boxes do not start at the origin).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import ArrayObject, RectangleObject

from conftest import SAMPLES
from export.measures import iou, pdf_words, pdftotext, word_f1
from textlens.export import EXPORTERS
from textlens.result import OCRResult

SAMPLE = SAMPLES / "two_pages.pdf"  # two 100-dpi JPEG scans, no text of their own
to_pdf = EXPORTERS["pdf"][1]


def streams(page: PageObject) -> list[bytes]:
    """The page's content streams, decoded, in order."""
    contents = page["/Contents"].get_object()
    return (
        [s.get_object().get_data() for s in contents]
        if isinstance(contents, ArrayObject)
        else [contents.get_data()]
    )


def images(page: PageObject) -> set[tuple[int, int, bytes]]:
    """(width, height, data) of each image XObject the page's resources name."""
    xobjects = page["/Resources"].get_object().get("/XObject", {})
    found = (ref.get_object() for ref in xobjects.values())
    return {(x["/Width"], x["/Height"], x.get_data()) for x in found if x["/Subtype"] == "/Image"}


def assert_kept(original: Path, ours: Path) -> None:
    """Every page of `ours` runs the original page's content streams, unchanged and in
    order, and holds its images at their own size."""
    theirs, mine = PdfReader(original).pages, PdfReader(ours).pages
    assert len(mine) == len(theirs)
    for old, new in zip(theirs, mine):
        before, after = streams(old), streams(new)
        assert any(after[i : i + len(before)] == before for i in range(len(after)))
        assert images(old) <= images(new)


def shown(box: list[int], result: OCRResult) -> list[int]:
    """A word box of the image as OCRed, on the page as rendered: each quarter turn of the
    document orientation undone clockwise, (x, y) -> (height - y, x)."""
    height = result.image.shape[0]
    for turn in range(max(result.doc_angle, 0) // 90):
        box = [height - box[3], box[0], height - box[1], box[2]]
        height = result.image.shape[(turn + 1) % 2]  # the turned image is as tall as wide
    return box


def placed(results: list[OCRResult], pdf: Path, offset: tuple[float, float] = (0, 0)) -> float:
    """The share of the OCR's words `pdftotext -bbox` finds where the OCR saw them (IoU >= 0.5),
    in points on the page as shown; `offset`: where the crop box starts in the media box,
    poppler's frame."""
    hits = total = 0
    for k, result in enumerate(results, 1):
        found = pdf_words(pdf, k)
        for line in result.lines:
            for word in line.words:
                where = [
                    v * 72 / result.dpi + offset[i % 2]
                    for i, v in enumerate(shown(word.box, result))
                ]
                total += 1
                hits += max((iou(b, where) for t, b in found if t == word.text), default=0) >= 0.5
    return hits / max(total, 1)


def exported(results: list[OCRResult], path: Path) -> Path:
    path.write_bytes(to_pdf(results))
    return path


def test_the_sample_pdf_keeps_its_scans_and_gains_the_words(ocr, tmp_path):
    results = ocr.predict(str(SAMPLE), return_word_box=True)
    ours = exported(results, tmp_path / "ours.pdf")
    assert_kept(SAMPLE, ours)
    assert {(900, 1100)} == {(w, h) for page in PdfReader(ours).pages for w, h, _ in images(page)}
    assert "TOTAL DUE" in pdftotext(ours, 1)
    assert placed(results, ours) >= 0.9


def _variant(kind: str, path: Path) -> Path:
    """The sample's invoice page stored another way: looking the same, or (`turned N`) shown
    turned clockwise by a /Rotate of N."""
    writer = PdfWriter()
    page = writer.add_page(PdfReader(SAMPLE).pages[0])
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    if kind == "rotate 90":  # stored turned counter-clockwise, shown turned back
        page.add_transformation(Transformation().rotate(90).translate(height, 0))
        page.mediabox = RectangleObject([0, 0, height, width])
        page.rotation = 90
    elif kind == "rotate 270":
        page.add_transformation(Transformation().rotate(-90).translate(0, width))
        page.mediabox = RectangleObject([0, 0, height, width])
        page.rotation = 270
    elif kind == "origin and crop box":
        page.add_transformation(Transformation().translate(100, 200))
        page.mediabox = RectangleObject([100, 200, 100 + width, 200 + height])
        page.cropbox = RectangleObject([110, 215, 90 + width, 190 + height])
    else:
        page.rotation = int(kind.removeprefix("turned "))
    writer.write(path)
    return path


@pytest.mark.parametrize(
    "kind, offset",
    [("rotate 90", (0, 0)), ("rotate 270", (0, 0)), ("origin and crop box", (10, 10))],
)
def test_words_land_where_they_stand_on_the_page(ocr, tmp_path, kind, offset):
    source = _variant(kind, tmp_path / "source.pdf")
    [result] = ocr.predict(str(source), return_word_box=True)
    ours = exported([result], tmp_path / "ours.pdf")
    assert_kept(source, ours)
    assert "TOTAL DUE" in pdftotext(ours)
    assert placed([result], ours, offset) >= 0.9


@pytest.mark.parametrize("angle", [90, 180, 270])
def test_words_of_a_page_turned_upright_for_the_ocr_land_on_the_turned_page(ocr, tmp_path, angle):
    source = _variant(f"turned {angle}", tmp_path / "source.pdf")
    [result] = ocr.predict(str(source), return_word_box=True, use_doc_orientation_classify=True)
    assert result.doc_angle == angle
    ours = exported([result], tmp_path / "ours.pdf")
    assert_kept(source, ours)
    assert "TOTAL DUE" in pdftotext(ours)
    assert placed([result], ours) >= 0.9


def test_a_page_that_has_its_text_already_is_left_as_it_is(ocr, tmp_path):
    """Our own image-page PDF, OCRed again: a second text layer would double every word."""
    first = ocr.predict(str(SAMPLE), return_word_box=True)
    searchable = exported(
        [dataclasses.replace(r, input_path=None) for r in first], tmp_path / "a.pdf"
    )
    again = ocr.predict(str(searchable), return_word_box=True)
    ours = exported(again, tmp_path / "ours.pdf")
    for old, new in zip(PdfReader(searchable).pages, PdfReader(ours).pages):
        assert streams(new) == streams(old)
    assert pdftotext(ours) == pdftotext(searchable)


@pytest.mark.parametrize("why", ["gone", "changed", "unwarped"])
def test_a_source_that_cannot_take_the_layer_gets_image_pages(ocr, tmp_path, why):
    source = tmp_path / "source.pdf"
    source.write_bytes(SAMPLE.read_bytes())
    results = ocr.predict(str(source), return_word_box=True)
    if why == "gone":
        source.unlink()
    elif why == "changed":  # the page now shown sideways: the OCR's size no longer fits
        _variant("turned 90", source)
        results = results[:1]
    else:
        unwarped = dataclasses.replace(results[0].settings, use_doc_unwarping=True)
        results = [dataclasses.replace(r, settings=unwarped) for r in results]
    ours = exported(results, tmp_path / "ours.pdf")
    sizes = {(w, h) for page in PdfReader(ours).pages for w, h, _ in images(page)}
    assert len(PdfReader(ours).pages) == len(results)
    assert sizes == {(r.image.shape[1], r.image.shape[0]) for r in results}  # as OCRed
    assert "TOTAL DUE" in pdftotext(ours, 1)


# one page of each of the eval's PDFs, as it is (born digital) and as a 300-dpi scan of it
DIGITAL = {"tracemonkey": 2, "elegantnote_en": 3, "elegantnote_cn": 1}
SCANNED = {"tracemonkey": 1, "elegantnote_en": 2, "elegantnote_cn": 2}


def _truth(eval_data: Path, doc: str, page: int) -> str:
    manifest = (eval_data / "pdf_digital" / "manifest.jsonl").read_text(encoding="utf-8")
    [item] = [
        i for i in map(json.loads, manifest.splitlines()) if (i["doc"], i["page"]) == (doc, page)
    ]
    return item["full_text"]


@pytest.mark.parametrize("doc, page", SCANNED.items())
def test_a_scanned_eval_page_keeps_its_scan_and_reads_as_our_json(
    ocr, eval_data, tmp_path, doc, page
):
    pdf = pdfium.PdfDocument(eval_data / "pdf_digital" / "pdfs" / f"{doc}.pdf")
    scan = pdf[page - 1].render(scale=300 / 72).to_pil().convert("RGB")
    source = tmp_path / "scan.pdf"
    scan.save(source, resolution=300.0)
    [result] = ocr.predict(str(source), return_word_box=True)  # rendered at 150 dpi
    ours = exported([result], tmp_path / "ours.pdf")
    assert_kept(source, ours)
    [(width, height, _)] = images(PdfReader(ours).pages[0])
    assert (width, height) == scan.size  # the scan at its own 300 dpi
    truth = _truth(eval_data, doc, page)
    json_f1 = word_f1(truth, "\n".join(result.json["res"]["rec_texts"]))
    pdf_f1 = word_f1(truth, pdftotext(ours))
    print(f"{doc} p{page} scanned: word_f1 JSON {json_f1:.4f}, pdftotext of ours {pdf_f1:.4f}")
    assert abs(pdf_f1 - json_f1) <= 0.01


@pytest.mark.parametrize("doc, page", DIGITAL.items())
def test_a_born_digital_eval_page_is_left_as_it_is(ocr, eval_data, tmp_path, doc, page):
    writer = PdfWriter()
    writer.add_page(PdfReader(eval_data / "pdf_digital" / "pdfs" / f"{doc}.pdf").pages[page - 1])
    source = tmp_path / "digital.pdf"
    writer.write(source)
    [result] = ocr.predict(str(source), return_word_box=True)
    ours = exported([result], tmp_path / "ours.pdf")
    assert_kept(source, ours)
    assert streams(PdfReader(ours).pages[0]) == streams(PdfReader(source).pages[0])
    truth = _truth(eval_data, doc, page)
    json_f1 = word_f1(truth, "\n".join(result.json["res"]["rec_texts"]))
    pdf_f1 = word_f1(truth, pdftotext(ours))
    print(f"{doc} p{page} digital: word_f1 JSON {json_f1:.4f}, pdftotext of ours {pdf_f1:.4f}")
    assert pdftotext(ours) == pdftotext(source)
