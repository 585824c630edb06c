"""Quadrilateral geometry shared by the stages: ordering, cropping, sorting.

Text lines travel through the pipeline as 4x2 float arrays, clockwise from the top-left corner,
in the pixel coordinates of the page the detector saw.
"""

from __future__ import annotations

import cv2
import numpy as np


def order_quad(points: np.ndarray) -> np.ndarray:
    """Order four points clockwise starting at the top-left one."""
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    by_x = pts[np.argsort(pts[:, 0], kind="stable")]
    left, right = by_x[:2], by_x[2:]
    tl, bl = left[np.argsort(left[:, 1], kind="stable")]
    tr, br = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([tl, tr, br, bl], dtype=np.float32)


# PaddleOCR's rule: a line at least this many times taller than it is wide runs top to bottom.
VERTICAL_RATIO = 1.5


def is_vertical(width: float, height: float) -> bool:
    """Whether a line of this size is read top to bottom (its crop is turned to lie flat)."""
    return height >= VERTICAL_RATIO * width


def quad_size(quad: np.ndarray) -> tuple[float, float]:
    """(width, height) of a quad: the longer of each pair of opposite sides."""
    w = max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[3] - quad[2]))
    h = max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2]))
    return float(w), float(h)


_CROP_MAX_THICKNESS = 96  # px across the line: twice the recogniser's height


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Cut a quad out of the page and straighten it into an upright rectangle.

    A crop much taller than wide is a vertical line (or a rotated word): it is turned 90 degrees
    counter-clockwise so the recogniser reads it left to right, as PaddleOCR does.
    """
    w, h = quad_size(quad)
    scale = min(1.0, _CROP_MAX_THICKNESS / max(1.0, min(w, h)))
    w, h = max(1, int(round(w * scale))), max(1, int(round(h * scale)))
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    crop = cv2.warpPerspective(
        image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    if is_vertical(w, h):
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def reading_sort(quads: list[np.ndarray], line_tolerance: float = 10.0) -> list[int]:
    """Indices of quads in reading order: top to bottom, left to right within a row.

    Two boxes whose top edges are within `line_tolerance` pixels belong to one row.
    """
    if not quads:
        return []
    tops = [(float(q[0][1]), float(q[0][0]), i) for i, q in enumerate(quads)]
    tops.sort()
    order: list[int] = []
    row: list[tuple[float, float, int]] = []
    row_y = tops[0][0]
    for y, x, i in tops:
        if y - row_y > line_tolerance:
            order.extend(idx for _, _, idx in sorted(row, key=lambda t: t[1]))
            row, row_y = [], y
        row.append((y, x, i))
    order.extend(idx for _, _, idx in sorted(row, key=lambda t: t[1]))
    return order


def quad_to_box(quad: np.ndarray) -> list[int]:
    """The axis-aligned [x_min, y_min, x_max, y_max] that holds a quad."""
    q = np.asarray(quad)
    return [int(q[:, 0].min()), int(q[:, 1].min()), int(q[:, 0].max()), int(q[:, 1].max())]


def rotate_page(image: np.ndarray, angle: int) -> np.ndarray:
    """Turn a page counter-clockwise by a multiple of 90 degrees."""
    turns = (angle // 90) % 4
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image
