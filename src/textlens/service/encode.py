"""Images in responses: base64 JPEG for PaddleX clients, base64 PNG for Florence clients."""

from __future__ import annotations

import base64

from PIL import Image

from ..images import encode


def to_base64(image: Image.Image, fmt: str) -> str:
    """`fmt` is "JPEG" or "PNG" (textlens.images.encode says how)."""
    return base64.b64encode(encode(image, fmt)).decode("ascii")
