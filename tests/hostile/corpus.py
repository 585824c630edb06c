"""The hostile-input corpus: files a stranger might send, built here from the repo's samples.

Nothing is downloaded. The bombs are crafted headers, never allocated pixels: a PNG whose IHDR
says 50000 x 50000 over a few bytes of data, a JPEG whose frame header says 65500 x 65500. Each
entry carries the words its refusal must contain, so every entry point is held to the same
reason, whatever its error format.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

import pypdfium2 as pdfium
from PIL import Image

from conftest import SAMPLES


@dataclass(frozen=True)
class Entry:
    """One hostile file: its name as a client would send it, its bytes, why it is refused."""

    name: str
    data: bytes
    reason: str  # a regular expression the refusal's message must match


def _encoded(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _page() -> Image.Image:
    with Image.open(SAMPLES / "invoice.png") as image:
        return image.convert("RGB")


def _cut(data: bytes) -> bytes:
    """The first third: the header survives, the data does not."""
    return data[: len(data) // 3]


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height pixels, over one compressed row of data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    data = zlib.compress(b"\0" + b"\xff" * 3 * min(width, 64))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width: int, height: int) -> bytes:
    """A real small JPEG with its frame header (SOF0) rewritten to claim width x height."""
    data = bytearray(_encoded(Image.new("RGB", (16, 16), "white"), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def tiff_of_frames(count: int, last_compression: int = 1) -> bytes:
    """A TIFF of `count` frames of 2 x 2 grey pixels, written by hand (Pillow takes a time
    quadratic in the frames to save them): every directory points at one shared strip. The
    last frame's Compression field holds `last_compression` (1: none)."""
    strip = 8  # the pixels follow the 8-byte header; the directories follow the pixels
    fields = [  # (tag, type, value): type 3 is SHORT, 4 is LONG
        (256, 3, 2),  # ImageWidth
        (257, 3, 2),  # ImageLength
        (258, 3, 8),  # BitsPerSample
        (259, 3, 1),  # Compression
        (262, 3, 1),  # PhotometricInterpretation: black is zero
        (273, 4, strip),  # StripOffsets
        (277, 3, 1),  # SamplesPerPixel
        (278, 3, 2),  # RowsPerStrip
        (279, 4, 4),  # StripByteCounts
    ]
    size = 2 + 12 * len(fields) + 4
    first = strip + 4
    out = bytearray(b"II*\0" + struct.pack("<I", first) + b"\xff" * 4)
    for n in range(count):
        last = n + 1 == count
        out += struct.pack("<H", len(fields))
        for tag, kind, value in fields:
            value = last_compression if tag == 259 and last else value
            out += struct.pack("<HHII", tag, kind, 1, value)
        out += struct.pack("<I", 0 if last else first + (n + 1) * size)
    return bytes(out)


def pdf_of_pages(count: int, width_pt: float = 72, height_pt: float = 72) -> bytes:
    """A PDF of `count` blank pages of the given size (14400 points are 200 inches)."""
    pdf = pdfium.PdfDocument.new()
    for _ in range(count):
        pdf.new_page(width_pt, height_pt)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A PDF assembled by hand from numbered objects, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s >>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def cyclic_pdf() -> bytes:
    """A page tree whose node lists its own parent as its kid: walking it never ends."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
        ]
    )


def encrypted_pdf() -> bytes:
    """A one-page PDF locked with a user password (RC4, which needs no crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_of_pages(1))))
    writer.encrypt("a secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("invoice.png", (SAMPLES / "invoice.png").read_bytes())
    return buffer.getvalue()


LIMIT = r"megapixel limit"
UNSUPPORTED = r"not a supported image"
CORRUPT = r"corrupt|truncated"


def refused_files() -> list[Entry]:
    """Files that every entry point must refuse, each with its reason."""
    page = _page()
    return [
        Entry("empty.png", b"", r"file is empty"),
        Entry("cut_jpeg.jpg", _cut(_encoded(page, "JPEG")), CORRUPT),
        Entry("cut_png.png", _cut((SAMPLES / "invoice.png").read_bytes()), CORRUPT),
        Entry("cut_webp.webp", _cut(_encoded(page, "WEBP")), CORRUPT),
        Entry("cut_tiff.tiff", _cut(_encoded(page, "TIFF")), CORRUPT),
        Entry("cut_pdf.pdf", _cut((SAMPLES / "two_pages.pdf").read_bytes()), r"cannot open PDF"),
        Entry("page.png", b"<!doctype html><html><body>not an image</body></html>", UNSUPPORTED),
        Entry("archive.png", _zip(), UNSUPPORTED),
        Entry("bomb_png.png", png_claiming(50_000, 50_000), LIMIT),
        Entry("bomb_jpeg.jpg", jpeg_claiming(65_500, 65_500), LIMIT),
        Entry("frames.tiff", tiff_of_frames(3000), r"more than 1000 frames"),
        Entry("codec.tiff", tiff_of_frames(2, last_compression=0), CORRUPT),
        Entry("encrypted.pdf", encrypted_pdf(), r"password"),
        Entry("poster.pdf", pdf_of_pages(1, 14_400, 14_400), LIMIT),
        Entry("cyclic.pdf", cyclic_pdf(), r"cannot render"),
    ]
