"""Text recognition with a CTC network (PP-OCR SVTR/LCNet recognisers).

Preprocess: each line crop is scaled to the network height (48) keeping its aspect, normalised
to [-1, 1] and right-padded to the widest crop of its batch. Crops are batched in order of
width, so a batch wastes little padding. Run: per-timestep class probabilities. Postprocess:
greedy CTC decoding (best class per step, repeats merged, blanks dropped); the score is the mean
probability of the kept characters.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..runtime import session
from ..words import CJK

_MAX_WIDTH_RATIO = 40.0  # lines longer than 40:1 are squeezed rather than fed at 2000+ px
_WIDE_GAP_STEPS = 4  # a silent gap this long (and far above the line's pitch) is a space
_WIDE_GAP_PITCHES = 2.5


@dataclass(frozen=True)
class RecParams:
    """text_rec_* parameters."""

    batch_size: int = 6
    score_thresh: float = 0.0
    input_shape: tuple[int, int, int] | None = None  # (C, H, W); W is the minimum width
    min_width: int = 0


@dataclass(frozen=True)
class Recognised:
    """A line's text, its confidence, and where each character sits along the crop.

    `spans` holds one (start, end) per character as fractions of the crop's width, from the
    CTC time steps the character was emitted on; word boxes are built from them.
    """

    text: str
    score: float
    spans: tuple[tuple[float, float], ...] = ()


class CTCDecoder:
    """Maps class indices to text: index 0 is the CTC blank, the last one a space."""

    def __init__(self, characters: tuple[str, ...], num_classes: int):
        table = ["", *characters]
        if num_classes == len(table) + 1:
            table.append(" ")
        if num_classes != len(table):
            raise ValueError(f"dictionary has {len(characters)} characters but the model "
                             f"predicts {num_classes} classes: wrong dictionary for this model")
        self.table = np.array(table, dtype=object)

    def __call__(self, probs: np.ndarray, used: list[float] | None = None) -> list[Recognised]:
        """probs [N, T, C] -> one Recognised per row.

        `used[i]` is the share of the time axis row i's crop covers (the rest is padding).
        """
        steps = probs.shape[1]
        best = probs.argmax(axis=2)
        best_p = np.take_along_axis(probs, best[..., None], axis=2)[..., 0]
        out = []
        for row, (idx, p) in enumerate(zip(best, best_p)):
            # runs of one class: a character is a run that is not blank, from its first step
            # to the step where the class changes
            bounds = np.flatnonzero(idx[1:] != idx[:-1]) + 1
            run_starts = np.concatenate(([0], bounds))
            run_ends = np.concatenate((bounds, [steps]))
            kept = idx[run_starts] != 0
            starts, ends = run_starts[kept], run_ends[kept]
            chars = list(self.table[idx[starts]])
            score = float(p[starts].mean()) if len(starts) else 0.0
            scale = steps * (used[row] if used else 1.0)
            spans = [(min(1.0, t / scale), min(1.0, e / scale)) for t, e in zip(starts, ends)]
            chars, spans = _space_wide_gaps(chars, spans, starts)
            out.append(Recognised("".join(chars), score, tuple(spans)))
        return out


def _space_wide_gaps(chars: list[str], spans: list, starts: np.ndarray) -> tuple[list, list]:
    """Insert the spaces a recogniser drops at wide gaps (table columns on one line).

    Recognisers learn single spaces; a receipt's "Total     12.50" often comes out as
    "Total12.50". A silent gap far wider than the line's character pitch is a space, unless
    a lower-case letter follows: wide letters (m, M, W) in justified text leave such gaps inside
    words, while a column after a gap starts with a capital, a digit or a sign.
    """
    if len(starts) < 3:
        return chars, spans
    pitch = np.diff(starts)
    limit = max(_WIDE_GAP_STEPS, _WIDE_GAP_PITCHES * float(np.median(pitch)))
    out_chars, out_spans = [chars[0]], [spans[0]]
    for i in range(1, len(chars)):
        a, b = chars[i - 1], chars[i]
        if (pitch[i - 1] >= limit and not a.isspace() and not b.isspace() and not b.islower()
                and not CJK.match(a) and not CJK.match(b)):
            out_chars.append(" ")
            out_spans.append((spans[i - 1][1], spans[i][0]))
        out_chars.append(b)
        out_spans.append(spans[i])
    return out_chars, out_spans


def width_for(crop: np.ndarray, height: int) -> int:
    """The width a crop takes once scaled to the network height."""
    h, w = crop.shape[:2]
    return max(1, min(int(math.ceil(height * w / max(h, 1))), int(height * _MAX_WIDTH_RATIO)))


def preprocess(crops: list[np.ndarray], height: int, min_width: int) -> np.ndarray:
    """Crops -> [N, 3, height, W] float32, W the widest crop (at least min_width)."""
    widths = [width_for(c, height) for c in crops]
    batch_w = max(max(widths), min_width)
    batch = np.zeros((len(crops), 3, height, batch_w), dtype=np.float32)
    for i, (crop, w) in enumerate(zip(crops, widths)):
        resized = cv2.resize(crop, (w, height), interpolation=cv2.INTER_LINEAR)
        batch[i, :, :, :w] = (resized.astype(np.float32) * (2.0 / 255.0) - 1.0).transpose(2, 0, 1)
    return batch


class TextRecognizer:
    """A CTC recogniser bound to one ONNX model and its dictionary."""

    def __init__(self, model_path, characters: tuple[str, ...], threads: int):
        self.session = session(model_path, threads)
        self.input_name = self.session.get_inputs()[0].name
        shape = self.session.get_inputs()[0].shape
        self.height = shape[2] if isinstance(shape[2], int) else 48
        num_classes = self.session.get_outputs()[0].shape[-1]
        self.decode = CTCDecoder(characters, int(num_classes))

    def __call__(self, crops: list[np.ndarray], p: RecParams) -> list[Recognised]:
        height = p.input_shape[1] if p.input_shape else self.height
        min_width = p.input_shape[2] if p.input_shape else p.min_width
        order = sorted(range(len(crops)), key=lambda i: crops[i].shape[1] / max(crops[i].shape[0], 1))
        results: list[Recognised | None] = [None] * len(crops)
        for start in range(0, len(order), p.batch_size):
            chunk = order[start:start + p.batch_size]
            batch = [crops[i] for i in chunk]
            tensor = preprocess(batch, height, min_width)
            probs = self.session.run(None, {self.input_name: tensor})[0]
            used = [width_for(c, height) / tensor.shape[3] for c in batch]
            for i, rec in zip(chunk, self.decode(probs, used)):
                results[i] = rec
        return results  # type: ignore[return-value]
