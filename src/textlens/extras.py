"""The optional parts of textlens, the packages each needs, and the install that adds them.

The base install reads pages (`textlens ocr`, `textlens models`, the Python API); the HTTP
service, the searchable PDF and Ray mode each need an extra. A face checks its extra before it
imports anything from it, so a user without it reads one line naming the install, not a
ModuleNotFoundError. textlens is installed from its clone, hence `pip install '.[extra]'`.
"""

from __future__ import annotations

import importlib

from .errors import TextlensError

# extra (as pyproject.toml names it) -> the modules it provides that textlens imports
EXTRAS: dict[str, tuple[str, ...]] = {
    "serve": ("fastapi", "uvicorn", "httpx", "pydantic"),
    "export": ("reportlab", "pypdf"),
    "ray": ("ray", "pyarrow", "pandas"),
    "florence": ("torch", "transformers"),
}


class MissingExtra(TextlensError):
    """A feature was asked for whose optional packages are not installed."""


def require(extra: str, feature: str) -> None:
    """Raise MissingExtra naming `feature` and the install unless `extra` imports whole.

    Importing (not just finding) each module also catches an install that is present but
    broken, which would otherwise fail later, in the middle of a request or a job."""
    missing = []
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(module)
    if missing:
        raise MissingExtra(
            f"{feature} needs the '{extra}' extra ({', '.join(missing)} not "
            f"installed): run pip install '.[{extra}]' in the textlens folder"
        )
