"""The inference backends: same ONNX files, same answers at fp32; bf16 re-reads unsure lines."""

import cv2
import numpy as np
import pytest

from conftest import SAMPLES
from textlens import OCR
from textlens.errors import ConfigError
from textlens.geometry import crop_quad
from textlens.models import resolve
from textlens.runtime import Runtime, bf16_native, load, ov_compiled
from textlens.stages import recognition
from textlens.stages.recognition import RecParams, TextRecognizer


def test_openvino_at_fp32_reads_a_page_exactly_as_onnxruntime():
    by_ort = OCR(inference_backend="onnxruntime", cpu_threads=1).predict(
        str(SAMPLES / "invoice.png")
    )[0]
    by_ov = OCR(inference_backend="openvino", precision="fp32", cpu_threads=1).predict(
        str(SAMPLES / "invoice.png")
    )[0]
    assert len(by_ort.lines) > 10
    assert [l.text for l in by_ov.lines] == [l.text for l in by_ort.lines]
    assert all(np.array_equal(a.poly, b.poly) for a, b in zip(by_ov.lines, by_ort.lines))
    assert [l.score for l in by_ov.lines] == pytest.approx(
        [l.score for l in by_ort.lines], abs=1e-4
    )


def test_both_backends_report_the_models_shapes():
    path = resolve("PP-OCRv6_small_rec").path
    for backend in ("openvino", "onnxruntime"):
        model = load(path, Runtime(backend, 1, "fp32"))
        assert model.input_shape == (None, 3, 48, None)
        assert model.output_shape[-1] == 18710


class CountingModel:
    def __init__(self, inner):
        self.inner, self.rows = inner, 0
        self.lanes = inner.lanes  # a Model: how many callers may run it at once

    def run_best(self, x):
        self.rows += int((np.abs(x).reshape(len(x), -1).max(axis=1) > 0).sum())  # not blank
        return self.inner.run_best(x)


def test_bf16_reads_unsure_lines_again_at_fp32(ocr):
    if not bf16_native():
        pytest.skip("this CPU has no native bf16: OpenVINO runs fp32 and nothing is re-read")
    rec = resolve("PP-OCRv6_small_rec")
    page = cv2.imread(str(SAMPLES / "invoice.png"))
    surest = max(ocr.predict(page)[0].lines, key=lambda l: l.score)
    noise = np.random.default_rng(0).integers(0, 255, (40, 300, 3), dtype=np.uint8)
    crops = [crop_quad(page, surest.poly), noise]
    bf16 = TextRecognizer(rec.path, rec.characters, Runtime("openvino", 1, "bf16"))
    fp32 = TextRecognizer(rec.path, rec.characters, Runtime("openvino", 1, "fp32"))
    assert fp32.recheck is None
    bf16.recheck = CountingModel(bf16.recheck)
    got = bf16(crops, RecParams())
    assert got[0].text == surest.text and got[0].score >= recognition._RECHECK_BELOW
    assert bf16.recheck.rows == 1  # only the noise crop was re-read, and its reading is fp32's
    assert got[1] == fp32([noise], RecParams())[0]


def test_bf16_falls_back_to_fp32_where_the_cpu_lacks_it(monkeypatch):
    monkeypatch.setattr("textlens.runtime.bf16_native", lambda: False)
    path = resolve("ch_ppocr_mobile_v2.0_cls").path
    ov_compiled.cache_clear()
    try:
        compiled = ov_compiled(path, 1, "bf16")[0]
        assert str(compiled.get_property("INFERENCE_PRECISION_HINT")) == "<Type: 'float32'>"
    finally:
        ov_compiled.cache_clear()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"inference_backend": "tensorrt"}, "inference_backend must be openvino or onnxruntime"),
        ({"precision": "int4"}, "precision must be bf16 or fp32"),
        (
            {"inference_backend": "onnxruntime", "precision": "bf16"},
            "needs inference_backend openvino",
        ),
    ],
)
def test_bad_backend_settings_are_refused(params, message):
    with pytest.raises(ConfigError, match=message):
        OCR(**params)


def test_without_native_bf16_nothing_is_re_read(monkeypatch):
    monkeypatch.setattr("textlens.runtime.bf16_native", lambda: False)
    engine = OCR(cpu_threads=1)
    assert engine.runtime.precision == "fp32" and engine.recognizer.recheck is None
