"""Anything a user hands us -> pages (BGR uint8 arrays) with a name and a page index.

Formats are told by their bytes, not their file names. EXIF orientation is applied before
anything else, TIFFs give every frame, PDFs every page (rendered lazily, one at a time, so a
100-page PDF never sits in memory whole). Every failure is an InputError naming the input.
`count_pages` reads the same rules off headers alone, so callers can count before they decode.
"""

from __future__ import annotations

import glob as globlib
import io
import struct
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputError
from .readahead import read_ahead

if TYPE_CHECKING:
    from pypdfium2 import PdfDocument

# What Pillow raises on damaged data varies by format and by where the damage is (a TIFF cut
# short before its last frame's directory raises TypeError when its frames are counted, one
# whose compression field holds an unknown number KeyError).
_DECODE_ERRORS = (
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    struct.error,
)
IMAGE_EXTENSIONS = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff"}
DOCUMENT_EXTENSIONS = IMAGE_EXTENSIONS | {".pdf"}
MAX_PIXELS = 120_000_000  # a 300-dpi A0 poster; beyond this a page is refused, not decoded
# Frames of one image file. Pillow finds a TIFF's frames by walking its directories, in a time
# that grows with the square of their number (30 000 frames take minutes), so they are counted
# only this far and a file with more is refused before any is decoded.
MAX_FRAMES = 1000
# What Pillow may open: the formats textlens reads, and none of the dozens of others it knows.
_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF")
_SANE_DPI = (20.0, 4800.0)  # a recorded resolution outside this is a placeholder (1 dpi, say)
# PDFium is not thread-safe, not even across documents, and pages are read ahead in a background
# thread (readahead.py) while a service may count another upload's pages: every call holds this.
PDFIUM_LOCK = threading.RLock()


@dataclass
class Page:
    """One page to OCR and where it came from."""

    image: np.ndarray  # BGR uint8, H x W x 3
    name: str  # stem used for output files
    input_path: str | None  # the file it came from, if any
    page_index: int | None  # 0-based page/frame of a multi-page input, else None
    ext: str = ".png"  # extension for visualisations of this page
    # dots per inch, decided here because only decoding knows it: the render resolution of a
    # PDF page, the one an image records; None when unknown (arrays, images that record none)
    dpi: float | None = None


@dataclass(frozen=True)
class Source:
    """One input document before decoding: a file, bytes, or an in-memory image."""

    name: str
    path: str | None = None
    data: bytes | None = None
    image: object | None = None  # numpy array or PIL image
    # 0-based pages (PDF) or frames (image) to read, in this order; None reads them all
    selection: tuple[int, ...] | None = None
    # how messages name it when its path is not one the user knows (a server's copy of an upload)
    alias: str | None = None

    def read(self) -> bytes:
        if self.data is not None:
            return self.data
        assert self.path is not None
        try:
            return Path(self.path).read_bytes()
        except OSError as exc:
            raise InputError(f"{self.label}: cannot read file ({exc.strerror or exc})") from None

    @property
    def label(self) -> str:
        return self.alias or self.path or self.name


def expand(inputs: object) -> list[Source]:
    """Turn the user's input(s) into a flat list of sources, folders and globs expanded."""
    return list(iter_sources(inputs))


def iter_sources(inputs: object) -> Iterator[Source]:
    """Sources one input at a time, so a streaming caller meets a bad input only when it gets
    there, after the good ones before it have been processed."""
    items = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
    for n, item in enumerate(items):
        if isinstance(item, (str, Path)):
            yield from _expand_path(str(item))
        elif isinstance(item, (bytes, bytearray, memoryview)):
            yield Source(name=f"input_{n}", data=bytes(item))
        elif isinstance(item, (np.ndarray, Image.Image)):
            yield Source(name=f"input_{n}", image=item)
        else:
            raise InputError(
                f"unsupported input type {type(item).__name__}: give a path, "
                "folder, glob, bytes, numpy array or PIL image"
            )


def _expand_path(text: str) -> list[Source]:
    if text.startswith(("http://", "https://")):
        raise InputError(
            f"{text}: URLs are not fetched by the library (it works offline); "
            "download the file first"
        )
    path = Path(text).expanduser()
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.is_file() and p.suffix.lower() in DOCUMENT_EXTENSIONS
        )
        if not files:
            raise InputError(f"{text}: folder holds no images or PDFs")
        return [Source(name=p.stem, path=str(p)) for p in files]
    if path.is_file():
        return [Source(name=path.stem, path=str(path))]
    if any(ch in text for ch in "*?["):
        files = sorted(Path(p) for p in globlib.glob(str(path), recursive=True))
        files = [p for p in files if p.is_file() and p.suffix.lower() in DOCUMENT_EXTENSIONS]
        if not files:
            raise InputError(f"{text}: pattern matches no images or PDFs")
        return [Source(name=p.stem, path=str(p)) for p in files]
    raise InputError(f"{text}: no such file or folder")


def to_bgr(image: Image.Image) -> np.ndarray:
    """A PIL image in any mode -> BGR uint8, transparency flattened onto white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(canvas, rgba)
    rgb = np.array(image if image.mode == "RGB" else image.convert("RGB"))
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR, dst=rgb)  # in place: no second full-size copy


def _decode_frame(image: Image.Image, data: bytes, index: int) -> np.ndarray:
    """One frame as BGR, EXIF orientation applied to the first.

    A whole JPEG goes through OpenCV, which decodes straight into BGR and applies the EXIF
    orientation itself: one full-size buffer instead of PIL's three, which is the difference
    between 200 MB and 600 MB on a 35-megapixel photo. Anything else, and a JPEG cut short
    (no end-of-image marker; OpenCV would grey-fill it silently), goes through PIL.
    """
    if image.format == "JPEG" and data.rstrip(b"\0").endswith(b"\xff\xd9"):
        bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
        if bgr is not None:
            return bgr
    return to_bgr(ImageOps.exif_transpose(image) if index == 0 else image)


def _array_page(array: np.ndarray, label: str) -> np.ndarray:
    """Numpy input is taken as OpenCV's BGR (or grey / BGRA), as PaddleOCR does."""
    if array.dtype != np.uint8:
        if array.dtype.kind == "f" and array.size and float(array.max()) <= 1.0:
            array = array * 255.0
        array = np.clip(array, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        return np.ascontiguousarray(np.repeat(array[:, :, None], 3, axis=2))
    if array.ndim == 3 and array.shape[2] in (3, 4):
        return np.ascontiguousarray(array[:, :, :3])
    raise InputError(f"{label}: array of shape {array.shape} is not an image (H x W [x 3|4])")


def _check_size(width: int, height: int, label: str) -> None:
    if width < 1 or height < 1:
        raise InputError(f"{label}: image is empty ({width}x{height})")
    if width * height > MAX_PIXELS:
        raise InputError(
            f"{label}: image is {width}x{height}, more than the "
            f"{MAX_PIXELS // 1_000_000} megapixel limit"
        )


def is_pdf(data: bytes) -> bool:
    """Told by the bytes, never the name: `%PDF` opening the file, or `%PDF-` anywhere in its
    first KiB, since PDF readers accept the header anywhere there, after some junk."""
    head = data[:1024]
    return head.lstrip().startswith(b"%PDF") or b"%PDF-" in head


def count_pages(data: bytes | Path, label: str, max_pdf_pages: int | None = None) -> int:
    """The number of pages `pages` yields for these bytes (or this file), read from the PDF's
    page table or the image's header: nothing is rendered, so a request can be charged (or
    refused) and a job planned before any work. A file that cannot be opened fails here as it
    would when decoded.
    """
    head = _head(data)
    if not head:
        raise InputError(f"{label}: file is empty")
    if is_pdf(head):
        with _open_pdf(data, label) as pdf:
            return _pages_read(pdf, max_pdf_pages)
    image, frames = _open_image(data, label)
    image.close()
    return frames


def page_indices(path: Path) -> tuple[int | None, ...]:
    """The `page_index` of each page `pages` yields for a file, as count_pages counts them:
    0, 1, ... for a PDF or a multi-frame image, a single None for a single image."""
    count = count_pages(path, str(path))
    return tuple(range(count)) if count > 1 or is_pdf(_head(path)) else (None,)


def _head(data: bytes | Path) -> bytes:
    """The first KiB, where a file says what it is."""
    if isinstance(data, bytes):
        return data[:1024]
    try:
        with data.open("rb") as handle:
            return handle.read(1024)
    except OSError as exc:
        raise InputError(f"{data}: cannot read ({exc.strerror or exc})") from None


def _open_image(data: bytes | Path, label: str) -> tuple[Image.Image, int]:
    """The image, its header read but no pixels decoded, and its number of frames."""
    try:
        image = Image.open(
            io.BytesIO(data) if isinstance(data, bytes) else data, formats=_IMAGE_FORMATS
        )
        return image, _frames(image, label)
    except UnidentifiedImageError:
        raise InputError(
            f"{label}: not a supported image or PDF (JPG, PNG, WEBP, BMP, TIFF, PDF)"
        ) from None
    except Image.DecompressionBombError:
        # Pillow's own ceiling, above ours, refuses the header before any pixel is decoded
        raise InputError(
            f"{label}: image is larger than the {MAX_PIXELS // 1_000_000} megapixel limit"
        ) from None
    except _DECODE_ERRORS as exc:
        raise InputError(f"{label}: image data is corrupt ({exc})") from None


def _frames(image: Image.Image, label: str) -> int:
    """The image's frames, counted no further than MAX_FRAMES + 1 (InputError past it)."""
    if image.format != "TIFF":
        count = getattr(image, "n_frames", 1)  # read from the header: no walk
    else:
        count = 1
        while count <= MAX_FRAMES:
            try:
                image.seek(count)
            except EOFError:
                break
            count += 1
        image.seek(0)
    if count > MAX_FRAMES:
        raise InputError(f"{label}: image has more than {MAX_FRAMES} frames (the frame limit)")
    return count


def _recorded_dpi(image: Image.Image) -> float | None:
    """The resolution the image (its current frame) records, when it is believable."""
    try:
        value = float(image.info["dpi"][0])
    except (KeyError, TypeError, ValueError, IndexError):
        return None
    low, high = _SANE_DPI
    return value if low <= value <= high else None


def _image_pages(data: bytes, source: Source) -> Iterator[Page]:
    image, frames = _open_image(data, source.label)
    ext = "." + (image.format or "png").lower().replace("jpeg", "jpg")
    for index in _selected(source, frames):
        label = f"{source.label} (frame {index + 1})" if frames > 1 else source.label
        try:
            image.seek(index)
            _check_size(image.width, image.height, label)
            bgr = _decode_frame(image, data, index)
        except _DECODE_ERRORS as exc:
            raise InputError(f"{label}: image data is corrupt ({exc})") from None
        yield Page(
            bgr,
            source.name,
            source.path,
            index if frames > 1 else None,
            ext if ext in IMAGE_EXTENSIONS else ".png",
            _recorded_dpi(image),
        )


def _selected(source: Source, count: int) -> Iterable[int]:
    """The pages (or frames) of a source to read: its selection, else all `count`."""
    if source.selection is None:
        return range(count)
    past = [i for i in source.selection if not 0 <= i < count]
    if past:
        raise InputError(f"{source.label}: has no page {past[0] + 1} (it has {count})")
    return source.selection


@contextmanager
def _open_pdf(data: bytes | Path, label: str) -> Iterator[PdfDocument]:
    """The PDF, closed on leaving; one that cannot be opened or has no pages is refused."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data if isinstance(data, bytes) else str(data))
        except pdfium.PdfiumError as exc:
            raise InputError(f"{label}: cannot open PDF ({exc})") from None
        empty = len(pdf) == 0
    try:
        if empty:
            raise InputError(f"{label}: PDF has no pages")
        yield pdf
    finally:
        with PDFIUM_LOCK:
            pdf.close()


def _pages_read(pdf: PdfDocument, max_pages: int | None) -> int:
    """A PDF's pages that are read: the first max_pages, or all of them."""
    with PDFIUM_LOCK:
        return min(len(pdf), max_pages) if max_pages else len(pdf)


def _pdf_pages(
    data: bytes | Path, source: Source, dpi: int, max_pages: int | None
) -> Iterator[Page]:
    import pypdfium2 as pdfium

    with _open_pdf(data, source.label) as pdf:
        for index in _selected(source, _pages_read(pdf, max_pages)):
            label = f"{source.label} (page {index + 1})"
            try:
                with PDFIUM_LOCK:
                    page = pdf[index]
                    w, h = page.get_size()
                    _check_size(int(w * dpi / 72), int(h * dpi / 72), label)
                    bitmap = page.render(scale=dpi / 72.0)
                    bgr = np.ascontiguousarray(bitmap.to_numpy()[:, :, :3])
                    page.close()
            except pdfium.PdfiumError as exc:
                raise InputError(f"{label}: cannot render ({exc})") from None
            yield Page(bgr, source.name, source.path, index, dpi=float(dpi))


def pages(source: Source, pdf_dpi: int = 150, max_pdf_pages: int | None = None) -> Iterator[Page]:
    """Decode one source into its pages, lazily."""
    if source.image is not None:
        if isinstance(source.image, Image.Image):
            image = ImageOps.exif_transpose(source.image)
            _check_size(image.width, image.height, source.label)
            yield Page(to_bgr(image), source.name, None, None, dpi=_recorded_dpi(source.image))
        else:
            array = np.asarray(source.image)
            bgr = _array_page(array, source.label)
            _check_size(bgr.shape[1], bgr.shape[0], source.label)
            yield Page(bgr, source.name, None, None)
        return
    if source.data is None and source.path is not None and is_pdf(_head(Path(source.path))):
        # pdfium reads a PDF file as it needs it: a document of any size stays on disk
        yield from _pdf_pages(Path(source.path), source, pdf_dpi, max_pdf_pages)
        return
    data = source.read()
    if not data:
        raise InputError(f"{source.label}: file is empty")
    if is_pdf(data):
        yield from _pdf_pages(data, source, pdf_dpi, max_pdf_pages)
    else:
        yield from _image_pages(data, source)


# a page above this many pixels (a 35-megapixel scan; a 300-dpi A4 page is 8.7) has no page
# decoded ahead of it: two such pages at once would be 200 MB more at the peak
_READ_AHEAD_MAX_PIXELS = 16_000_000


def _not_huge(page: Page) -> bool:
    return page.image.shape[0] * page.image.shape[1] <= _READ_AHEAD_MAX_PIXELS


def read_pages(
    sources: Iterable[Source], pdf_dpi: int = 150, max_pdf_pages: int | None = None
) -> Iterator[Page]:
    """Every page of `sources` in order, each decoded in a background thread while the one
    before it is used (unless that one is huge): the page stream every engine reads."""
    decoded = (page for source in sources for page in pages(source, pdf_dpi, max_pdf_pages))
    return read_ahead(decoded, ahead_of=_not_huge)


def iter_pages(inputs: object, pdf_dpi: int = 150) -> Iterator[Page]:
    """Every page of every input, in order."""
    for source in iter_sources(inputs):
        yield from pages(source, pdf_dpi)
