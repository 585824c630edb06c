"""What a batch job has to do: its input files, where each one's results go, what is left.

The plan is made on the driver before any page is decoded. It reads only file headers (a PDF's
page count, an image's frame count) so that resuming a job of a million done pages costs a stat
per page, not a decode. A page is done when its `<stem>[_<page>]_res.json` exists: results are
written atomically, so an existing file is always a whole one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import inputs
from ..errors import InputError
from ..export import document_path
from ..inputs import DOCUMENT_EXTENSIONS
from ..result import RESULT_SUFFIX, page_stem

MANIFEST_KEYS = ("image", "path")  # the key a JSONL manifest line names its file by


@dataclass(frozen=True)
class Failure:
    """A file, a page of it, or a line of a list of inputs that produced no result, and why."""

    path: str
    reason: str
    page: int | None = None  # set when one page failed and the others were read


@dataclass(frozen=True)
class FileTask:
    """One input file and the pages of it still to OCR."""

    path: str
    out_dir: str  # the folder its page results and documents go to
    todo: tuple[int | None, ...] | None  # page indices still to do; None: unknown, do all

    @property
    def name(self) -> str:
        return Path(self.path).stem

    @property
    def expected_pages(self) -> int:
        """Pages this task will report; a file whose page count is unknown counts as one."""
        return len(self.todo) if self.todo is not None else 1


@dataclass
class Plan:
    """The whole job: tasks to run, files that failed already, pages done in earlier runs."""

    tasks: list[FileTask] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    files: int = 0
    pages_done: int = 0

    @property
    def pages(self) -> int:
        """Pages to OCR in this run."""
        return sum(t.expected_pages for t in self.tasks)


def make_plan(input: str | Path, out: str | Path, formats: Sequence[str] = ()) -> Plan:
    """List the input's files, give each its output folder, and drop the pages already done.

    `formats` are the document formats besides the per-page JSON; a file whose documents are
    missing is redone whole, since a document needs every page's result.
    """
    out = Path(out).absolute()  # workers on other machines do not share our working folder
    entries, failures = _discover(Path(input).absolute(), out)
    plan = Plan(failures=failures, files=len(entries))
    owners: dict[Path, str] = {}
    for path, rel in entries:
        out_dir = out / rel
        key = out_dir / path.stem
        if key in owners:
            plan.failures.append(
                Failure(
                    str(path),
                    f"{path}: its outputs would overwrite those "
                    f"of {owners[key]} (same folder and name)",
                )
            )
            continue
        owners[key] = str(path)
        indices = page_indices(path)
        if indices is None:
            plan.tasks.append(FileTask(str(path), str(out_dir), None))
            continue
        todo = tuple(i for i in indices if not result_path(out_dir, path.stem, i).exists())
        documents_missing = any(not document_path(out_dir, path.stem, f).exists() for f in formats)
        if documents_missing:
            todo = indices
        plan.pages_done += len(indices) - len(todo)
        if todo:
            plan.tasks.append(FileTask(str(path), str(out_dir), todo))
    return plan


def result_path(out_dir: Path, stem: str, page_index: int | None) -> Path:
    """Where a page's JSON goes: OCRResult.save_to_json's naming."""
    return out_dir / f"{page_stem(stem, page_index)}{RESULT_SUFFIX}"


def page_indices(path: Path) -> tuple[int | None, ...] | None:
    """The page indices a file will yield, from its header; None when it cannot be read.

    An unreadable file is not reported here: decoding it later fails with the engine's own
    message, which the summary records.
    """
    try:
        return inputs.page_indices(path)
    except Exception:  # any failure to read the header: a bad file is decoding's to report
        return None


def _discover(input: Path, out: Path) -> tuple[list[tuple[Path, Path]], list[Failure]]:
    """(file, output subfolder) pairs: a folder is walked, a .jsonl is a manifest, another
    file is a list of paths, unless it is itself an image or PDF."""
    if input.is_dir():
        return list(_walk(input, out)), []
    if not input.is_file():
        raise InputError(f"{input}: no such file or folder")
    if input.suffix.lower() in DOCUMENT_EXTENSIONS:
        return [(input, Path())], []
    try:
        lines = input.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{input}: cannot read the list of inputs ({exc})") from None
    read = _manifest_entry if input.suffix.lower() == ".jsonl" else _list_entry
    entries, failures = [], []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            path = input.parent / read(line)
        except InputError as exc:
            failures.append(Failure(f"{input}:{number}", f"{input}:{number}: {exc}"))
            continue
        entries.append((path, _relative_folder(path, input.parent)))
    return entries, failures


def _walk(folder: Path, out: Path) -> Iterable[tuple[Path, Path]]:
    """Every image and PDF below `folder` in name order, skipping hidden entries and the
    output folder (its exported PDFs are not inputs)."""
    skip = out.resolve()
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and (here / d).resolve() != skip)
        for name in sorted(files):
            if not name.startswith(".") and Path(name).suffix.lower() in DOCUMENT_EXTENSIONS:
                yield here / name, here.relative_to(folder)


def _list_entry(line: str) -> str:
    return line.strip()


def _manifest_entry(line: str) -> str:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"not a JSON line ({exc})") from None
    for key in MANIFEST_KEYS:
        if isinstance(record, dict) and isinstance(record.get(key), str):
            return record[key]
    raise InputError(f"the line has no {' or '.join(repr(k) for k in MANIFEST_KEYS)} key")


def _relative_folder(path: Path, base: Path) -> Path:
    """The output subfolder of a listed file: its folder relative to the list's, or, for a
    file outside it, its absolute folder without the root (never `..`: outputs stay in DIR)."""
    folder = Path(os.path.normpath(path.parent.absolute()))
    try:
        return folder.relative_to(os.path.normpath(base.absolute()))
    except ValueError:
        return folder.relative_to(folder.anchor)
