"""OCRResult from its saved JSON: what `OCRResult.from_json` and `textlens export` stand on.

The JSON (PaddleOCR's layout) records everything the exporters read except the page's pixels
and resolution. Those are found again here: from the caller, from the preprocessed image
`save_to_img` wrote beside the JSON, or by decoding the input once more. That means reading
inputs (PDF rendering included), which is why this is not in result.py: the result type itself
decodes nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import Settings, resolve
from .errors import ConfigError, InputError
from .geometry import rotate_page
from .inputs import IMAGE_EXTENSIONS, Page, Source, pages
from .result import RESULT_SUFFIX, Line, OCRResult, Word

PREPROCESSED_KEY = "preprocessed_img"  # OCRResult.img's key for the page as detected
# The keys read here; any PaddleOCR General OCR result has them.
_REQUIRED = (
    "input_path",
    "page_index",
    "model_settings",
    "dt_polys",
    "dt_scores",
    "text_det_params",
    "textline_orientation_angles",
    "text_rec_score_thresh",
    "rec_texts",
    "rec_scores",
    "rec_polys",
)
_DET_PARAMS = (
    "limit_side_len",
    "limit_type",
    "thresh",
    "max_side_limit",
    "box_thresh",
    "unclip_ratio",
)


@dataclass(frozen=True)
class Record:
    """One saved result: its inner `res` dict, and the file it was read from, if any."""

    res: dict[str, Any]
    path: Path | None = None

    @property
    def label(self) -> str:
        """What error messages call it."""
        if self.path is not None:
            return str(self.path)
        return f"the result of {self.res['input_path'] or 'an in-memory image'}"

    @property
    def name(self) -> str:
        """The name `textlens ocr` gave the page's document, so re-exports land on the same
        files: the input file's stem, as inputs.expand names a file source; for an in-memory
        input (no input_path), the JSON file's page stem less its `_<page_index>`."""
        if self.res["input_path"]:
            return Path(self.res["input_path"]).stem
        if self.path is None:
            return "input_0"  # what the engine calls a lone in-memory input
        stem = _page_stem(self.path)
        suffix = f"_{self.res['page_index']}"
        return stem.removesuffix(suffix) if self.res["page_index"] is not None else stem


def read_record(data: Mapping[str, Any] | str | Path) -> Record:
    """A result as `.json` gives it (or its inner `res`), as JSON text, or as a `*_res.json`
    file; an InputError names what is wrong with it."""
    path = None
    if isinstance(data, Path) or (isinstance(data, str) and not data.lstrip().startswith("{")):
        path = Path(data)
        try:
            data = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
        except UnicodeError:
            raise InputError(f"{path}: not a JSON file (not UTF-8 text)") from None
    label = str(path) if path else "the result"
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InputError(f"{label}: not valid JSON ({exc})") from None
    res = data.get("res", data) if isinstance(data, Mapping) else None
    if not isinstance(res, Mapping):
        raise InputError(f"{label}: not an OCR result (not a JSON object)")
    missing = [key for key in _REQUIRED if key not in res]
    if missing:
        raise InputError(f"{label}: not an OCR result (no {', '.join(missing)})")
    if not isinstance(res["input_path"], str | None) or not isinstance(
        res["page_index"], int | None
    ):
        raise InputError(f"{label}: not an OCR result (input_path or page_index malformed)")
    return Record(dict(res), path)


def load(
    data: Mapping[str, Any] | str | Path,
    image: np.ndarray | str | Path | None = None,
    pdf_dpi: int | None = None,
) -> OCRResult:
    """One result, for OCRResult.from_json (whose docstring gives the rules)."""
    record = read_record(data)
    dpi = resolve(None, pdf_dpi=pdf_dpi).pdf_dpi
    return _rebuild(record, _Originals(record, dpi), image, dpi)


def load_document(records: Sequence[Record], pdf_dpi: int | None = None) -> list[OCRResult]:
    """The results of pages of one input, in the order given. Where pages need the input it is
    decoded once for them all: given in page order, a PDF renders each page once."""
    if not records:
        return []
    dpi = resolve(None, pdf_dpi=pdf_dpi).pdf_dpi
    originals = _Originals(records[0], dpi)
    return [_rebuild(record, originals, None, dpi) for record in records]


def _settings_of(record: Record, pdf_dpi: int) -> Settings:
    """The settings the result records, through the normal resolver; defaults for what it does
    not record, so its `.json` comes out as it was saved."""
    res = record.res
    try:
        pre = (res.get("doc_preprocessor_res") or {}).get("model_settings") or {}
        det = res["text_det_params"]
        return resolve(
            None,
            use_doc_orientation_classify=pre.get("use_doc_orientation_classify"),
            use_doc_unwarping=pre.get("use_doc_unwarping"),
            use_textline_orientation=res["model_settings"].get("use_textline_orientation"),
            text_rec_score_thresh=res["text_rec_score_thresh"],
            return_word_box=res.get("return_word_box"),
            pdf_dpi=pdf_dpi,
            **{f"text_det_{key}": det.get(key) for key in _DET_PARAMS},
        )
    except (ConfigError, AttributeError) as exc:
        raise InputError(f"{record.label}: {exc}") from None


class _Originals:
    """The pages of an input file, decoded as results ask for them, and only if the file is
    there. Asked in page order, each page is decoded once (a PDF renders pages in turn)."""

    def __init__(self, record: Record, pdf_dpi: int) -> None:
        path = record.res["input_path"]
        self._source = Source(record.name, path) if path and Path(path).is_file() else None
        self._pdf_dpi = pdf_dpi
        self._pages: Iterator[Page] = iter(())
        self._last: Page | None = None

    def page(self, index: int | None) -> Page | None:
        if self._source is None:
            return None
        last = self._last
        if last is not None and last.page_index == index:
            return last
        if last is None or last.page_index is None or index is None or last.page_index > index:
            self._pages = pages(self._source, self._pdf_dpi)
        for page in self._pages:
            self._last = page
            if page.page_index == index:
                return page
        raise InputError(
            f"{self._source.path}: has no page with page_index {index}: is it the file "
            "the result was read from?"
        )


def _rebuild(
    record: Record,
    originals: _Originals,
    image: np.ndarray | str | Path | None,
    pdf_dpi: int,
) -> OCRResult:
    settings = _settings_of(record, pdf_dpi)
    res = record.res
    try:
        original = originals.page(res["page_index"])
        detected = _detected(record, settings, image, original)
        result = _result(res, settings, detected, original, record.name)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(
            f"{record.label}: malformed result ({type(exc).__name__}: {exc})"
        ) from None
    _check_fits(record, result)
    return result


def _detected(
    record: Record,
    settings: Settings,
    image: np.ndarray | str | Path | None,
    original: Page | None,
) -> Page:
    """The page as the detector saw it, decoded by inputs (so its dpi and ext are as decoding
    found them): the caller's image; else the preprocessed image beside the JSON, when
    preprocessing ran; else the input, turned as orientation classification turned it (an
    unwarped page cannot be made again without the model)."""
    if isinstance(image, (str, Path)):
        return next(pages(Source(Path(image).stem, str(image)), settings.pdf_dpi))
    if image is not None:
        return next(pages(Source(record.name, image=image)))
    beside = _preprocessed_file(record) if settings.use_doc_preprocessor else None
    if beside is not None:
        return next(pages(Source(beside.stem, str(beside)), settings.pdf_dpi))
    if original is not None and not settings.use_doc_unwarping:
        angle = _doc_angle(record.res)
        turned = rotate_page(original.image, angle) if angle > 0 else original.image
        return dataclasses.replace(original, image=turned)
    raise InputError(f"{record.label}: the page image is missing: {_why_missing(record, settings)}")


def _why_missing(record: Record, settings: Settings) -> str:
    """Why no file gave a result's page, and how to hand the page over."""
    input_path = record.res["input_path"]
    reasons = []
    if settings.use_doc_preprocessor and record.path is not None:
        reasons.append(
            f"{_page_stem(record.path)}_{PREPROCESSED_KEY}.<ext>, the page as preprocessed, is "
            "not beside it (save_to_img and `textlens ocr --save_path` write it)"
        )
    if settings.use_doc_unwarping:
        reasons.append("an unwarped page cannot be made again from its input")
    elif input_path:
        relative = "" if Path(input_path).is_absolute() else ", taken from the current folder"
        reasons.append(f"its input {input_path} is not there{relative}")
    else:
        reasons.append("it was read from an in-memory image (input_path is null)")
    return (
        "; ".join(reasons) + ". Pass the page: OCRResult.from_json(..., image=<BGR array or file>)"
    )


def _page_stem(path: Path) -> str:
    """`paper_0` of `paper_0_res.json` (a JSON saved under another name: its stem)."""
    return path.name.removesuffix(RESULT_SUFFIX) if path.name.endswith(RESULT_SUFFIX) else path.stem


def _preprocessed_file(record: Record) -> Path | None:
    """The `<page stem>_preprocessed_img.<ext>` save_to_img wrote beside the JSON, if there."""
    if record.path is None:
        return None
    stem = f"{_page_stem(record.path)}_{PREPROCESSED_KEY}"
    found = (record.path.with_name(stem + ext) for ext in sorted(IMAGE_EXTENSIONS))
    return next((path for path in found if path.is_file()), None)


def _check_fits(record: Record, result: OCRResult) -> None:
    """Refuse a page the result's text does not fit on: another file, or a PDF rendered at
    another resolution than it was OCRed at (pdf_dpi is not recorded in the JSON)."""
    polys = [*result.dt_polys, *(line.poly for line in result.lines)]
    if not polys:
        return
    x, y = np.concatenate(polys).max(axis=0)
    height, width = result.image.shape[:2]
    if x > width or y > height:
        raise InputError(
            f"{record.label}: the page image is {width}x{height} pixels, but the result has text "
            f"up to ({x:.0f}, {y:.0f}): it is not the page this result was read from (a PDF "
            "OCRed at another pdf_dpi than the default needs that pdf_dpi)"
        )


def _doc_angle(res: dict[str, Any]) -> int:
    """The page's turn in degrees, as OCRResult.doc_angle holds it (the JSON counts quarter
    turns); -1 when orientation classification did not run."""
    turns = (res.get("doc_preprocessor_res") or {}).get("angle", -1)
    return int(turns) * 90 if turns >= 0 else -1


def _quad(points: Any) -> np.ndarray:
    """A polygon as the engine holds one: float32 points, one per row."""
    return np.asarray(points, dtype=np.float32).reshape(-1, 2)


def _result(
    res: dict[str, Any], settings: Settings, detected: Page, original: Page | None, name: str
) -> OCRResult:
    """The result itself; resolution and extension are the input's when it was decoded, else
    those of the image that stood in for it."""
    lines = [
        Line(str(text), float(score), _quad(poly))
        for text, score, poly in zip(
            res["rec_texts"], res["rec_scores"], res["rec_polys"], strict=True
        )
    ]
    if settings.return_word_box:
        for line, texts, boxes in zip(
            lines, res["text_word"], res["text_word_region"], strict=True
        ):
            line.words = [
                Word(str(t), [int(v) for v in box]) for t, box in zip(texts, boxes, strict=True)
            ]
    decoded = original if original is not None else detected
    return OCRResult(
        name=name,
        input_path=res["input_path"],
        page_index=res["page_index"],
        image=detected.image,
        settings=settings,
        lines=lines,
        dt_polys=[_quad(poly) for poly in res["dt_polys"]],
        dt_scores=[float(score) for score in res["dt_scores"]],
        textline_orientation_angles=[int(a) for a in res["textline_orientation_angles"]],
        doc_angle=_doc_angle(res),
        input_image=original.image if original and settings.use_doc_preprocessor else None,
        ext=decoded.ext,
        return_word_box=settings.return_word_box,
        dpi=decoded.dpi,
    )
