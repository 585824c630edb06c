"""The two steps every worker runs, in either mode: decode a file into its pages still to do,
and OCR one page into its JSON file.

Both turn every failure into an Outcome instead of raising: one corrupt file or one page that
trips a stage (or a library) must cost that file, never the rest of a long job.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass

from ..config import Settings
from ..errors import TextlensError
from ..inputs import Page, Source, pages
from ..pipeline import OCR
from ..result import OCRResult
from .plan import FileTask


@dataclass(frozen=True)
class Crew:
    """How a job's engines are laid out and built: one recipe for a process or a Ray actor."""

    workers: int
    threads: int  # inference threads of each worker's engine
    settings: Settings  # resolved on the driver, so a bad parameter fails before any start-up
    keep_results: bool  # send results back to the driver, which assembles documents

    def engine(self) -> OCR | TextlensError:
        """The worker's engine, or the error that kept it from loading (a model missing on
        one node of a cluster): run_page then fails that worker's pages, not the job."""
        try:
            return OCR(**{**asdict(self.settings), "cpu_threads": self.threads})
        except TextlensError as exc:
            return exc


@dataclass
class PageJob:
    """A decoded page to OCR and the folder its result goes to."""

    page: Page
    out_dir: str


@dataclass
class Outcome:
    """What the driver hears back: a page written, or a file (or page) that failed."""

    path: str
    page_index: int | None = None
    error: str | None = None
    result: OCRResult | None = None  # sent back only when documents are assembled from pages
    pages: int = 1  # pages of the file this stands for: a decoding failure, those not reached


def expand(task: FileTask, pdf_dpi: int) -> Iterator[PageJob | Outcome]:
    """The task's pages still to do, decoded lazily; a decoding failure ends the file."""
    emitted = 0
    try:
        for page in pages(Source(name=task.name, path=task.path), pdf_dpi):
            if task.todo is None or page.page_index in task.todo:
                emitted += 1
                yield PageJob(page, task.out_dir)
    except Exception as exc:
        yield Outcome(
            task.path, error=_reason(exc, task.path), pages=max(0, task.expected_pages - emitted)
        )


def run_page(ocr: OCR | TextlensError, job: PageJob, keep_result: bool) -> Outcome:
    """OCR one page and write its JSON (atomically: a kill leaves no half file)."""
    page = job.page
    label = str(page.input_path)
    if isinstance(ocr, TextlensError):
        return Outcome(label, page.page_index, error=f"{label}: {ocr}")
    try:
        result = ocr.process(page)
        result.save_to_json(job.out_dir)
    except Exception as exc:
        return Outcome(label, page.page_index, error=_reason(exc, label))
    return Outcome(label, page.page_index, result=result if keep_result else None)


def _reason(exc: Exception, label: str) -> str:
    """A user's error says what it is; anything else is our bug, named as such."""
    if isinstance(exc, TextlensError):
        return str(exc)
    return f"{label}: internal error ({type(exc).__name__}: {exc})"
