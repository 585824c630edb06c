"""bench/compare.py end to end on the repo's invoice, with textlens at both precisions and every
peer: each system must read the invoice's text where it is drawn, and the row must hold every
figure the README's table is built from. Speeds are not checked here (quote them from a run).
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

import pytest
from PIL import ImageFont

from conftest import REPO, SAMPLES, sample_maker


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    """bench/compare.py, imported as its script imports its neighbours."""
    pytest.importorskip(
        "faster_paddle", reason="faster-paddle is not installed (pip install '.[bench]')"
    )
    if str(REPO / "bench") not in sys.path:
        sys.path.insert(0, str(REPO / "bench"))
    sets = importlib.import_module("sets")
    if not (sets.EVAL / "score.py").is_file():
        pytest.skip(f"the yardstick {sets.EVAL / 'score.py'} is absent (it lives beside the repo)")
    return importlib.import_module("compare")


def invoice_truth() -> dict:
    """samples/invoice.png as a manifest entry: each line boxed where make_samples draws it."""
    font = ImageFont.load_default(size=30)
    lines = []
    for i, text in enumerate(sample_maker().INVOICE):
        x1, y1, x2, y2 = font.getbbox(text)
        x, y = 60, 60 + 72 * i  # render()'s origin and line pitch
        poly = [[x + x1, y + y1], [x + x2, y + y1], [x + x2, y + y2], [x + x1, y + y2]]
        lines.append({"text": text, "poly": poly})
    return {"image": "invoice.png", "lines": lines}


def test_every_system_reads_the_invoice(bench):
    import onnxruntime
    import openvino

    from textlens.runtime import bf16_native

    systems = bench.systems
    backends = (openvino.InferRequest.infer, onnxruntime.InferenceSession.run)
    configs = bench.textlens_configs(["bf16", "fp32"], {})
    ours = [systems.textlens(name, config) for name, config in configs.items()]
    peers = [make() for make in systems.PEERS.values()]
    with bench.Stopwatch().installed() as watch:
        row = bench.compare(SAMPLES, [invoice_truth()], ours, peers, watch)
    assert (openvino.InferRequest.infer, onnxruntime.InferenceSession.run) == backends

    assert row["pages"] == 1
    assert set(row["systems"]) == {*configs, *systems.PEERS}
    assert set(row["speed_ratio"]) == set(configs)
    for ratios in row["speed_ratio"].values():
        assert set(ratios) == set(systems.PEERS) and all(r > 0 for r in ratios.values())
    for name, got in row["systems"].items():
        assert got["word_f1"] >= 0.9, (name, got)  # the text, read
        # where it is drawn: the 8 one-column lines at least (detectors split the table's rows
        # into columns each their own way)
        assert got["det_hmean"] >= 0.4, (name, got)
        assert got["pages_per_s"] > 0
        share = got["outside_model_share"]
        if name.startswith("faster-paddle"):  # its models run inside its Rust extension
            assert share is None
        else:  # model calls were caught, and were not everything
            assert 0 < share < 1, (name, share)
    native = "bf16" if bf16_native() else "fp32"
    assert row["systems"]["textlens-bf16"]["runs_at"] == native
    assert row["systems"]["textlens-fp32"]["runs_at"] == "fp32"
    assert row["systems"]["rapidocr-openvino"]["runs_at"] in ("bf16", "fp32")  # OpenVINO's pick
    table = bench.markdown([{"set": "invoice", **row}]).splitlines()
    assert len(table) == 2 + len(row["systems"]) and table[2].startswith("| invoice (1) |")


def test_model_calls_in_flight_together_count_once(bench):
    """Two model calls that overlap (textlens reads lines in lanes) are one span of model time,
    so the share outside model calls cannot go below zero."""
    import threading
    import time

    watch = bench.Stopwatch()
    call = watch._timed(lambda: time.sleep(0.3))
    with watch.page("system"):
        threads = [threading.Thread(target=call) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert 0.3 <= watch.models["system"] < 0.5  # 0.6 if counted per call
    assert 0 <= watch.outside_models("system") < 0.4
