"""The pipeline's command-line flags, shared by every subcommand that builds an engine.

Generated from textlens.config.PARAMETERS, so a new parameter is a flag of `textlens ocr` and
`textlens batch` alike without either command changing. Values stay strings here: OCR(...)
parses and checks them, so the CLI and the Python API accept exactly the same values.
"""

from __future__ import annotations

import argparse
from typing import Any

from .config import PARAMETERS


def add_pipeline_flags(parser: argparse.ArgumentParser) -> None:
    """One `--<parameter> VALUE` flag per pipeline parameter the CLI exposes."""
    for name, f in PARAMETERS.items():
        if f.metadata["cli"]:
            parser.add_argument(f"--{name}", default=None, metavar="VALUE", help=f.metadata["help"])


def pipeline_args(args: argparse.Namespace) -> dict[str, Any]:
    """The pipeline parameters given on the command line (flags not given are left out)."""
    return {
        name: getattr(args, name) for name in PARAMETERS if getattr(args, name, None) is not None
    }
