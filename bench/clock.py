"""Wall time and time inside model calls, per system, measured alike for every system.

Each Python-side system here runs its networks through one of two public calls: OpenVINO's
`InferRequest.infer` (textlens's default backend, RapidOCR's openvino engine) or onnxruntime's
`InferenceSession.run` (textlens's onnxruntime backend, RapidOCR's default). While a Stopwatch
is installed both are wrapped, and each call's seconds go to the system whose page is being read,
so no system's private attributes are touched and the share of time outside the models means
the same for all of them. A system may run several model calls at once (textlens reads lines in
lanes): time with at least one call in flight counts once. faster-paddle runs onnxruntime inside
its Rust extension, out of reach.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any


class Stopwatch:
    """Seconds per system: `wall` spent reading its pages, `models` inside its model calls."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.models: dict[str, float] = defaultdict(float)
        self._reading: str | None = None  # the system whose page is being read now
        self._lock = threading.Lock()
        self._in_flight = 0  # model calls running now
        self._busy_since = 0.0  # when the first of them started

    def reset(self) -> None:
        self.wall.clear()
        self.models.clear()

    @contextmanager
    def page(self, system: str) -> Iterator[None]:
        """Time one page read by `system`; model calls made meanwhile count as its own."""
        self._reading, start = system, time.perf_counter()
        try:
            yield
        finally:
            self.wall[system] += time.perf_counter() - start
            self._reading = None

    def outside_models(self, system: str) -> float:
        """The share of `system`'s wall time spent outside model calls."""
        return 1 - self.models[system] / self.wall[system]

    @contextmanager
    def installed(self) -> Iterator[Stopwatch]:
        """The backends' run calls timed while inside; restored on the way out."""
        import onnxruntime
        import openvino

        targets = [(openvino.InferRequest, "infer"), (onnxruntime.InferenceSession, "run")]
        own = [vars(cls).get(name) for cls, name in targets]  # None: inherited
        for cls, name in targets:
            setattr(cls, name, self._timed(getattr(cls, name)))
        try:
            yield self
        finally:
            for (cls, name), original in zip(targets, own):
                if original is None:
                    delattr(cls, name)
                else:
                    setattr(cls, name, original)

    def _timed(self, run: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(run)
        def timed(*args: Any, **kwargs: Any) -> Any:
            system = self._reading
            with self._lock:
                if self._in_flight == 0:
                    self._busy_since = time.perf_counter()
                self._in_flight += 1
            try:
                return run(*args, **kwargs)
            finally:
                with self._lock:
                    self._in_flight -= 1
                    if self._in_flight == 0 and system is not None:
                        self.models[system] += time.perf_counter() - self._busy_since

        return timed
