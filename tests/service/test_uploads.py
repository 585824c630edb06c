"""Files as clients send them: base64 in its common shapes (page counts: test_inputs)."""

from __future__ import annotations

import asyncio
import base64
import io

import pytest
from PIL import Image

from textlens.errors import InputError
from textlens.service.uploads import decode_base64, read


def _png(size=(8, 6)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_base64_shapes_clients_send():
    data = _png()
    text = base64.b64encode(data).decode()
    assert decode_base64(text, "f") == data
    assert decode_base64("data:image/png;base64," + text, "f") == data
    assert decode_base64("\n".join(text[i : i + 76] for i in range(0, len(text), 76)), "f") == data
    assert decode_base64(text.rstrip("="), "f") == data  # padding left off


@pytest.mark.parametrize(
    "text, reason", [("not base64!", "base64"), ("", "empty"), ("data:image/png;base64,", "empty")]
)
def test_bad_base64_is_an_input_error_naming_the_field(text, reason):
    with pytest.raises(InputError, match=f"images\\[3\\].*{reason}"):
        decode_base64(text, "images[3]")


def test_urls_are_refused_when_the_server_does_not_fetch():
    with pytest.raises(InputError, match="URL inputs are disabled"):
        asyncio.run(read("https://example.com/a.png", "file", None))
