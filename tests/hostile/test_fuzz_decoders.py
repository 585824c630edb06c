"""Fuzzing the input decoders: small valid files of every format, mutated (bits flipped, bytes
cut, inserted or overwritten, header fields set to extremes), then counted and decoded.

The only outcomes allowed are pages (BGR uint8, within the pixel limit) or an InputError; any
other exception, a hang past the deadline, or memory that grows is a finding, and each finding
becomes a case in REGRESSIONS. A mutated size field readily claims a page of 100 megapixels,
which the real limit allows, so the run lowers the limit to 2 megapixels: memory that grows
then means pixels were allocated before the limit was checked. The run is bounded (examples
per format, derandomised) so that it costs seconds in CI, and the same inputs come back on
every run.
"""

from __future__ import annotations

import io
import resource
from datetime import timedelta

import hypothesis
import numpy as np
import pytest
from hypothesis import strategies as st
from PIL import Image

from hostile.corpus import pdf_of_pages, tiff_of_frames
from textlens import inputs
from textlens.errors import InputError
from textlens.inputs import Source, count_pages, pages
from textlens.service.uploads import decode_base64

EXAMPLES = 150  # per format: 2000 each found nothing more than REGRESSIONS holds


def _image(fmt: str, **options: object) -> bytes:
    image = Image.new("RGB", (48, 32), "white")
    image.paste((20, 40, 200), (8, 8, 30, 20))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _turned() -> Image.Exif:
    """EXIF that says: turn the picture a quarter (orientation 6)."""
    exif = Image.Exif()
    exif[0x0112] = 6
    return exif


def _multi_frame_tiff() -> bytes:
    frames = [Image.new("L", (24, 16), shade) for shade in (0, 128, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    return buffer.getvalue()


SEEDS = {
    "png": _image("PNG"),
    "jpeg": _image("JPEG", exif=_turned()),
    "webp": _image("WEBP"),
    "bmp": _image("BMP"),
    "tiff": _multi_frame_tiff(),
    "tiff_lzw": _image("TIFF", compression="tiff_lzw"),
    "tiff_handmade": tiff_of_frames(3),
    "pdf": pdf_of_pages(2),
    "pdf_image": _image("PDF", resolution=72),
}


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """The seed with one to eight edits; the header (the first 64 bytes) is hit most often."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        end = len(data) if draw(st.booleans()) else min(len(data), 64)
        at = draw(st.integers(0, max(end - 1, 0)))
        edit = draw(st.sampled_from(["flip", "cut", "insert", "overwrite", "extreme"]))
        if edit == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[at:]
        elif edit == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif edit == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at : at + len(chunk)] = chunk
        else:  # a size, count or offset field at its largest or smallest
            data[at : at + 4] = draw(
                st.sampled_from([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff"])
            )
    return bytes(data)


def decode_all(data: bytes) -> int:
    """Count and decode every page; the pages must be what the engine expects."""
    try:
        counted = count_pages(data, "fuzz")
        decoded = list(pages(Source("fuzz", data=data), pdf_dpi=36))
    except InputError:
        return 0
    for page in decoded:
        image = page.image
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert 0 < image.shape[0] * image.shape[1] <= inputs.MAX_PIXELS
    assert len(decoded) == counted
    return len(decoded)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on broken EXIF and tags
@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutated_files_decode_or_fail_with_an_input_error(fmt, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_PIXELS", 2_000_000)
    assert decode_all(SEEDS[fmt]) >= 1  # the seed itself is good
    peak = _peak_mb()

    @hypothesis.given(data=mutated(SEEDS[fmt]))
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=timedelta(seconds=2),
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    def fuzz(data: bytes) -> None:
        decode_all(data)

    fuzz()
    assert _peak_mb() - peak < 100  # 2 megapixels are 6 MB as BGR


@hypothesis.given(
    text=st.text(max_size=200) | st.from_regex(r"data:[a-z/]*;base64,[A-Za-z0-9+/=\s]*")
)
@hypothesis.settings(max_examples=300, derandomize=True, database=None)
def test_base64_text_decodes_or_fails_with_an_input_error(text):
    try:
        assert decode_base64(text, "file")
    except InputError as exc:
        assert str(exc).startswith("file: ")


# Findings of the fuzzing above. Each raised past the decoders (a 500 "internal server error"
# on /ocr) before it was fixed.
REGRESSIONS = {
    # Pillow raised KeyError on a compression number it does not know, in a frame past the first
    "tiff_unknown_compression": tiff_of_frames(2, last_compression=0),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_regressions(name):
    with pytest.raises(InputError):
        count_pages(REGRESSIONS[name], name)
    with pytest.raises(InputError):
        list(pages(Source(name, data=REGRESSIONS[name])))
