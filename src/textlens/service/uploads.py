"""Files as clients send them: base64, data URIs or URLs, and how many pages they hold.

The page count is read before any OCR runs (a PDF's page table, an image's frame count) so that
a request can be charged to its quota, or refused, before it costs anything.
"""
from __future__ import annotations

import base64
import binascii
import io
import re
from contextlib import closing

from PIL import Image

from ..errors import InputError
from .fetch import Fetcher, is_url

_DATA_URI = re.compile(r"^data:[\w.+/-]*(;[\w.+-]+=[\w.+-]+)*;base64,", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")


def decode_base64(text: str, label: str) -> bytes:
    """Standard base64, with or without a `data:...;base64,` prefix, line breaks or padding."""
    body = _WHITESPACE.sub("", _DATA_URI.sub("", text.strip(), count=1))
    body += "=" * (-len(body) % 4)
    try:
        data = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"{label}: neither valid base64 nor an http(s) URL") from None
    if not data:
        raise InputError(f"{label}: the file is empty")
    return data


async def read(text: str, label: str, fetcher: Fetcher | None) -> bytes:
    """The bytes a client meant: decoded base64, or a URL fetched when the server allows it."""
    if is_url(text):
        if fetcher is None:
            raise InputError(f"{label}: URL inputs are disabled on this server "
                             "(allow_url_inputs: false); send the file as base64")
        data = await fetcher.fetch(text)
        if not data:
            raise InputError(f"{label}: {text} returned an empty file")
        return data
    return decode_base64(text, label)


def is_pdf(data: bytes) -> bool:
    """Told by the bytes, as the engine's input decoding does."""
    head = data[:1024]
    return head.lstrip().startswith(b"%PDF") or b"%PDF-" in head


def count_pages(data: bytes, label: str, max_pdf_pages: int | None = None) -> int:
    """Pages the engine will produce: PDF pages (capped) or image frames."""
    count = _pdf_page_count(data, label) if is_pdf(data) else _frame_count(data, label)
    if count == 0:
        raise InputError(f"{label}: PDF has no pages")
    return min(count, max_pdf_pages) if max_pdf_pages else count


def _pdf_page_count(data: bytes, label: str) -> int:
    """The PDF's page table only: no page is rendered."""
    import pypdfium2 as pdfium

    try:
        with closing(pdfium.PdfDocument(data)) as pdf:
            return len(pdf)
    except pdfium.PdfiumError as exc:
        raise InputError(f"{label}: cannot open PDF ({exc})") from None


def _frame_count(data: bytes, label: str) -> int:
    """An image's frames (TIFF pages), read from its header without decoding pixels."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return getattr(image, "n_frames", 1)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise InputError(f"{label}: not a supported image or PDF (JPG, PNG, WEBP, BMP, TIFF, "
                         f"PDF): {exc}") from None
