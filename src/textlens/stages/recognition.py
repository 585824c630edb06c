"""Text recognition with a CTC network (PP-OCR SVTR/LCNet recognisers).

Preprocess: each line crop is scaled to the network height (48), a long one narrowed towards
the width the network learnt on (width_for), normalised to [-1, 1] and right-padded to the
widest crop of its batch. Crops are batched in order of width, so a batch wastes little
padding. Run: per-timestep class probabilities. Postprocess: greedy CTC decoding (best class
per step, repeats merged, blanks dropped); the score is the mean probability of the kept characters.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from ..runtime import Model, Runtime, load
from ..words import CJK
from . import long_lines

_WIDE_GAP_STEPS = 4  # a silent gap this long (and far above the line's pitch) is a space
_WIDE_GAP_PITCHES = 2.5
_RECHECK_BELOW = 0.95  # at reduced precision, lines read with a lower score are read at fp32
# lines read at once, one per thread: a line is too small a job to keep several threads busy
# (they wait for each other), so lanes of one thread each read more lines per second; past 8,
# each lane's own copy of the network's buffers costs more memory than it saves time
_MAX_LANES = 8
# PP-OCR recognisers learn from lines resized into 48x320: a line up to 320/48 of its height
# long is seen at its own width in training, a longer one squeezed into 320. So a short line is
# read at its own width, and a long one narrowed to _WIDTH_SCALE of it but never below the
# trained width (a CTC step of 8 px still spans a third of an average Latin character).
# Same-pages A/B (every PDF page, 40 receipts, 40 forms; fp32) against narrowing every line to
# 0.8: word_f1 +0.0001 / +0.0086 / +0.0014 (pdf_digital / sroie / funsd), with 11% fewer
# columns on PDF pages and 5% more on receipts. A floor of 256 gives back half of the receipts'
# gain, 384 adds nothing; 0.6 loses words on forms (-0.016)
_TRAINED_ASPECT = 320 / 48
_WIDTH_SCALE = 0.7


@dataclass(frozen=True)
class RecParams:
    """text_rec_* parameters."""

    batch_size: int = 6
    input_shape: tuple[int, int, int] | None = None  # (C, H, W); W is the minimum width


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
            raise ValueError(
                f"dictionary has {len(characters)} characters but the model "
                f"predicts {num_classes} classes: wrong dictionary for this model"
            )
        self.table = np.array(table, dtype=object)

    def __call__(
        self, best_p: np.ndarray, best: np.ndarray, used: list[float] | None = None
    ) -> list[Recognised]:
        """Each time step's best probability and class [N, T] -> one Recognised per row.

        `used[i]` is the share of the time axis row i's crop covers (the rest is padding).
        """
        steps = best.shape[1]
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
    words, while a column after a gap starts with a capital, a digit or a sign. Between two
    capitals the gap must be twice as wide: two wide capitals ("VM", "WMA") leave one inside
    an acronym, and a column gap is wider still.
    """
    if len(starts) < 3:
        return chars, spans
    pitch = np.diff(starts)
    limit = max(_WIDE_GAP_STEPS, _WIDE_GAP_PITCHES * float(np.median(pitch)))
    out_chars, out_spans = [chars[0]], [spans[0]]
    for i in range(1, len(chars)):
        a, b = chars[i - 1], chars[i]
        if (
            pitch[i - 1] >= (2 * limit if a.isupper() and b.isupper() else limit)
            and not a.isspace()
            and not b.isspace()
            and not b.islower()
            and not CJK.match(a)
            and not CJK.match(b)
        ):
            out_chars.append(" ")
            out_spans.append((spans[i - 1][1], spans[i][0]))
        out_chars.append(b)
        out_spans.append(spans[i])
    return out_chars, out_spans


def _joined(parts: list[Recognised], ranges: list[tuple[int, int]], width: int) -> Recognised:
    """One line from the pieces it was cut into at blank gaps: texts joined by a space (none
    between CJK characters, which have no word spaces), spans mapped back onto the whole crop,
    the score the mean over all kept characters."""
    chars: list[str] = []
    spans: list[tuple[float, float]] = []
    weighted, counted = 0.0, 0
    for part, (x0, x1) in zip(parts, ranges):
        text = part.text.strip()
        if not text:
            continue
        lead = len(part.text) - len(part.text.lstrip())
        own = [
            ((x0 + a * (x1 - x0)) / width, (x0 + b * (x1 - x0)) / width)
            for a, b in part.spans[lead : lead + len(text)]
        ]
        if chars and not (CJK.match(chars[-1]) and CJK.match(text[0])):
            chars.append(" ")
            spans.append((spans[-1][1], own[0][0]))
        chars.extend(text)
        spans.extend(own)
        weighted += part.score * len(text)
        counted += len(text)
    return Recognised("".join(chars), weighted / counted if counted else 0.0, tuple(spans))


def width_for(crop: np.ndarray, height: int) -> int:
    """The width a crop is read at once scaled to the network height: its own up to the trained
    aspect, past it _WIDTH_SCALE of its own but never below the trained width (see
    _TRAINED_ASPECT); a line longer than long_lines.MAX_RATIO that could not be cut is squeezed
    to it."""
    h, w = crop.shape[:2]
    natural = height * w / max(h, 1)
    wide = round(min(natural, max(height * _TRAINED_ASPECT, _WIDTH_SCALE * natural)))
    return max(1, min(wide, int(height * long_lines.MAX_RATIO)))


def padded_width(width: int) -> int:
    """A batch's width: its widest crop rounded up on a ladder of about 50 widths (steps of 16 px
    up to 320, then 32, 64 and 128), so padding stays under a tenth of the width while OpenVINO,
    which prepares and keeps kernels for every input shape it meets, meets few shapes."""
    step = 16 if width <= 320 else 32 if width <= 640 else 64 if width <= 1280 else 128
    return -(-width // step) * step


def preprocess(crops: list[np.ndarray], height: int, min_width: int, rows: int = 0) -> np.ndarray:
    """Crops -> [max(N, rows), 3, height, W] float32: W the widest crop (at least min_width) on
    the padded_width ladder; rows past the crops are blank padding."""
    widths = [width_for(c, height) for c in crops]
    batch_w = padded_width(max(max(widths), min_width))
    batch = np.zeros((max(len(crops), rows), 3, height, batch_w), dtype=np.float32)
    for i, (crop, w) in enumerate(zip(crops, widths)):
        resized = cv2.resize(crop, (w, height), interpolation=cv2.INTER_LINEAR)
        for c, plane in enumerate(cv2.split(resized)):
            np.multiply(plane, 2.0 / 255.0, out=batch[i, c, :, :w], dtype=np.float32)
        batch[i, :, :, :w] -= 1.0
    return batch


class TextRecognizer:
    """A CTC recogniser bound to one ONNX model and its dictionary.

    At reduced precision (bf16) about 1.5% of lines read differently from fp32, nearly all of
    them lines the model is unsure of; those (score below _RECHECK_BELOW, about one in eight)
    are read again at fp32, which keeps fp32's accuracy for a small share of its time.

    Batches are read in lanes (see _MAX_LANES), widest first so that no lane is left with a
    long line at the end; each line's result does not depend on which lane read it.
    """

    def __init__(self, model_path, characters: tuple[str, ...], runtime: Runtime):
        lanes = min(runtime.threads, _MAX_LANES)
        self.model = load(model_path, runtime, best_class=True, lanes=lanes)
        # the recheck reads about one line in eight: one lane, each lane's kernels costing
        # memory for every line width it meets
        self.recheck = (
            load(model_path, runtime.at("fp32"), best_class=True)
            if runtime.precision != "fp32"
            else None
        )
        self._lanes = (
            ThreadPoolExecutor(self.model.lanes, thread_name_prefix="textlens-rec")
            if self.model.lanes > 1
            else None
        )
        self.height = self.model.input_shape[2] or 48
        num_classes = self.model.output_shape[-1]
        self.decode = CTCDecoder(characters, int(num_classes))

    def __call__(self, crops: list[np.ndarray], p: RecParams) -> list[Recognised]:
        cuts = [long_lines.pieces(c) for c in crops]
        parts = [c[:, x0:x1] for c, ranges in zip(crops, cuts) for x0, x1 in ranges]
        order = sorted(
            range(len(parts)), key=lambda i: parts[i].shape[1] / max(parts[i].shape[0], 1)
        )
        results = self._read(self.model, parts, order, p)
        if self.recheck is not None:
            unsure = [i for i in order if results[i].score < _RECHECK_BELOW]
            results.update(self._read(self.recheck, parts, unsure, p))
        out, first = [], 0
        for crop, ranges in zip(crops, cuts):
            read = [results[i] for i in range(first, first + len(ranges))]
            out.append(read[0] if len(read) == 1 else _joined(read, ranges, crop.shape[1]))
            first += len(ranges)
        return out

    def _read(
        self, model: Model, crops: list[np.ndarray], order: list[int], p: RecParams
    ) -> dict[int, Recognised]:
        """crops[i] for each i in `order` (narrowest first), read batch by batch, widest first.

        Every batch has batch_size rows (as few input shapes as possible, see padded_width);
        the one short batch is the narrowest, so its blank rows cost least."""
        height = p.input_shape[1] if p.input_shape else self.height
        min_width = p.input_shape[2] if p.input_shape else 0

        def read(chunk: list[int]) -> list[tuple[int, Recognised]]:
            batch = [crops[i] for i in chunk]
            tensor = preprocess(batch, height, min_width, rows=p.batch_size)
            used = [width_for(c, height) / tensor.shape[3] for c in batch]
            best_p, best = model.run_best(tensor)
            return list(zip(chunk, self.decode(best_p[: len(batch)], best[: len(batch)], used)))

        chunks = [
            order[max(0, end - p.batch_size) : end] for end in range(len(order), 0, -p.batch_size)
        ]
        out: dict[int, Recognised] = {}
        lanes = self._lanes if model.lanes > 1 else None
        for pairs in map(read, chunks) if lanes is None else lanes.map(read, chunks):
            out.update(pairs)
        return out
