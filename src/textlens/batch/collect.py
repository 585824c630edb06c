"""The driver's side of a job, the same in both modes: it hears every outcome, counts pages,
records failures, moves the progress bar and writes a document once all its pages are in.

Documents (txt, md, hocr, alto, pdf) are assembled here because a document's pages are OCR'd by
different workers; only their results travel back, and only when a document format was asked.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from tqdm import tqdm

from ..errors import TextlensError
from ..export import export
from ..result import OCRResult
from .plan import Failure, Plan
from .work import Outcome

# tqdm's default turns a slow rate into s/page; OCR is slow, and pages/s is what users compare.
BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_noinv_fmt}]"


class Collector:
    """Turns a stream of outcomes into counts, failures, documents and a progress bar."""

    def __init__(self, plan: Plan, formats: Sequence[str], progress: bool):
        self.pages = 0  # pages written
        self.heard = 0  # pages heard of, written or failed: what the bar shows
        self.failures: list[Failure] = []
        self._formats = list(formats)
        self._tasks = {task.path: task for task in plan.tasks}
        # pages of each file not heard of yet; a file of unknown page count waits for close()
        self._left = {task.path: len(task.todo) for task in plan.tasks if task.todo is not None}
        self._results: dict[str, list[OCRResult]] = {}
        # a bar only on a terminal: in a log its carriage returns garble the error lines
        self._bar = tqdm(
            total=plan.pages,
            unit="page",
            file=sys.stderr,
            disable=not progress or not sys.stderr.isatty(),
            dynamic_ncols=True,
            smoothing=0.1,
            bar_format=BAR_FORMAT,
        )
        for failure in plan.failures:
            self._fail(failure)

    def add(self, outcome: Outcome) -> None:
        path = outcome.path
        if outcome.error is not None:
            self._fail(Failure(path, outcome.error, outcome.page_index))
            self._tasks.pop(path, None)  # a document with a missing page is not written
            self._results.pop(path, None)
        else:
            self.pages += 1
            if outcome.result is not None and path in self._tasks:
                self._results.setdefault(path, []).append(outcome.result)
        self.heard += outcome.pages
        self._bar.update(outcome.pages)
        if path in self._left:
            self._left[path] -= outcome.pages
            if self._left[path] <= 0:
                self._write_documents(path)

    def close(self) -> None:
        """End of the job: documents of files whose page count was unknown are written now."""
        for path in list(self._results):
            self._write_documents(path)
        self._bar.close()

    def _write_documents(self, path: str) -> None:
        results = self._results.pop(path, None)
        task = self._tasks.get(path)
        if not results or task is None:
            return
        results.sort(key=lambda r: r.page_index or 0)
        for fmt in self._formats:
            try:
                export(results, fmt, task.out_dir, task.name)
            except (TextlensError, OSError) as exc:
                self._fail(Failure(path, f"{path}: cannot write {fmt} ({exc})"))

    def _fail(self, failure: Failure) -> None:
        self.failures.append(failure)
        tqdm.write(f"error: {failure.reason}", file=sys.stderr)
