"""Make the repo's own sample documents (no third-party data): run from the repo root.

    python scripts/make_samples.py

Writes to samples/: invoice.png (a rendered invoice), invoice.expected.txt (its text, line by
line), sideways.png (the invoice turned 90 degrees, as a phone photo taken sideways),
exif_rotated.jpg (pixels stored turned, with an EXIF orientation tag that says how to show
them), two_pages.pdf (two image pages) and two_frames.tiff (a two-frame TIFF).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "samples"

INVOICE = [
    "ACME OFFICE SUPPLIES LTD",
    "12 Harbour Road, Leeds LS1 4AB",
    "INVOICE No. 2024-0117",
    "Date: 15/03/2024",
    "Bill to: Northwind Traders",
    "Item                 Qty   Amount",
    "Paper A4 box          3    45.00",
    "Stapler heavy duty    1    18.50",
    "Ink cartridge black   2    62.00",
    "Subtotal                  125.50",
    "VAT 20%                    25.10",
    "TOTAL DUE                 150.60",
    "Thank you for your business",
]
SECOND_PAGE = [
    "TERMS AND CONDITIONS",
    "Payment is due within 30 days.",
    "Late payments incur a 2% monthly fee.",
    "Questions: accounts@acme.example",
]


def render(lines: list[str], size: tuple[int, int] = (900, 1100)) -> Image.Image:
    page = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=30)
    y = 60
    for line in lines:
        draw.text((60, y), line, fill=(20, 20, 20), font=font)
        y += 72
    return page


def main() -> None:
    OUT.mkdir(exist_ok=True)
    invoice = render(INVOICE)
    invoice.save(OUT / "invoice.png", optimize=True)
    (OUT / "invoice.expected.txt").write_text("\n".join(INVOICE) + "\n", encoding="utf-8")
    invoice.rotate(90, expand=True).save(OUT / "sideways.png", optimize=True)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    invoice.rotate(90, expand=True).save(OUT / "exif_rotated.jpg", quality=85, exif=exif)
    second = render(SECOND_PAGE)
    invoice.save(OUT / "two_pages.pdf", save_all=True, append_images=[second], resolution=100)
    invoice.convert("L").save(
        OUT / "two_frames.tiff",
        save_all=True,
        append_images=[second.convert("L")],
        compression="tiff_deflate",
    )


if __name__ == "__main__":
    main()
