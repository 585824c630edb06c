"""`textlens ocr --format ...` writes one file per document in each format (issue 5)."""

from __future__ import annotations

from lxml import etree

from conftest import SAMPLES
from export.measures import pdftotext
from textlens.cli import main

HOCR = "{http://www.w3.org/1999/xhtml}"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"


def test_cli_writes_every_format(tmp_path):
    image = SAMPLES / "invoice.png"
    code = main(
        [
            "ocr",
            "-i",
            str(image),
            "--save_path",
            str(tmp_path),
            "--format",
            "json,txt,md,hocr,alto,pdf",
        ]
    )
    assert code == 0
    stem = image.stem
    names = {p.name for p in tmp_path.iterdir()}
    assert {
        f"{stem}.txt",
        f"{stem}.md",
        f"{stem}.hocr",
        f"{stem}.alto.xml",
        f"{stem}.pdf",
        f"{stem}_res.json",
    } <= names
    text = (tmp_path / f"{stem}.txt").read_text(encoding="utf-8")
    words = text.split()
    assert "TOTAL" in words and len(words) > 40
    extracted = pdftotext(tmp_path / f"{stem}.pdf").split()
    assert sum(w in extracted for w in words) >= 0.9 * len(words)
    # hOCR and ALTO parse, and hold every word of the text, in the same order
    hocr = etree.parse(str(tmp_path / f"{stem}.hocr"))
    hocr_words = [e.text for e in hocr.iter(f"{HOCR}span") if e.get("class") == "ocrx_word"]
    alto = etree.parse(str(tmp_path / f"{stem}.alto.xml"))
    alto_words = [e.get("CONTENT") for e in alto.iter(f"{ALTO}String")]
    assert hocr_words == alto_words == words
