"""Files as clients send them: base64, data URIs or URLs.

How many pages a file holds is read here, before any OCR runs, so that a request can be
charged to its quota, or refused, before it costs anything. The file contracts charge by
`charged_pages`: an image is one page (a TIFF one per frame), a PDF its pages up to the
server's cap, an input that cannot be read one (the page that reports its error); a chat
request reads one image's first frame and is one page.
"""

from __future__ import annotations

import base64
import binascii
import re

from ..errors import InputError, TextlensError
from ..inputs import count_pages
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
            raise InputError(
                f"{label}: URL inputs are disabled on this server "
                "(allow_url_inputs: false); send the file as base64"
            )
        data = await fetcher.fetch(text)
        if not data:
            raise InputError(f"{label}: {text} returned an empty file")
        return data
    return decode_base64(text, label)


def charged_pages(
    item: bytes | TextlensError, label: str, cap: int | None
) -> tuple[bytes | TextlensError, int]:
    """The input (or why it cannot be read, found while counting) and the pages it costs."""
    if isinstance(item, TextlensError):
        return item, 1
    try:
        return item, count_pages(item, label, cap)
    except TextlensError as exc:
        return exc, 1
