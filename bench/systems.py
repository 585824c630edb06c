"""The systems bench/compare.py times: textlens at a given precision, and its peers.

Every system reads a page from its file (each does its own decoding, which counts in its time)
and returns score.py's lines ({"text", "poly"}). Peers run with their own defaults, built once;
model loading happens here, outside any timing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import sets

Lines = list[dict[str, Any]]


@dataclass(frozen=True)
class System:
    name: str
    read: Callable[[Path], Lines]  # one page's file -> its lines, as score.py reads them
    models_timed: bool  # its model calls go through the calls clock.Stopwatch times
    runs_at: str | None = None  # the precision its models really run at, where known


def textlens(name: str, params: dict[str, Any]) -> System:
    """textlens through its public API. precision=bf16 runs fp32 on a CPU that does not compute
    bf16 natively, so the precision the models really run at is reported beside the name."""
    from textlens import OCR

    ocr = OCR(**params)
    return System(
        name, lambda path: sets.lines_of(ocr.predict(str(path))), True, ocr.runtime.precision
    )


def faster_paddle(size: str) -> System:
    """faster-paddle (PP-OCRv6 in Rust on onnxruntime) as its README runs it: image bytes in.
    It keeps boxes whose text came out empty; a reader sees no line there (textlens and RapidOCR
    drop them), so they are dropped here too rather than counted as false detections."""
    from faster_paddle import OcrEngine

    engine = OcrEngine(model_size=size)

    def read(path: Path) -> Lines:
        bounds = engine.ocr(path.read_bytes())["bounds"].values()
        return [
            _line(b["text"], b["topLeftCoord"], b["bottomRightCoord"])
            for b in bounds
            if b["text"].strip()
        ]

    return System(f"faster-paddle-{size}", read, False)


def _line(text: str, top_left: tuple[int, int], bottom_right: tuple[int, int]) -> dict[str, Any]:
    (x1, y1), (x2, y2) = top_left, bottom_right
    return {"text": text, "poly": [[x1, y1], [x2, y1], [x2, y2], [x1, y2]]}


def rapidocr(engine: str) -> System:
    """RapidOCR 3.10 with its defaults, as ../shared/eval/peers.py runs it, on the inference
    engine a RapidOCR user picks with `Det/Cls/Rec.engine_type` (onnxruntime is its default;
    openvino runs on the openvino package textlens already depends on)."""
    from rapidocr import EngineType, RapidOCR

    kind = EngineType(engine)
    ocr = RapidOCR(params={f"{stage}.engine_type": kind for stage in ("Det", "Cls", "Rec")})

    def read(path: Path) -> Lines:
        r: Any = ocr(str(path))  # typed as any stage's output; with all stages, the whole's
        if r.boxes is None:
            return []
        return [
            {"text": t, "poly": [[float(x), float(y)] for x, y in b]}
            for t, b in zip(r.txts, r.boxes)
        ]

    return System(f"rapidocr-{engine}", read, True, _precision_of(engine))


def _precision_of(engine: str) -> str:
    """What RapidOCR's models run at: onnxruntime fp32; OpenVINO its CPU default, which RapidOCR
    leaves alone (bf16 on a CPU that computes it natively)."""
    if engine == "onnxruntime":
        return "fp32"
    import openvino

    hint = openvino.Core().get_property("CPU", "INFERENCE_PRECISION_HINT").to_string()
    return {"f32": "fp32"}.get(hint, hint)


PEERS: dict[str, Callable[[], System]] = {
    "faster-paddle-small": partial(faster_paddle, "small"),
    "faster-paddle-tiny": partial(faster_paddle, "tiny"),  # the speed reference
    "rapidocr-onnxruntime": partial(rapidocr, "onnxruntime"),
    "rapidocr-openvino": partial(rapidocr, "openvino"),
}
