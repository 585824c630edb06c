"""The searchable PDF: page images with an invisible text layer poppler reads back (issue 5).

`pdftotext` of our PDF must score word_f1 within 0.02 of our JSON against the eval ground
truth, and `pdftotext -bbox` must find 90 % of our words where we put them (IoU >= 0.5).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from export.made_pages import made_page
from export.measures import iou, pdf_words, pdftotext, word_f1
from textlens.export import EXPORTERS


@pytest.fixture(scope="module")
def our_pdf(tracemonkey, tmp_path_factory) -> Path:
    # the results without their source PDF, whose own pages the export would keep instead
    # (test_pdf_original_pages.py): here the pages are images
    images = [dataclasses.replace(result, input_path=None) for result in tracemonkey]
    path = tmp_path_factory.mktemp("pdf") / "tracemonkey.pdf"
    path.write_bytes(EXPORTERS["pdf"][1](images))
    return path


@pytest.mark.slow
def test_one_page_per_result_sized_by_the_render_resolution(tracemonkey, our_pdf):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(our_pdf)
    assert len(pdf) == len(tracemonkey) == 2
    assert pdf[0].get_size() == pytest.approx((612, 792), abs=0.5)  # US Letter at 150 dpi


@pytest.mark.slow
def test_pdftotext_word_f1_matches_our_json(tracemonkey, tracemonkey_truth, our_pdf):
    for k, (result, truth) in enumerate(zip(tracemonkey, tracemonkey_truth), 1):
        ours = word_f1(truth["full_text"], "\n".join(result.json["res"]["rec_texts"]))
        extracted = word_f1(truth["full_text"], pdftotext(our_pdf, k))
        print(f"page {k}: word_f1 JSON {ours:.4f}, pdftotext of our PDF {extracted:.4f}")
        assert extracted >= ours - 0.02


@pytest.mark.slow
def test_pdftotext_finds_words_where_we_put_them(tracemonkey, our_pdf):
    hits = total = 0
    for k, result in enumerate(tracemonkey, 1):
        found = pdf_words(our_pdf, k, result.settings.pdf_dpi / 72)
        for line in result.lines:
            for word in line.words:
                total += 1
                # a hyphen ending a line is written as U+2010 (see export/pdf.py)
                same = [box for text, box in found if text.replace("\u2010", "-") == word.text]
                hits += max((iou(box, word.box) for box in same), default=0.0) >= 0.5
    print(f"{hits}/{total} words at IoU >= 0.5")
    assert total > 1500 and hits / total >= 0.9


@pytest.mark.skipif(
    not Path("/usr/share/poppler/cMap").is_dir(),
    reason="poppler-data (CJK CMaps for pdftotext) is not installed",
)
def test_cjk_and_hangul_words_are_extractable(tmp_path):
    page = made_page(
        [("文本识别 OCR 2019 年", [100, 100, 700, 140]), ("한국어 텍스트", [100, 200, 500, 240])]
    )
    path = tmp_path / "cjk.pdf"
    path.write_bytes(EXPORTERS["pdf"][1]([page]))
    text = pdftotext(path)
    assert "文本识别" in text.replace(" ", "") and "한국어" in text and "OCR" in text


def test_pages_without_word_boxes_still_get_a_text_layer(tmp_path):
    page = made_page([("Total due 12.50", [100, 100, 500, 130])])
    for line in page.lines:
        line.words = []
    path = tmp_path / "plain.pdf"
    path.write_bytes(EXPORTERS["pdf"][1]([page]))
    assert pdftotext(path).split() == ["Total", "due", "12.50"]
