"""Whole-page orientation (0, 90, 180, 270) with a 4-class classifier.

Preprocess: short side to 256, centre crop 224, ImageNet mean/std after /255 on BGR. The label
is the angle the page is turned by counter-clockwise; rotating it back by that angle makes it
upright. A turn is only made when the classifier is confident, because flipping an upright page
costs everything while leaving a turned one costs what it already cost.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..runtime import Runtime, load
from .imagenet import INV_STD, MEAN

ANGLES = (0, 90, 180, 270)


def preprocess(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    scale = 256.0 / min(h, w)
    nh, nw = max(224, int(round(h * scale))), max(224, int(round(w * scale)))
    resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    top, left = (nh - 224) // 2, (nw - 224) // 2
    crop = resized[top : top + 224, left : left + 224].astype(np.float32)
    return ((crop - MEAN) * INV_STD).transpose(2, 0, 1)[None]


class DocOrientation:
    """Predicts how far a page is turned; `min_confidence` guards any turn at all."""

    def __init__(self, model_path, runtime: Runtime, min_confidence: float = 0.5):
        self.model = load(model_path, runtime)
        self.min_confidence = min_confidence

    def __call__(self, image: np.ndarray) -> tuple[int, float]:
        """(angle, probability) for one BGR page."""
        probs = self.model.run(preprocess(image))[0]
        best = int(probs.argmax())
        if best != 0 and probs[best] < self.min_confidence:
            return 0, float(probs[0])
        return ANGLES[best], float(probs[best])
