"""The Python API against the hostile corpus: an InputError naming the file and the reason, in
well under a second of work each, with memory that does not grow."""

from __future__ import annotations

import re
import resource
import time

import pytest

from conftest import SAMPLES
from hostile.corpus import Entry, pdf_of_pages, refused_files, tiff_of_frames
from textlens.errors import InputError
from textlens.inputs import MAX_FRAMES, count_pages

ENTRIES = refused_files()
SECONDS = 5.0  # per entry, on a shared two-core machine; the real cost is milliseconds


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_each_hostile_file_is_an_input_error_naming_it(ocr, tmp_path, entry: Entry):
    path = tmp_path / entry.name
    path.write_bytes(entry.data)
    peak = _peak_mb()
    for given, label in ((path, str(path)), (entry.data, "input_0")):
        started = time.monotonic()
        with pytest.raises(InputError) as info:
            ocr.predict(given)
        assert time.monotonic() - started < SECONDS
        named, _, reason = str(info.value).partition(": ")
        assert named.startswith(label) and re.search(entry.reason, reason), info.value
    assert _peak_mb() - peak < 200  # a bomb decoded would take gigabytes


# Files whose header is whole: their damage is in the pixels, or in one page, and only decoding
# finds it. Every other entry is refused from its header alone.
WHOLE_HEADERS = {"cut_jpeg.jpg", "cut_png.png", "cut_tiff.tiff", "poster.pdf", "cyclic.pdf"}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_counting_refuses_from_the_header_what_the_header_shows(entry: Entry):
    """count_pages is what the service charges by and batch plans by: no pixel is decoded."""
    if entry.name in WHOLE_HEADERS:
        assert count_pages(entry.data, entry.name) == 1
        return
    with pytest.raises(InputError) as info:
        count_pages(entry.data, entry.name)
    assert re.search(entry.reason, str(info.value).partition(": ")[2]), info.value


def test_a_tiff_at_the_frame_limit_is_read_and_one_past_it_is_not():
    assert count_pages(tiff_of_frames(MAX_FRAMES), "at") == MAX_FRAMES
    with pytest.raises(InputError, match=f"more than {MAX_FRAMES} frames"):
        count_pages(tiff_of_frames(MAX_FRAMES + 1), "past")


def test_a_3000_page_pdf_is_counted_at_once_and_read_lazily(ocr):
    data = pdf_of_pages(3000)
    started = time.monotonic()
    assert count_pages(data, "long") == 3000
    first = next(iter(ocr.predict_iter(data)))
    assert first.page_index == 0 and time.monotonic() - started < SECONDS


@pytest.mark.parametrize("name", ["名前 über.png", "a\\b.png", "..png", " .png", "-i.png"])
def test_unicode_and_separators_in_file_names_are_only_names(ocr, tmp_path, name):
    path = tmp_path / name
    path.write_bytes((SAMPLES / "invoice.png").read_bytes())
    [result] = ocr.predict(path)
    written = result.save_to_json(tmp_path / "out")
    assert written == tmp_path / "out" / f"{path.stem}_res.json" and written.is_file()
    assert result.lines
