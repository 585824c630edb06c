"""The `device` parameter: names as PaddleOCR takes them, and an absent GPU said in one line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import SAMPLES
from textlens import OCR
from textlens.config import resolve
from textlens.errors import ConfigError
from textlens.runtime import check_device, parse_device, resolve_precision


def _gpu_here(backend: str) -> bool:
    try:
        check_device(backend, "gpu:0")
    except ConfigError:
        return False
    return True


@pytest.mark.parametrize(
    "given, held",
    [
        ("cpu", "cpu"),
        ("CPU", "cpu"),
        ("gpu", "gpu:0"),
        ("gpu:0", "gpu:0"),
        ("gpu:3", "gpu:3"),
        (" GPU:1 ", "gpu:1"),
    ],
)
def test_device_names(given, held):
    assert parse_device(given) == held
    assert resolve(device=given).device == held


@pytest.mark.parametrize("given", ["npu", "xpu:0", "gpu:", "gpu:-1", "cuda", ""])
def test_other_devices_are_refused_naming_the_accepted_ones(given):
    with pytest.raises(ConfigError, match="device must be cpu, gpu or gpu:N"):
        resolve(device=given)


def test_the_pipeline_yaml_sets_the_device(tmp_path):
    config = tmp_path / "OCR.yaml"
    config.write_text("pipeline_name: OCR\ndevice: gpu:1\n")
    assert resolve(config).device == "gpu:1"
    assert resolve().device == "cpu"


def test_precision_on_a_gpu():
    assert resolve_precision("openvino", None, "gpu:0") == "fp16"
    assert resolve_precision("openvino", "fp32", "gpu:0") == "fp32"
    assert resolve_precision("onnxruntime", None, "gpu:0") == "fp32"
    with pytest.raises(ConfigError, match="bf16 is for CPUs"):
        resolve_precision("openvino", "bf16", "gpu:0")


@pytest.mark.parametrize(
    "backend, reason",
    [("openvino", "OpenVINO finds no such GPU"), ("onnxruntime", "no CUDA provider")],
)
def test_an_absent_gpu_is_one_clear_error(backend, reason):
    if _gpu_here(backend):
        pytest.skip(f"this machine has a GPU for {backend}: the absent case cannot be shown")
    with pytest.raises(ConfigError, match=reason):
        OCR(device="gpu:0", inference_backend=backend)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "textlens.cli",
            "ocr",
            "-i",
            str(SAMPLES / "invoice.png"),
            "--device",
            "gpu",
            "--inference_backend",
            backend,
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: device gpu:0: ") and reason in line


@pytest.mark.parametrize("backend", ["openvino", "onnxruntime"])
def test_a_gpu_reads_what_the_cpu_reads(backend, ocr):
    if not _gpu_here(backend):
        pytest.skip(f"no GPU device for {backend} on this machine (no CUDA/OpenVINO GPU)")
    image = str(SAMPLES / "invoice.png")
    on_gpu = OCR(device="gpu:0", inference_backend=backend, precision="fp32").predict(image)
    assert [line.text for line in on_gpu[0].lines] == [
        line.text for line in ocr.predict(image)[0].lines
    ]
