"""Images in responses: base64 JPEG for PaddleX clients, base64 PNG for Florence clients."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def page_image(bgr: np.ndarray) -> Image.Image:
    """A page as the engine holds it (BGR array) -> a PIL image."""
    return Image.fromarray(np.ascontiguousarray(bgr[:, :, ::-1]))


def to_base64(image: Image.Image, fmt: str) -> str:
    """`fmt` is "JPEG" or "PNG"; JPEG at quality 90, as PaddleX serving sends."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return base64.b64encode(buffer.getvalue()).decode("ascii")
