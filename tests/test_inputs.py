import io

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from textlens.errors import InputError
from textlens.inputs import expand, iter_pages


def one(input):
    return list(iter_pages(input))


def test_png_path_is_one_page_without_index():
    [page] = one(SAMPLES / "invoice.png")
    assert page.image.shape == (1100, 900, 3) and page.image.dtype == np.uint8
    assert page.name == "invoice" and page.page_index is None and page.ext == ".png"


def test_exif_orientation_is_applied_first():
    [page] = one(SAMPLES / "exif_rotated.jpg")
    assert page.image.shape[:2] == (1100, 900)  # stored 900 tall, shown upright
    upright = np.asarray(Image.open(SAMPLES / "invoice.png").convert("RGB"))[:, :, ::-1]
    assert np.abs(page.image.astype(int) - upright.astype(int)).mean() < 6


def test_every_tiff_frame_and_pdf_page():
    assert [p.page_index for p in one(SAMPLES / "two_frames.tiff")] == [0, 1]
    pages = list(iter_pages(SAMPLES / "two_pages.pdf", pdf_dpi=72))
    assert [p.page_index for p in pages] == [0, 1]
    assert pages[0].image.shape == (792, 648, 3)  # 9 x 11 in at 100 dpi, drawn at 72 dpi


def test_pdf_render_dpi():
    [first, _] = iter_pages(SAMPLES / "two_pages.pdf", pdf_dpi=144)
    assert first.image.shape[:2] == (1584, 1296)


def test_bytes_arrays_and_pil_images():
    data = (SAMPLES / "invoice.png").read_bytes()
    pil = Image.open(io.BytesIO(data))
    grey = np.zeros((20, 30), np.uint8)
    bgra = np.zeros((20, 30, 4), np.uint8)
    pages = one([data, pil, grey, bgra])
    assert [p.name for p in pages] == ["input_0", "input_1", "input_2", "input_3"]
    assert all(p.image.shape[2] == 3 for p in pages)


def test_folders_and_globs(tmp_path):
    for name in ("b.png", "a.png"):
        (tmp_path / name).write_bytes((SAMPLES / "invoice.png").read_bytes())
    (tmp_path / "notes.md").write_text("not a document")
    assert [s.name for s in expand(str(tmp_path))] == ["a", "b"]
    assert [s.name for s in expand(str(tmp_path / "*.png"))] == ["a", "b"]


@pytest.mark.parametrize("content, reason", [
    (b"", "file is empty"),
    (b"this is not an image", "not a supported image"),
    (b"%PDF-1.7\nbroken", "cannot open PDF"),
])
def test_bad_files_name_the_file_and_the_reason(tmp_path, content, reason):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=reason) as info:
        one(bad)
    assert str(bad) in str(info.value)


def test_truncated_jpeg_is_corrupt_not_a_crash(tmp_path):
    data = (SAMPLES / "exif_rotated.jpg").read_bytes()
    bad = tmp_path / "cut.jpg"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="corrupt"):
        one(bad)


@pytest.mark.parametrize("input, reason", [
    ("/no/such/file.png", "no such file"),
    ("https://example.com/a.png", "not fetched"),
    (3.5, "unsupported input type"),
    (np.zeros((2, 3, 5), np.uint8), "not an image"),
    (np.zeros((0, 10, 3), np.uint8), "empty"),
])
def test_unusable_inputs(input, reason):
    with pytest.raises(InputError, match=reason):
        one(input)
