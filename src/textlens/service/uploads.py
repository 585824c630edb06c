"""Files as clients send them: base64, data URIs or URLs.

How many pages a file holds (`inputs.count_pages`) is read before any OCR runs, so that a
request can be charged to its quota, or refused, before it costs anything.
"""

from __future__ import annotations

import base64
import binascii
import re

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
            raise InputError(
                f"{label}: URL inputs are disabled on this server "
                "(allow_url_inputs: false); send the file as base64"
            )
        data = await fetcher.fetch(text)
        if not data:
            raise InputError(f"{label}: {text} returned an empty file")
        return data
    return decode_base64(text, label)
