"""A Florence-2 OCR prediction as a job: the Replicate face's predictions, durable like any job.

At creation the prediction's inputs are read, counted and charged as `POST /predictions` does
them; each readable one is written to the job's folder, and every page the output will hold is
planned (an unreadable input plans the one page that reports its error). The job then stores
one page object of seed 000's output per page, so a restarted server resumes a prediction where
it stopped, and the output string is put together from the stored pages when asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ...errors import TextlensError
from ...files import atomic_write
from ...florence2 import Florence2
from ...florence2.tasks import find
from ...inputs import Source
from ...pipeline import OCR
from .. import florence
from .pages import read_planned
from .store import Job, JobStore

KIND = "prediction"
_UNREADABLE = -1  # the planned page of an input that could not be read


def _input_path(store: JobStore, job_id: str, index: int) -> Path:
    return store.files(job_id) / "inputs" / str(index)


def plan_inputs(
    store: JobStore, job_id: str, inputs: florence.Inputs, counts: list[int]
) -> tuple[list[dict[str, Any]], list[list[int]]]:
    """Write the readable inputs to the job's folder; each input's label (and error) and the
    planned pages, `[input, page]`."""
    described, plan = [], []
    for index, ((label, item), count) in enumerate(zip(inputs, counts)):
        if isinstance(item, TextlensError):
            described.append({"label": label, "error": str(item)})
            plan.append([index, _UNREADABLE])
            continue
        atomic_write(_input_path(store, job_id, index), item)
        described.append({"label": label})
        plan.extend([index, page] for page in range(count))
    return described, plan


class _TaskReader:
    """Florence-2 with one prediction's task, read as read_planned reads an engine."""

    def __init__(self, engine: Florence2, task: str, text_input: str | None):
        self.engine, self.task, self.text_input = engine, task, text_input
        self.settings = engine.settings

    def read(self, sources: Iterable[Source], settings: object = None) -> Iterator[Any]:
        return self.engine.read(sources, find(self.task).token, self.text_input)


class FlorenceHandler:
    """Reads a prediction's pages (worker.Handler) with the Florence faces' engine."""

    kind = KIND

    def __init__(self, store: JobStore, engine: OCR | Florence2):
        self.store = store
        self.engine = engine

    def pages(self, job: Job, start: int) -> Iterator[dict[str, Any]]:
        p = job.params
        task, include_image, inputs = p["task"], p["include_image"], p["inputs"]
        planned = [(index, page) for index, page in p["plan"][start:]]
        engine: Any = self.engine
        if isinstance(engine, Florence2):
            engine = _TaskReader(engine, task, p.get("text_input"))
        reads = read_planned(
            engine,
            engine.settings,
            [(index, page) for index, page in planned if page != _UNREADABLE],
            lambda index: _input_path(self.store, job.id, index),
            lambda index: inputs[index]["label"],
        )
        for seq, (index, page) in enumerate(planned, start):
            read = inputs[index]["error"] if page == _UNREADABLE else next(reads)
            if isinstance(read, str | TextlensError):
                yield _page(seq, task, error=str(read))
            else:
                yield _page(seq, task, **florence.page_fields(read[1], task, include_image))


def _page(seq: int, task: str, **fields: Any) -> dict[str, Any]:
    return florence.PageOutput(page=seq + 1, type=task, **fields).model_dump()  # type: ignore[arg-type]


def output(job: Job, pages: Iterator[tuple[int, dict[str, Any]]]) -> str:
    """The prediction's output: seed 000's JSON string, from its stored pages."""
    return florence.output_string(job.params["task"], [page for _, page in pages])
