"""Florence-2's weights and processor from a local folder in the Hugging Face layout.

Never from a hub: the folder is one the user fetched once (README: Florence-2), read with
`local_files_only`. Each way a folder can be wrong says so in one line before torch spends
seconds on it: none given, not there, not a model, another model, weights that do not fit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import FLORENCE_DIR_ENV
from ..errors import ModelError
from ..extras import require

FETCH_HINT = "fetch florence-community/Florence-2-base (or -large) once, see README: Florence-2"


@dataclass
class Loaded:
    model: Any  # Florence2ForConditionalGeneration, in eval mode
    processor: Any  # Florence2Processor
    folder: Path
    name: str  # the folder's name: Florence-2-base, Florence-2-large, ...


def check_folder(model_dir: str | None) -> Path:
    """The folder, if it holds a Florence-2 model's config; else a ModelError saying why."""
    if not model_dir:
        raise ModelError(
            "the Florence-2 engine needs its weights: pass florence_model_dir (CLI "
            f"--florence-model-dir, or set {FLORENCE_DIR_ENV}) naming a local folder; " + FETCH_HINT
        )
    folder = Path(model_dir).expanduser()
    if not folder.is_dir():
        raise ModelError(f"{folder}: no such folder for the Florence-2 weights; {FETCH_HINT}")
    config = folder / "config.json"
    try:
        model_type = json.loads(config.read_text(encoding="utf-8")).get("model_type")
    except (OSError, ValueError, AttributeError):
        raise ModelError(
            f"{folder}: no readable config.json, so not a model in the Hugging Face layout; "
            + FETCH_HINT
        ) from None
    if model_type != "florence2":
        raise ModelError(
            f"{folder}: holds a {model_type or 'untyped'} model, not Florence-2 "
            f"(config.json model_type must be florence2); {FETCH_HINT}"
        )
    return folder


def load(model_dir: str | None, threads: int | None = None) -> Loaded:
    """The model and its processor, on the CPU in float32."""
    folder = check_folder(model_dir)
    require("florence", "the Florence-2 engine")
    import torch
    from transformers import AutoProcessor, Florence2ForConditionalGeneration
    from transformers.utils import logging as hf_logging

    if threads:
        torch.set_num_threads(threads)
    hf_logging.set_verbosity_error()  # its progress bars and notices would fill the service log
    hf_logging.disable_progress_bar()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    try:
        processor = AutoProcessor.from_pretrained(folder, local_files_only=True)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ModelError(
            f"{folder}: cannot load Florence-2's processor ({_first_line(exc)})"
        ) from None
    try:
        loaded: Any = Florence2ForConditionalGeneration.from_pretrained(
            folder, local_files_only=True, dtype=torch.float32, output_loading_info=True
        )
    except (OSError, ValueError, RuntimeError) as exc:
        raise ModelError(
            f"{folder}: cannot load Florence-2's weights ({_first_line(exc)})"
        ) from None
    model, info = loaded
    missing = info.get("missing_keys") or []
    mismatched = info.get("mismatched_keys") or []
    if missing or mismatched:
        raise ModelError(
            f"{folder}: its weights do not fit transformers' Florence-2 ({len(missing)} missing, "
            f"{len(mismatched)} of another shape, e.g. {(list(missing) + list(mismatched))[0]}); "
            "use a checkpoint converted for transformers (florence-community/...)"
        )
    return Loaded(model.eval(), processor, folder, folder.name)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
