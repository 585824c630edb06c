"""Local mode: a pool of processes, each holding one engine built once in its initializer.

The driver decodes pages (a small fraction of the work) and keeps only a few per worker in
flight, so memory stays bounded however long the job is; the workers OCR and write the JSON.
Processes are spawned, not forked: a fork of a process with running threads can deadlock.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

from ..errors import TextlensError
from ..pipeline import OCR
from .collect import Collector
from .plan import Plan
from .work import Crew, Outcome, PageJob, expand, run_page

IN_FLIGHT_PER_WORKER = 2  # one running, one queued: no worker waits for the driver

_engine: OCR | TextlensError | None = None  # this worker process's, built once
_keep_results = False


def run_local(plan: Plan, crew: Crew, collector: Collector) -> None:
    """Run the plan's tasks on `crew.workers` processes and report every outcome."""
    pool = ProcessPoolExecutor(
        crew.workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(crew,),
    )
    running: set[Future[Outcome]] = set()
    try:
        for task in plan.tasks:
            for item in expand(task, crew.settings.pdf_dpi):
                if isinstance(item, Outcome):
                    collector.add(item)
                    continue
                running.add(pool.submit(_ocr_page, item))
                if len(running) >= IN_FLIGHT_PER_WORKER * crew.workers:
                    running = _collect(running, collector, FIRST_COMPLETED)
        _collect(running, collector, ALL_COMPLETED)
    except BrokenProcessPool:
        raise TextlensError(
            "a worker process died (out of memory?); rerun the same command to resume"
        ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(
    running: set[Future[Outcome]], collector: Collector, until: str
) -> set[Future[Outcome]]:
    """Hand finished pages to the collector, waiting for one (FIRST_COMPLETED) or all."""
    done, pending = wait(running, return_when=until)
    for future in done:
        collector.add(future.result())
    return pending


def _start_worker(crew: Crew) -> None:
    global _engine, _keep_results
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    _keep_results = crew.keep_results
    _engine = crew.engine()


def _exit_with(parent: int) -> None:
    """End this worker when the driver is gone (killed, even by SIGKILL): an orphan would
    hold its engine's memory and keep writing pages nobody collects."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _ocr_page(job: PageJob) -> Outcome:
    assert _engine is not None, "the worker initializer did not run"
    return run_page(_engine, job, _keep_results)
