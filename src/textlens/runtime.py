"""The one place that loads ONNX models for inference.

Every stage asks here for its model so that the backend, threads and precision are set once.
Two backends read the same ONNX files:

- OpenVINO (default): on this project's CPUs it runs the detector about 3x faster than
  onnxruntime at fp32 with the same outputs (its convolutions are faster), and, where the CPU
  computes bfloat16 natively (AVX512-BF16 / AMX), it runs bf16 for about 2x more.
- onnxruntime: fp32 only; the reference the project was first measured with.

Both run on the CPU by default. `device` "gpu:N" runs them on GPU N: onnxruntime through its CUDA
provider (the `onnxruntime-gpu` build), OpenVINO through its GPU plugin (Intel GPUs). A device
that is asked for and absent is an error, never a silent run on the CPU.

Compiled models are cached by file and by every option below: compiling costs far more than a
page. Every model object runs one input and returns its first output, which is all the
stages need, so no stage knows which backend runs it. A classifier that only needs each row's
best class asks for `best_class`: its model returns (best probability, class index) over the last
axis, which OpenVINO computes inside the graph (a recogniser's output has 18710 classes per time
step: no copy of it, no numpy argmax over it).
"""

from __future__ import annotations

import contextlib
import io
import os
import queue
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ConfigError, ModelError

BACKENDS = ("openvino", "onnxruntime")
PRECISIONS = ("bf16", "fp32")
_DEVICE = re.compile(r"cpu|gpu(?::(\d+))?")


def parse_device(text: str) -> str:
    """PaddleOCR's device names as textlens holds them: `cpu`, or `gpu:N` (`gpu` is GPU 0).
    PaddleOCR's other devices (npu, xpu, mlu, dcu) need Paddle's own runtimes: refused here."""
    match = _DEVICE.fullmatch(str(text).strip().lower())
    if match is None:
        raise ConfigError(f"device must be cpu, gpu or gpu:N (N: the GPU's number), not {text!r}")
    return "cpu" if match[0] == "cpu" else f"gpu:{int(match[1] or 0)}"


def _gpu_index(device: str) -> int | None:
    """The GPU number of a device as parse_device gives it; None for the CPU."""
    return None if device == "cpu" else int(device.partition(":")[2])


def default_threads() -> int:
    """All the cores this process may use: the backends' own defaults ignore CPU affinity."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Runtime:
    """How models run: which backend, how many threads, at which precision, on which device.

    precision is what resolve_precision gives: bf16, fp32, or fp16 (OpenVINO on a GPU).
    """

    backend: str = "openvino"
    threads: int = 1
    precision: str = "fp32"
    device: str = "cpu"  # or gpu:N, as parse_device gives it

    def at(self, precision: str) -> Runtime:
        return Runtime(self.backend, self.threads, precision, self.device)


class Model(Protocol):
    """A loaded network: one input tensor in, its first output out.

    `lanes` callers may run it at once, each on its share of the threads (see load)."""

    input_shape: tuple  # ints, or None where the dimension is dynamic
    output_shape: tuple
    lanes: int

    def run(self, x: np.ndarray) -> np.ndarray:
        """The network's first output."""
        ...

    def run_best(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For a model loaded with best_class: each step's best score and its class."""
        ...


def load(
    path: Path,
    runtime: Runtime,
    best_class: bool = False,
    shapes_kept: int | None = None,
    lanes: int = 1,
) -> Model:
    """A model ready to run; compiled once per process and runtime.

    With best_class, run_best() returns (probability, index) of the best class over the last axis.
    shapes_kept bounds how many input shapes' prepared kernels OpenVINO keeps (default: its
    own, thousands): a detector meets a new shape with nearly every page, and keeping them all
    only grows memory. With `lanes` > 1 (on a CPU, at most one per thread), that many callers
    may run it at once, the threads split between them: many small inputs (a page's text lines)
    then keep every core busy, where one input run on all threads leaves them waiting for each
    other.
    """
    lanes = 1 if runtime.device != "cpu" else max(1, min(lanes, runtime.threads))
    if runtime.backend == "onnxruntime":
        session = _ort_session(Path(path), runtime.threads // lanes, runtime.device)
        return _OrtModel(session, lanes)
    compiled, output_shape = ov_compiled(
        Path(path),
        runtime.threads,
        runtime.precision,
        best_class,
        shapes_kept,
        runtime.device,
        lanes,
    )
    return _OpenVinoModel(compiled, output_shape, lanes)


def resolve_precision(backend: str, wanted: str | None, device: str = "cpu") -> str:
    """The precision models really run at: bf16 (asked for, or by default) only on OpenVINO on
    a CPU that computes it; fp16 by default with OpenVINO on a GPU (what its GPU plugin runs
    fastest; unsure lines are re-read at fp32 as with bf16); elsewhere fp32, so nothing is
    re-read for a precision never used."""
    if device != "cpu":
        return "fp16" if backend == "openvino" and wanted is None else "fp32"
    if backend == "openvino" and wanted in (None, "bf16") and bf16_native():
        return "bf16"
    return "fp32"


def check_device(backend: str, device: str) -> None:
    """Refuse, in one line that says what to do, a GPU that `backend` cannot use here. The
    user's backend is kept; where the other one can use that GPU, the message says so."""
    index = _gpu_index(device)
    if index is None:
        return
    why = _why_no_gpu(backend, index)
    if why is not None:
        other = next(b for b in BACKENDS if b != backend)
        instead = (
            f"inference_backend {other} can use it here"
            if _why_no_gpu(other, index) is None
            else "use device cpu"
        )
        raise ConfigError(f"device {device}: {why}; {instead}")


def _why_no_gpu(backend: str, index: int) -> str | None:
    """Why `backend` cannot run on GPU `index` here; None where it can."""
    if backend == "onnxruntime":
        import onnxruntime as ort

        if "CUDAExecutionProvider" not in ort.get_available_providers():
            return (
                "this onnxruntime has no CUDA provider (install onnxruntime-gpu in its place: "
                "README, GPU)"
            )
        shown = _cuda_gpus()
        return None if index < shown else f"the NVIDIA driver shows {shown} CUDA GPU(s)"
    gpus = [name for name in _ov_core().available_devices if name.startswith("GPU")]
    if _ov_gpu(index) in gpus:
        return None
    found = ", ".join(gpus) or "none"
    return f"OpenVINO finds no GPU {index} (it runs Intel GPUs; GPUs it finds: {found})"


@lru_cache(maxsize=1)
def _cuda_gpus() -> int:
    """How many GPUs the NVIDIA driver shows this process (after CUDA_VISIBLE_DEVICES), asked of
    the driver itself: onnxruntime-gpu lists its CUDA provider on any machine."""
    import ctypes

    try:
        cuda = ctypes.CDLL("libcuda.so.1")
    except OSError:  # no NVIDIA driver
        return 0
    count = ctypes.c_int(0)
    if cuda.cuInit(0) != 0 or cuda.cuDeviceGetCount(ctypes.byref(count)) != 0:
        return 0
    return count.value


def _ov_gpu(index: int) -> str:
    """OpenVINO's name for GPU `index`: GPU.N, or GPU where it finds only one (GPU.0's alias)."""
    return "GPU" if index == 0 and "GPU" in _ov_core().available_devices else f"GPU.{index}"


def bf16_native() -> bool:
    """Whether this CPU computes bfloat16 itself; elsewhere bf16 would only be emulated."""
    return "BF16" in _ov_core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")


def best_class(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(probability, index) of the best class over the last axis, in numpy: what a best_class
    model returns, for a backend that cannot compute it in the graph."""
    index = scores.argmax(axis=-1)
    return np.take_along_axis(scores, index[..., None], axis=-1)[..., 0], index


class _OrtModel:
    """An onnxruntime session; its run may be called from several threads at once."""

    def __init__(self, session, lanes: int = 1):
        self.session = session
        self.lanes = lanes
        self.input_name = session.get_inputs()[0].name
        self.input_shape = _static(session.get_inputs()[0].shape)
        self.output_shape = _static(session.get_outputs()[0].shape)

    def run(self, x: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: x})[0]

    def run_best(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return best_class(self.run(x))


class _OpenVinoModel:
    """A compiled model with one infer request per lane: a request serves one caller at a time,
    and each lane's requests run on their own stream of the compiled model."""

    def __init__(self, compiled, output_shape: tuple, lanes: int = 1):
        self.lanes = lanes
        self._requests: queue.SimpleQueue = queue.SimpleQueue()
        for _ in range(lanes):
            self._requests.put(compiled.create_infer_request())
        self.input_shape = _static(_dims(compiled.inputs[0].partial_shape))
        self.output_shape = output_shape  # the network's, before any best-class head

    def _infer(self, x: np.ndarray):
        request = self._requests.get()
        try:
            # share_inputs: no copy of the batch; outputs are copied, the request reuses its
            # buffers
            return request.infer({0: np.ascontiguousarray(x)}, share_inputs=True)
        finally:
            self._requests.put(request)

    def run(self, x: np.ndarray) -> np.ndarray:
        return self._infer(x)[0]

    def run_best(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        out = self._infer(x)  # the best-class head's two outputs
        return out[0], out[1]


def _dims(partial_shape) -> list:
    return [d.get_length() if d.is_static else None for d in partial_shape]


def _static(shape) -> tuple:
    return tuple(d if isinstance(d, int) else None for d in shape)


@lru_cache(maxsize=32)
def _ort_session(path: Path, threads: int, device: str = "cpu"):
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    index = _gpu_index(device)
    providers: list[Any] = ["CPUExecutionProvider"]  # on a GPU: the operators CUDA lacks
    if index is not None:
        _load_cuda_libraries()
        # HEURISTIC: cuDNN's default exhaustive search times every convolution again for each
        # new input shape, and the detector meets one with nearly every page. No TF32: fp32
        # means fp32 here, as on the CPU.
        cuda = {"device_id": index, "cudnn_conv_algo_search": "HEURISTIC", "use_tf32": 0}
        providers.insert(0, ("CUDAExecutionProvider", cuda))
    try:
        # enable_fallback=0: a provider that fails raises instead of rerunning on the CPU
        session = ort.InferenceSession(
            str(path), sess_options=options, providers=providers, enable_fallback=0
        )
    except Exception as exc:  # onnxruntime raises several unrelated types
        raise ModelError(f"cannot load ONNX model {path}: {exc}") from exc
    if index is not None and "CUDAExecutionProvider" not in session.get_providers():
        # what onnxruntime does, with a warning only, when CUDA's libraries are missing
        raise ConfigError(
            f"device {device}: onnxruntime-gpu found the GPU but not the CUDA and cuDNN "
            "libraries it needs (the 'gpu' extra installs them: README, GPU)"
        )
    return session


@lru_cache(maxsize=1)
def _load_cuda_libraries() -> None:
    """Load CUDA and cuDNN from the nvidia-* wheels of the `gpu` extra, where onnxruntime does
    not look by itself. What it prints about libraries not found is dropped (it would land
    among the OCR text on stdout): the session's providers tell whether CUDA started."""
    import onnxruntime as ort

    with contextlib.redirect_stdout(io.StringIO()):
        ort.preload_dlls()


@lru_cache(maxsize=1)
def _ov_core():
    import openvino as ov

    return ov.Core()


@lru_cache(maxsize=32)
def ov_compiled(
    path: Path,
    threads: int,
    precision: str,
    best_class: bool = False,
    shapes_kept: int | None = None,
    device: str = "cpu",
    lanes: int = 1,
) -> tuple[Any, tuple]:
    hint = {"bf16": "bf16", "fp16": "f16"}.get(precision, "f32")
    if hint == "bf16" and not bf16_native():
        hint = "f32"
    config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": hint}
    index = _gpu_index(device)
    if lanes == 1:
        config["PERFORMANCE_HINT"] = "LATENCY"
    else:  # one stream per lane, the threads split evenly between them
        config["NUM_STREAMS"] = lanes
    if index is None:  # properties of the CPU plugin only
        config["INFERENCE_NUM_THREADS"] = threads
        if shapes_kept is not None:
            config["CPU_RUNTIME_CACHE_CAPACITY"] = shapes_kept
    try:
        model = _ov_core().read_model(str(path))
        output_shape = _static(_dims(model.output(0).get_partial_shape()))
        if best_class:
            model = _with_best_class(model)
        target = "CPU" if index is None else _ov_gpu(index)
        return _ov_core().compile_model(model, target, config), output_shape
    except Exception as exc:  # OpenVINO raises RuntimeError and its own types
        raise ModelError(f"cannot load ONNX model {path}: {exc}") from exc


def _with_best_class(model):
    """The model with its first output replaced by (max, argmax) over the last axis."""
    import openvino as ov
    import openvino.opset13 as ops

    scores = model.output(0).get_node().input_value(0)
    best = ops.topk(
        scores,
        ops.constant(np.int64(1)),
        axis=-1,
        mode="max",
        sort="none",
        index_element_type="i64",
    )
    last = ops.constant(np.array([-1], dtype=np.int64))
    return ov.Model(
        [
            ops.result(ops.squeeze(best.output(0), last)),
            ops.result(ops.squeeze(best.output(1), last)),
        ],
        model.get_parameters(),
    )
