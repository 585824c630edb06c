"""How a batch job lays its workers and threads over the cores."""

import pytest

from textlens.batch import crew_for
from textlens.config import resolve


@pytest.mark.parametrize(
    "backend, cores, want",
    [
        ("openvino", 2, (1, 2)),
        ("openvino", 16, (8, 2)),
        ("onnxruntime", 2, (2, 1)),
    ],
)
def test_default_layout_follows_the_backend(backend, cores, want):
    crew = crew_for(cores, cores, None, resolve(inference_backend=backend), False)
    assert (crew.workers, crew.threads) == want


def test_explicit_workers_share_the_cores():
    crew = crew_for(8, 8, 4, resolve(), False)
    assert (crew.workers, crew.threads) == (4, 2)
