"""`textlens ocr --engine florence2 --task '<OD>' ...`: the Florence-2 engine on the command line.

The `ocr` command keeps its one loop over files (errors, progress, exports); this module adds
the engine's flags and gives that loop a reader. OCR tasks come back as OCRResults, so their
text, JSON, pictures and document formats are those of PP-OCR's; other tasks print their
typed answer as one JSON line per page (or the text alone, for the caption and region-text
tasks) and save `<stem>_res.json` with a picture of the regions.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterator
from typing import Any

from ..config import FLORENCE_PARAMETERS
from ..errors import ConfigError
from ..inputs import Source
from ..result import OCRResult
from .result import Florence2Result
from .tasks import DEFAULT_TASK, TASKS, check_input, find

ENGINES = ("ppocr", "florence2")
SHARED = {"cpu_threads", "pdf_dpi"}  # the PP-OCR flags that also set the Florence-2 engine
_FLAGS = {  # the engine's own flags beside --florence-model-dir; values are checked by resolve
    "image_size": "side of the square the page is squashed to (default: the model's, 768)",
    "batch_size": "images (or tiles) per generate call (default 1)",
    "max_new_tokens": "most tokens generated per image (default 1024)",
    "num_beams": "beam search width (default 3)",
    "tile_size": "OCR tasks: read a large page as tiles of at most this many pixels a side",
    "tile_overlap": "pixels neighbouring tiles share (default 128)",
}
assert set(_FLAGS) | {"florence_model_dir"} | SHARED == set(FLORENCE_PARAMETERS)

Result = OCRResult | Florence2Result


def add_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine", choices=ENGINES, default="ppocr", help="ppocr (default) or florence2"
    )
    parser.add_argument(
        "--task",
        default=None,
        metavar="TOKEN",
        help=f"florence2: the prompt task, one of {', '.join(TASKS)} (default {DEFAULT_TASK})",
    )
    parser.add_argument(
        "--text_input",
        "--text-input",
        default=None,
        help="florence2: the task's phrase, or its region as x1,y1,x2,y2 in pixels",
    )
    parser.add_argument(
        "--florence-model-dir",
        "--florence_model_dir",
        dest="florence_model_dir",
        default=None,
        help="florence2: folder of the weights (default: $TEXTLENS_FLORENCE_DIR)",
    )
    for name, text in _FLAGS.items():
        parser.add_argument(f"--{name}", default=None, metavar="VALUE", help=f"florence2: {text}")


def reader(
    args: argparse.Namespace, pipeline: dict[str, Any], documents: list[str]
) -> tuple[Callable[[Source], Iterator[Any]], Callable[[Any], str]]:
    """The engine the flags ask for, as the `ocr` loop reads it: a source's results (each an
    OCRResult or a Florence2Result: both save and print alike), and what is printed of each."""
    from .engine import Florence2

    own = set(pipeline) - SHARED | ({"config"} if args.config else set())
    if own:
        raise ConfigError(
            f"--{', --'.join(sorted(own))}: PP-OCR parameter(s), not the florence2 engine's "
            f"(it takes --task, --text_input, --florence-model-dir, --{', --'.join(_FLAGS)})"
        )
    task = find(args.task or DEFAULT_TASK)
    check_input(task, args.text_input)
    if documents and not task.is_ocr:
        raise ConfigError(
            f"--format {','.join(documents)}: documents are written from OCR; "
            f"{task.token} answers regions (json only)"
        )
    params = {name: getattr(args, name, None) for name in FLORENCE_PARAMETERS}
    engine = Florence2(**{**params, **{k: pipeline[k] for k in SHARED & set(pipeline)}})

    def read(source: Source) -> Iterator[Result]:
        for _, result in engine.read([source], task.token, args.text_input):
            yield result.to_ocr() if task.is_ocr else result

    return read, shown


def refuse_flags(args: argparse.Namespace) -> None:
    """The florence2 engine's flags given to PP-OCR: a mistake worth a line, not a silent run."""
    given = [name for name in ("task", "text_input", *FLORENCE_PARAMETERS) if name not in SHARED]
    given = [name for name in given if getattr(args, name, None) is not None]
    if given:
        raise ConfigError(f"--{', --'.join(given)}: for --engine florence2 only")


def shown(result: Result) -> str:
    """What stdout gets of a page: its text, or its answer as one JSON line."""
    if isinstance(result, OCRResult) or not result.regions:
        return result.text
    return json.dumps(result.json["res"], ensure_ascii=False)
