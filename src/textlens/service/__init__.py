"""The HTTP face of textlens: PaddleX serving's /ocr, the Florence-2 /predictions contract and
an OpenAI-compatible chat endpoint over one OCR engine per worker process.

`textlens serve` starts it (see command.py); `create_app(ServiceConfig(...))` builds the ASGI app
for embedding or tests. The names below load on first use, so that importing the package for
its subcommand needs none of the serve extra.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ServiceConfig", "create_app", "load_config"]
_HOMES = {"create_app": ".app", "ServiceConfig": ".settings", "load_config": ".settings"}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name], __name__), name)
