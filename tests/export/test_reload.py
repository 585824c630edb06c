"""Saved results reload (`OCRResult.from_json`) and re-export (`textlens export`) as they were.

A reloaded result must give back the JSON it was saved as and export byte for byte what the
original exports, in every format; its page image comes from the caller, the preprocessed
image beside the JSON, or the input decoded again, and a missing one is a clear InputError.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import REPO, SAMPLES
from export.made_pages import made_page
from test_cli import textlens
from textlens import InputError, OCRResult
from textlens.export import EXPORTERS

FORMATS = ("txt", "md", "hocr", "alto", "pdf")
CASES = {
    "image": ("invoice.png", {}),
    "image, word boxes": ("invoice.png", {"return_word_box": True}),
    "pdf": ("two_pages.pdf", {}),
    "pdf, word boxes": ("two_pages.pdf", {"return_word_box": True}),
}


@pytest.fixture(scope="module", params=list(CASES))
def original(request, ocr) -> list[OCRResult]:
    name, params = CASES[request.param]
    return ocr.predict(str(SAMPLES / name), **params)


@pytest.fixture(scope="module")
def reloaded(original) -> list[OCRResult]:
    return [OCRResult.from_json(result.json) for result in original]


def _shape(result: OCRResult) -> list:
    """Everything a result says about its text, in plain values: lines (with their scores as
    the JSON keeps them), words, and the blocks and rows of the reading order."""
    lines = [
        (line.text, round(line.score, 6), line.poly.tolist(), [(w.text, w.box) for w in line.words])
        for line in result.lines
    ]
    blocks = [[[line.text for line in row] for row in block] for block in result.blocks]
    return [lines, blocks, result.text]


def _assert_same(reloaded: OCRResult, original: OCRResult) -> None:
    assert reloaded.json == original.json
    assert _shape(reloaded) == _shape(original)
    assert np.array_equal(reloaded.image, original.image)
    assert (reloaded.name, reloaded.dpi, reloaded.ext) == (
        original.name,
        original.dpi,
        original.ext,
    )


def test_a_result_reloads_from_its_json(original, reloaded):
    assert len(reloaded) == len(original)
    assert original[0].lines  # something to compare
    for again, first in zip(reloaded, original):
        _assert_same(again, first)
    if original[0].return_word_box:
        assert any(line.words for line in reloaded[0].lines)


def test_every_form_of_the_json_reloads(original, tmp_path):
    first = original[0]
    path = first.save_to_json(tmp_path)
    for data in (first.json["res"], first.to_string(), path, str(path)):
        _assert_same(OCRResult.from_json(data), first)


@pytest.mark.parametrize("fmt", FORMATS)
def test_reloaded_results_export_the_same_bytes(original, reloaded, fmt):
    write = EXPORTERS[fmt][1]
    assert write(reloaded) == write(original)


@pytest.fixture(params=["sideways.png", "two_pages.pdf"])
def preprocessed(request, ocr, tmp_path) -> tuple[OCRResult, Path]:
    """A page OCRed with orientation classification, saved with its images, its input gone."""
    copy = tmp_path / request.param
    shutil.copy(SAMPLES / request.param, copy)
    result = ocr.predict(str(copy), use_doc_orientation_classify=True)[0]
    saved = result.save_to_json(tmp_path / "out")
    result.save_to_img(tmp_path / "out")
    return result, saved


def test_a_preprocessed_page_reloads_from_its_saved_image(preprocessed):
    result, saved = preprocessed
    Path(result.input_path).unlink()  # only the preprocessed image can give the page now
    again = OCRResult.from_json(saved)
    assert again.json == result.json
    assert _shape(again) == _shape(result)
    assert np.array_equal(again.image, result.image)
    # hOCR and the PDF also give the page's resolution, which a saved PNG does not keep: with
    # the input there they match too (the next test)
    for fmt in ("txt", "md", "alto"):
        assert EXPORTERS[fmt][1]([again]) == EXPORTERS[fmt][1]([result])


def test_a_turned_page_is_turned_again_when_only_its_input_is_left(preprocessed):
    result, saved = preprocessed
    next(saved.parent.glob("*_preprocessed_img.*")).unlink()
    again = OCRResult.from_json(saved)
    _assert_same(again, result)
    assert np.array_equal(again.input_image, result.input_image)
    for fmt in FORMATS:
        assert EXPORTERS[fmt][1]([again]) == EXPORTERS[fmt][1]([result])


def test_the_sideways_page_really_is_turned(ocr):
    """The preprocessed tests mean something only if a page is turned: sideways.png is."""
    [result] = ocr.predict(str(SAMPLES / "sideways.png"), use_doc_orientation_classify=True)
    assert result.doc_angle in (90, 180, 270)
    assert result.image.shape != result.input_image.shape


def test_a_missing_image_is_a_clear_error(ocr, tmp_path):
    copy = tmp_path / "invoice.png"
    shutil.copy(SAMPLES / "invoice.png", copy)
    [result] = ocr.predict(str(copy))
    saved = result.save_to_json(tmp_path / "out")
    copy.unlink()
    with pytest.raises(InputError, match="page image is missing") as error:
        OCRResult.from_json(saved)
    assert str(copy) in str(error.value) and "image=" in str(error.value)
    _assert_same(OCRResult.from_json(saved, image=SAMPLES / "invoice.png"), result)


def test_a_preprocessed_page_without_its_images_names_both(ocr, tmp_path):
    copy = tmp_path / "sideways.png"
    shutil.copy(SAMPLES / "sideways.png", copy)
    [result] = ocr.predict(str(copy), use_doc_orientation_classify=True)
    saved = result.save_to_json(tmp_path)
    copy.unlink()
    with pytest.raises(InputError, match="sideways_preprocessed_img") as error:
        OCRResult.from_json(saved)
    assert str(copy) in str(error.value)


def test_an_in_memory_page_reloads_with_its_image_passed(ocr):
    page = np.array(Image.open(SAMPLES / "invoice.png").convert("RGB"))[:, :, ::-1]
    [result] = ocr.predict(page)
    with pytest.raises(InputError, match="in-memory image"):
        OCRResult.from_json(result.json)
    again = OCRResult.from_json(result.json, image=page)
    _assert_same(again, result)
    assert EXPORTERS["pdf"][1]([again]) == EXPORTERS["pdf"][1]([result])


def test_what_is_not_a_result_is_refused(tmp_path):
    with pytest.raises(InputError, match="not valid JSON"):
        OCRResult.from_json('{"res": ')
    with pytest.raises(InputError, match=r"not an OCR result \(no .*rec_texts"):
        OCRResult.from_json({"res": {"input_path": None}})
    with pytest.raises(InputError, match="cannot read"):
        OCRResult.from_json(tmp_path / "absent_res.json")


def _textlens(*args: object) -> subprocess.CompletedProcess:
    """The command as a user runs it, from the repo (so `-i samples/...` is a relative path)."""
    return textlens(*args, cwd=REPO)


def test_export_rewrites_the_documents_of_an_ocr_run(tmp_path):
    runs, again = tmp_path / "run", tmp_path / "again"
    ocr_run = _textlens(
        "ocr",
        "-i",
        "samples/two_pages.pdf",
        "--save_path",
        runs,
        "--format",
        "json," + ",".join(FORMATS),
    )
    assert ocr_run.returncode == 0, ocr_run.stderr
    saved = sorted(runs.glob("*_res.json"))
    assert [p.name for p in saved] == ["two_pages_0_res.json", "two_pages_1_res.json"]
    broken = runs / "broken_res.json"
    broken.write_text('{"res": {', encoding="utf-8")
    moved = json.loads(saved[0].read_text(encoding="utf-8"))
    moved["res"]["input_path"] = "gone/elsewhere.pdf"
    (runs / "elsewhere_0_res.json").write_text(json.dumps(moved), encoding="utf-8")

    run = _textlens(
        "export",
        *saved,
        broken,
        runs / "elsewhere_0_res.json",
        "--format",
        ",".join(FORMATS),
        "--save_path",
        again,
    )

    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    errors = [line for line in run.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2
    assert str(broken) in errors[0] and "not valid JSON" in errors[0]
    assert "gone/elsewhere.pdf is not there" in errors[1]
    assert f"wrote 1 document(s) of 2 page(s) to {again} (txt, md, hocr, alto, pdf)" in run.stderr
    written = sorted(p.name for p in again.iterdir())
    assert written == sorted(f"two_pages{EXPORTERS[fmt][0]}" for fmt in FORMATS)
    for name in written:
        assert (again / name).read_bytes() == (runs / name).read_bytes(), name


def test_export_reads_a_folder_and_refuses_a_bad_format(tmp_path):
    runs, again = tmp_path / "run", tmp_path / "again"
    assert _textlens("ocr", "-i", "samples/invoice.png", "--save_path", runs).returncode == 0
    run = _textlens("export", runs, "--format", "txt", "--save_path", again)
    assert run.returncode == 0, run.stderr
    assert (again / "invoice.txt").read_text(encoding="utf-8").split()[:3] == [
        "ACME",
        "OFFICE",
        "SUPPLIES",
    ]
    bad = _textlens("export", runs, "--format", "txt,docx", "--save_path", again)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: unknown --format docx") and "Traceback" not in bad.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_score_on_a_rounding_edge_exports_the_same_after_reloading(fmt):
    # 0.99994996 is 0.9999 to four places, but 0.99995 (saved to six) rounds to 1.0000
    page = made_page([("VAT 20%", [50, 50, 300, 80])], score=0.99994996, name="input_0")
    again = OCRResult.from_json(page.json, image=page.image)
    assert EXPORTERS[fmt][1]([again]) == EXPORTERS[fmt][1]([page])
