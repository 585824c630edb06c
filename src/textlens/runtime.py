"""The one place that makes onnxruntime sessions.

Every stage asks here for its session so that threads, graph optimisation and providers are set
once. Sessions are cached by (file, threads): building a session costs far more than a page.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import onnxruntime as ort

from .errors import ModelError


def default_threads() -> int:
    """All the cores this process may use: onnxruntime's own default ignores CPU affinity."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


@lru_cache(maxsize=32)
def session(path: Path, threads: int) -> ort.InferenceSession:
    """An inference session on the CPU with `threads` intra-op threads."""
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), sess_options=options,
                                    providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several unrelated types
        raise ModelError(f"cannot load ONNX model {path}: {exc}") from exc
