"""PP-OCR jobs: model names, page ranges and the JSONL lines the client parses."""

from __future__ import annotations

import json

import pytest

from textlens.errors import InputError
from textlens.service.jobs.ppocr import family_of, parse_page_ranges, result_lines
from textlens.service.jobs.store import Job


@pytest.mark.parametrize(
    "model, family",
    [("PP-OCRv6", "PP-OCRv6"), ("PP-OCRv5", "PP-OCRv5"), ("PP-OCRv5-latin", "PP-OCRv6")],
)
def test_the_hosted_models_map_to_families(model, family):
    assert family_of(model) == family


def test_other_models_are_refused_with_a_reason():
    with pytest.raises(InputError, match="document-parsing"):
        family_of("PaddleOCR-VL-1.6")
    with pytest.raises(InputError, match="unknown model"):
        family_of("PP-OCRv9")


@pytest.mark.parametrize(
    "text, pages",
    [
        (None, [0, 1, 2, 3, 4]),
        ("", [0, 1, 2, 3, 4]),
        ("1-3,5", [0, 1, 2, 4]),
        ("4, 2", [1, 3]),
        ("2-3,3-4", [1, 2, 3]),
        ("5", [4]),
    ],
)
def test_page_ranges(text, pages):
    assert parse_page_ranges(text, 5) == pages


@pytest.mark.parametrize(
    "text, reason",
    [
        ("6", "past the end"),
        ("0", "from 1 up"),
        ("3-2", "from 1 up"),
        ("a", "not a page"),
        ("1-", "not a page"),
        ("-2", "not a page"),
    ],
)
def test_bad_page_ranges(text, reason):
    with pytest.raises(InputError, match=reason):
        parse_page_ranges(text, 5)


def _job(is_pdf: bool, total: int) -> Job:
    return Job(
        "j",
        "ppocr",
        None,
        None,
        {"is_pdf": is_pdf},
        total,
        total,
        "done",
        None,
        False,
        0.0,
        0.0,
        0.0,
    )


def test_each_page_is_a_line_and_the_last_carries_every_size():
    pages = [
        (
            0,
            {
                "prunedResult": {"rec_texts": ["a"]},
                "width": 10,
                "height": 20,
                "pictures": ["ocrImage", "inputImage"],
            },
        ),
        (1, {"prunedResult": {}, "errorMsg": "page 2: cannot render", "pictures": []}),
    ]
    text = "".join(result_lines(_job(True, 2), iter(pages), lambda name: f"L/{name}"))
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 2
    first, second = (line["result"] for line in lines)
    assert first["dataInfo"] == {"type": "pdf", "numPages": 2}
    assert second["dataInfo"]["pages"] == [{"width": 10, "height": 20}, {"width": 0, "height": 0}]
    assert first["ocrResults"] == [
        {
            "prunedResult": {"rec_texts": ["a"]},
            "ocrImage": "L/pages/0/ocr.jpg",
            "docPreprocessingImage": None,
            "inputImage": "L/pages/0/input.jpg",
        }
    ]
    assert second["ocrResults"][0]["errorMsg"] == "page 2: cannot render"


def test_an_image_has_the_image_data_info():
    pages = [(0, {"prunedResult": {}, "width": 7, "height": 9, "pictures": []})]
    line = json.loads("".join(result_lines(_job(False, 1), iter(pages), str)))
    assert line["result"]["dataInfo"] == {"type": "image", "width": 7, "height": 9}
