"""The `device` parameter: PaddleOCR's names, and a GPU that is not there said in one line."""

from __future__ import annotations

import ctypes.util
import subprocess
import sys

import onnxruntime
import openvino
import pytest

from conftest import SAMPLES
from textlens import OCR
from textlens.cli import build_parser
from textlens.config import resolve
from textlens.errors import ConfigError
from textlens.flags import pipeline_args
from textlens.models import resolve as resolve_model
from textlens.runtime import Runtime, check_device, load, parse_device, resolve_precision

INVOICE = str(SAMPLES / "invoice.png")
NO_GPU = "no CUDA/OpenVINO GPU device on this machine"


def _gpu_here(backend: str) -> bool:
    """Whether this machine has a GPU for `backend`, found without check_device (under test)."""
    if backend == "openvino":
        return any(name.startswith("GPU") for name in openvino.Core().available_devices)
    cuda = "CUDAExecutionProvider" in onnxruntime.get_available_providers()
    return cuda and ctypes.util.find_library("cuda") is not None


@pytest.mark.parametrize(
    "given, held",
    [("cpu", "cpu"), ("CPU", "cpu"), ("gpu", "gpu:0"), ("gpu:0", "gpu:0"), (" GPU:3 ", "gpu:3")],
)
def test_paddleocr_device_names(given, held):
    assert parse_device(given) == held
    assert resolve(device=given).device == held


@pytest.mark.parametrize("given", ["npu", "xpu:0", "gpu:0,1", "gpu:", "gpu:-1", "cuda", "cpu:0"])
def test_other_devices_are_refused_naming_the_accepted_ones(given):
    with pytest.raises(ConfigError, match=r"^device must be cpu, gpu or gpu:N .*, not "):
        resolve(device=given)


def test_the_default_is_the_cpu_and_it_needs_nothing():
    assert resolve().device == "cpu"
    check_device("openvino", "cpu")
    check_device("onnxruntime", "cpu")


def test_the_pipeline_yaml_names_a_device_and_the_argument_wins(tmp_path):
    config = tmp_path / "OCR.yaml"
    config.write_text("pipeline_name: OCR\ndevice: gpu:1\n")
    assert resolve(config).device == "gpu:1"
    assert resolve(config, device="cpu").device == "cpu"
    config.write_text("pipeline_name: OCR\ndevice: npu:0\n")
    with pytest.raises(ConfigError, match="device must be"):
        resolve(config)


@pytest.mark.parametrize("command", [["ocr", "-i", INVOICE], ["batch", INVOICE, "--out", "o"]])
def test_the_cli_flag(command):
    args = build_parser().parse_args([*command, "--device", "gpu:1"])
    assert pipeline_args(args) == {"device": "gpu:1"}
    assert resolve(**pipeline_args(args)).device == "gpu:1"


def test_precision_on_a_gpu():
    assert resolve_precision("openvino", None, "gpu:0") == "fp16"
    assert resolve_precision("openvino", "fp32", "gpu:0") == "fp32"
    assert resolve_precision("onnxruntime", None, "gpu:0") == "fp32"
    with pytest.raises(ConfigError, match="precision bf16 is for CPUs"):
        resolve(device="gpu", precision="bf16")


@pytest.mark.parametrize(
    "backend, reason",
    [("openvino", "OpenVINO finds no GPU 0"), ("onnxruntime", "has no CUDA provider")],
)
def test_an_absent_gpu_is_one_line_from_the_api_and_the_cli(backend, reason):
    if _gpu_here(backend):
        pytest.skip(f"this machine has a GPU for {backend}: the absent case cannot be shown")
    with pytest.raises(ConfigError, match=f"^device gpu:0: .*{reason}"):
        OCR(device="gpu:0", inference_backend=backend)
    command = ["ocr", "-i", INVOICE, "--device", "gpu", "--inference_backend", backend]
    done = subprocess.run(
        [sys.executable, "-m", "textlens.cli", *command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("error: device gpu:0: ") and reason in line


def test_a_cuda_provider_without_a_gpu_is_refused(monkeypatch):
    """What onnxruntime-gpu does on a machine without a GPU: it lists the provider."""
    monkeypatch.setattr(
        onnxruntime, "get_available_providers", lambda: ["CUDAExecutionProvider", "CPU"]
    )
    monkeypatch.setattr("textlens.runtime._cuda_gpus", lambda: 1)
    check_device("onnxruntime", "gpu:0")
    with pytest.raises(ConfigError, match=r"gpu:1: the NVIDIA driver shows 1 CUDA GPU\(s\)"):
        check_device("onnxruntime", "gpu:1")


def test_the_error_names_the_backend_that_can_use_the_gpu(monkeypatch):
    if _gpu_here("openvino"):
        pytest.skip("OpenVINO has a GPU here: there is nothing to redirect")
    monkeypatch.setattr(onnxruntime, "get_available_providers", lambda: ["CUDAExecutionProvider"])
    monkeypatch.setattr("textlens.runtime._cuda_gpus", lambda: 1)
    with pytest.raises(ConfigError, match=r"; inference_backend onnxruntime can use it here$"):
        OCR(device="gpu")


def test_onnxruntimes_silent_fall_back_to_the_cpu_is_an_error():
    """Asked for CUDA where it cannot start, onnxruntime makes a CPU session with a warning."""
    if _gpu_here("onnxruntime"):
        pytest.skip("CUDA starts here: onnxruntime does not fall back")
    model = resolve_model("ch_ppocr_mobile_v2.0_cls").path
    with (
        pytest.warns(UserWarning, match="CUDAExecutionProvider"),
        pytest.raises(ConfigError, match="not the CUDA and cuDNN libraries"),
    ):
        load(model, Runtime("onnxruntime", 1, "fp32", "gpu:0"))


@pytest.mark.parametrize("backend", ["openvino", "onnxruntime"])
def test_a_gpu_reads_what_the_cpu_reads(backend):
    if not _gpu_here(backend):
        pytest.skip(NO_GPU)
    on_gpu = OCR(device="gpu:0", inference_backend=backend, precision="fp32", cpu_threads=1)
    on_cpu = OCR(inference_backend=backend, precision="fp32", cpu_threads=1)
    assert on_gpu.runtime.device == "gpu:0"
    read = [line.text for line in on_gpu.predict(INVOICE)[0].lines]
    assert len(read) > 10 and read == [line.text for line in on_cpu.predict(INVOICE)[0].lines]
