"""Run `textlens` as the base install has it: `python without_extras.py MODULES ARGS...`.

MODULES (comma-separated top-level names) fail to import, as they do in a venv that installed
textlens without its extras; ARGS go to the `textlens` command.
"""

from __future__ import annotations

import sys
from importlib.machinery import ModuleSpec


class Absent:
    """A finder placed first on sys.meta_path that refuses the listed modules."""

    def __init__(self, names: set[str]):
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


if __name__ == "__main__":
    sys.meta_path.insert(0, Absent(set(sys.argv[1].split(","))))
    from textlens.cli import main

    sys.exit(main(sys.argv[2:]))
