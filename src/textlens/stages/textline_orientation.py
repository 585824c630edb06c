"""Text-line orientation (0 or 180 degrees) with PaddleOCR's small line classifier.

A line upside down reads as garbage, so crops the classifier calls 180 with enough confidence
are turned before recognition. Preprocess: scale to 48 high keeping aspect (at most 192 wide),
normalise to [-1, 1], pad to 192. Postprocess: label and probability per crop.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..runtime import Runtime, load

_HEIGHT, _WIDTH = 48, 192
_LABELS = (0, 180)


def preprocess(crops: list[np.ndarray]) -> np.ndarray:
    batch = np.zeros((len(crops), 3, _HEIGHT, _WIDTH), dtype=np.float32)
    for i, crop in enumerate(crops):
        h, w = crop.shape[:2]
        new_w = min(_WIDTH, max(1, int(np.ceil(_HEIGHT * w / max(h, 1)))))
        resized = cv2.resize(crop, (new_w, _HEIGHT), interpolation=cv2.INTER_LINEAR)
        batch[i, :, :, :new_w] = (resized.astype(np.float32) * (2.0 / 255.0) - 1.0).transpose(
            2, 0, 1
        )
    return batch


def postprocess(probs: np.ndarray) -> list[tuple[int, float]]:
    best = probs.argmax(axis=1)
    return [(_LABELS[int(b)], float(probs[i, b])) for i, b in enumerate(best)]


class TextlineOrientation:
    """Classifies crops as 0 or 180 degrees; `threshold` guards the flip."""

    def __init__(self, model_path, runtime: Runtime, batch_size: int = 6, threshold: float = 0.9):
        self.model = load(model_path, runtime)
        self.batch_size = batch_size
        self.threshold = threshold

    def __call__(self, crops: list[np.ndarray]) -> tuple[list[np.ndarray], list[int]]:
        """Crops turned upright where needed, and each crop's angle label (0 or 1)."""
        labels: list[tuple[int, float]] = []
        for start in range(0, len(crops), self.batch_size):
            tensor = preprocess(crops[start : start + self.batch_size])
            labels += postprocess(self.model.run(tensor))
        out, angles = [], []
        for crop, (angle, prob) in zip(crops, labels):
            flip = angle == 180 and prob >= self.threshold
            out.append(np.ascontiguousarray(crop[::-1, ::-1]) if flip else crop)
            angles.append(1 if flip else 0)
        return out, angles
