"""Files as clients send them: base64 in its common shapes, and page counts read before OCR."""
from __future__ import annotations

import asyncio
import base64
import io

import pytest
from PIL import Image

from textlens.errors import InputError
from textlens.service.uploads import count_pages, decode_base64, is_pdf, read


def _png(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_base64_shapes_clients_send():
    data = _png()
    text = base64.b64encode(data).decode()
    assert decode_base64(text, "f") == data
    assert decode_base64("data:image/png;base64," + text, "f") == data
    assert decode_base64("\n".join(text[i:i + 76] for i in range(0, len(text), 76)), "f") == data
    assert decode_base64(text.rstrip("="), "f") == data  # padding left off


@pytest.mark.parametrize("text, reason", [("not base64!", "base64"), ("", "empty"),
                                          ("data:image/png;base64,", "empty")])
def test_bad_base64_is_an_input_error_naming_the_field(text, reason):
    with pytest.raises(InputError, match=f"images\\[3\\].*{reason}"):
        decode_base64(text, "images[3]")


def test_urls_are_refused_when_the_server_does_not_fetch():
    with pytest.raises(InputError, match="URL inputs are disabled"):
        asyncio.run(read("https://example.com/a.png", "file", None))


def test_page_counts(blank_pdf):
    assert count_pages(_png(), "f") == 1
    assert count_pages(blank_pdf(12), "f") == 12
    assert count_pages(blank_pdf(12), "f", max_pdf_pages=10) == 10
    assert count_pages(blank_pdf(3), "f", max_pdf_pages=10) == 3
    frames = [Image.new("RGB", (8, 8), c) for c in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="TIFF", save_all=True, append_images=frames[1:])
    assert count_pages(buffer.getvalue(), "f") == 3
    assert is_pdf(blank_pdf(1)) and not is_pdf(_png())


@pytest.mark.parametrize("data, reason", [(b"hello world", "not a supported image"),
                                          (b"%PDF-1.7 broken", "cannot open PDF")])
def test_unreadable_files_fail_before_any_work(data, reason):
    with pytest.raises(InputError, match=reason):
        count_pages(data, "file")
