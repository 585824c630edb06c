"""ImageNet's channel statistics, which PaddleOCR's detector and page-orientation classifier
expect their input normalised by: (pixel - MEAN) * INV_STD, per channel, on 0-255 pixels."""

from __future__ import annotations

import numpy as np

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32) * 255.0
INV_STD = 1.0 / (np.array([0.229, 0.224, 0.225], dtype=np.float32) * 255.0)
