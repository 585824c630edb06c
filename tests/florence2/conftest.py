"""The tiny Florence-2 folder every test here loads (built once a session: seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from florence2 import tiny


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    return tiny.build(tmp_path_factory.mktemp("florence") / "Florence-2-tiny")


@pytest.fixture(scope="session")
def engine(tiny_dir):
    from textlens.florence2 import Florence2

    return Florence2(tiny_dir, max_new_tokens=12, num_beams=2)
