"""Document unwarping with UVDoc.

The network sees the page at 712x488 (RGB, /255, float16) and predicts a coarse 45x31 grid of
where each output point comes from in the input, in [-1, 1]. The grid is upsampled to the full
page and applied with cv2.remap, so the unwarped page keeps its original resolution.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..runtime import Runtime, load

_NET_H, _NET_W = 712, 488


def preprocess(image: np.ndarray) -> np.ndarray:
    rgb = cv2.cvtColor(
        cv2.resize(image, (_NET_W, _NET_H), interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB
    )
    return (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1)[None].astype(np.float16)


def postprocess(grid: np.ndarray, image: np.ndarray) -> np.ndarray:
    """Apply a [2, gh, gw] sampling grid in [-1, 1] to the full-resolution page."""
    h, w = image.shape[:2]
    gh, gw = grid.shape[1:]
    # upsample with corners aligned (grid corners = page corners); cv2.resize would not
    sx, sy = np.meshgrid(
        np.linspace(0, gw - 1, w, dtype=np.float32), np.linspace(0, gh - 1, h, dtype=np.float32)
    )
    gx, gy = (
        cv2.remap(
            np.ascontiguousarray(g, dtype=np.float32),
            sx,
            sy,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        for g in grid[:2]
    )
    map_x = (gx + 1.0) * 0.5 * (w - 1)
    map_y = (gy + 1.0) * 0.5 * (h - 1)
    return cv2.remap(
        image, map_x, map_y, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )


class Unwarper:
    def __init__(self, model_path, runtime: Runtime):
        self.model = load(model_path, runtime)

    def __call__(self, image: np.ndarray) -> np.ndarray:
        grid = self.model.run(preprocess(image))[0]
        return postprocess(grid, image)
