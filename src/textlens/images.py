"""Pages between the engine's form and files: BGR arrays to PIL images, images to bytes.

The engine holds pages as OpenCV gives them (BGR); everything that shows or stores a page
(visualisations, the service's base64 images, the searchable PDF) converts and encodes here,
with one JPEG quality, the one PaddleX serving sends.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

JPEG_QUALITY = 90
_FORMATS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".png": "PNG",
}


def to_pil(bgr: np.ndarray, grey_if_colourless: bool = False) -> Image.Image:
    """A BGR page as a PIL image; a single channel when asked and the page has no colour."""
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    if (
        grey_if_colourless
        and (rgb[:, :, 0] == rgb[:, :, 1]).all()
        and (rgb[:, :, 1] == rgb[:, :, 2]).all()
    ):
        return Image.fromarray(np.ascontiguousarray(rgb[:, :, 0]))
    return Image.fromarray(rgb)


def format_for(suffix: str) -> str:
    """PIL's format name for a file suffix; PNG for one it does not know."""
    return _FORMATS.get(suffix.lower(), "PNG")


def encode(image: Image.Image, fmt: str) -> bytes:
    """`image` as `fmt` ("JPEG", "PNG", ...): JPEG at JPEG_QUALITY, grey images kept grey."""
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": JPEG_QUALITY} if fmt == "JPEG" else {}))
    return buffer.getvalue()
