import io

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from textlens.errors import InputError
from textlens.inputs import Source, count_pages, expand, is_pdf, iter_pages, pages


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
    [first, second] = iter_pages(SAMPLES / "two_pages.pdf", pdf_dpi=144)
    assert first.image.shape[:2] == (1584, 1296)
    assert first.dpi == second.dpi == 144.0  # the page's resolution is the render's


def _png(dpi: tuple[int, int] | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG", **({"dpi": dpi} if dpi else {}))
    return buffer.getvalue()


def test_images_carry_the_dpi_they_record(tmp_path):
    path = tmp_path / "scan.png"
    path.write_bytes(_png((300, 300)))  # a pHYs chunk
    [from_file] = one(path)
    [from_bytes, from_pil] = one([path.read_bytes(), Image.open(path)])
    assert from_file.dpi == from_bytes.dpi == from_pil.dpi == pytest.approx(300, abs=0.01)
    [jpeg] = one(SAMPLES / "exif_rotated.jpg")
    assert jpeg.dpi == 72.0  # JFIF density


def test_pages_without_a_believable_dpi_have_none():
    assert [p.dpi for p in one([_png(), (SAMPLES / "invoice.png").read_bytes()])] == [None, None]
    assert [p.dpi for p in one(SAMPLES / "two_frames.tiff")] == [None, None]  # records 1 dpi
    assert one(np.zeros((20, 30, 3), np.uint8))[0].dpi is None


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


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "file is empty"),
        (b"this is not an image", "not a supported image"),
        (b"%PDF-1.7\nbroken", "cannot open PDF"),
    ],
)
def test_bad_files_name_the_file_and_the_reason(tmp_path, content, reason):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(content)
    with pytest.raises(InputError, match=reason) as info:
        one(bad)
    assert str(bad) in str(info.value)


@pytest.mark.parametrize(
    "name, cap, pdf, count",
    [
        ("two_pages.pdf", None, True, 2),
        ("two_pages.pdf", 1, True, 1),
        ("two_pages.pdf", 10, True, 2),
        ("two_frames.tiff", None, False, 2),
        ("two_frames.tiff", 1, False, 2),  # the cap is on PDF pages: every frame is read
        ("invoice.png", None, False, 1),
        ("exif_rotated.jpg", 1, False, 1),
    ],
)
def test_pages_are_counted_as_decoding_yields_them(name, cap, pdf, count):
    data = (SAMPLES / name).read_bytes()
    assert is_pdf(data) is pdf
    decoded = list(pages(Source(name, data=data), pdf_dpi=36, max_pdf_pages=cap))
    assert count_pages(data, name, max_pdf_pages=cap) == count == len(decoded)


def test_a_pdf_is_told_by_its_bytes():
    assert is_pdf(b"\n  %PDF-1.4 ...") and is_pdf(b"junk before the header %PDF-1.7")
    assert not is_pdf(_png()) and not is_pdf(b"a letter that mentions %PDF in passing")


@pytest.mark.filterwarnings("ignore:Corrupt EXIF data")
@pytest.mark.parametrize(
    "name, keep, reason",
    [
        ("two_pages.pdf", 5000, "cannot open PDF"),  # cut before its page table
        ("two_frames.tiff", -1000, "corrupt"),  # cut before its second frame's directory
        ("invoice.expected.txt", None, "not a supported image"),
    ],
)
def test_counting_a_corrupt_file_fails_as_decoding_does(name, keep, reason):
    data = (SAMPLES / name).read_bytes()[:keep]
    with pytest.raises(InputError, match=f"^bad: .*{reason}"):
        count_pages(data, "bad")
    with pytest.raises(InputError, match=f"^bad: .*{reason}"):
        list(pages(Source("bad", data=data)))


def test_truncated_jpeg_is_corrupt_not_a_crash(tmp_path):
    data = (SAMPLES / "exif_rotated.jpg").read_bytes()
    bad = tmp_path / "cut.jpg"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="corrupt"):
        one(bad)


@pytest.mark.parametrize(
    "input, reason",
    [
        ("/no/such/file.png", "no such file"),
        ("https://example.com/a.png", "not fetched"),
        (3.5, "unsupported input type"),
        (np.zeros((2, 3, 5), np.uint8), "not an image"),
        (np.zeros((0, 10, 3), np.uint8), "empty"),
    ],
)
def test_unusable_inputs(input, reason):
    with pytest.raises(InputError, match=reason):
        one(input)
