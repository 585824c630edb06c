"""Batch OCR: a folder, a list of paths or a JSONL manifest, resumable, locally or on Ray.

    from textlens.batch import run_batch
    summary = run_batch("scans/", "out/", formats=("json", "txt"))        # local processes
    summary = run_batch("scans/", "/shared/out", ray="ray://head:10001")  # a Ray cluster

Every page gets `out/<its folder relative to the input>/<stem>[_<page>]_res.json`; a rerun skips
the pages already written; `out/summary.json` lists what was done and every failure.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..config import Settings, resolve
from ..errors import ConfigError
from ..export import document_formats, with_word_boxes
from ..extras import require
from ..runtime import default_threads
from .collect import Collector
from .plan import Failure, Plan, make_plan
from .summary import Summary
from .work import Crew

__all__ = ["Failure", "Summary", "run_batch"]

# Inference threads of a worker when neither --workers nor --cpu_threads says otherwise, by
# backend (README: Batch jobs). On OpenVINO one two-thread engine reads 1.55x the pages of two
# one-thread engines; on onnxruntime two one-thread engines read a quarter more than one
# two-thread engine (a page's stages do not keep its two threads busy).
THREADS_PER_WORKER = {"openvino": 2, "onnxruntime": 1}


def run_batch(
    input: str | Path,
    out: str | Path,
    *,
    workers: int | None = None,
    ray: bool | str | None = None,
    formats: Sequence[str] = ("json",),
    progress: bool = True,
    config: str | Path | None = None,
    **ocr_params: Any,
) -> Summary:
    """OCR every page under `input` into `out` and write `out/summary.json`.

    `ray`: None/False runs a local process pool; True runs on Ray (RAY_ADDRESS, a running
    cluster, or a new local one); a string is the cluster's address. `workers` is the number
    of engines (processes or actors); by default one per core. `formats` adds document formats
    (txt, md, hocr, alto, pdf) to the per-page JSON, which is always written: it is what a
    rerun looks for. `ocr_params` and `config` are the OCR engine's.
    """
    started = time.monotonic()
    if ray:
        require("ray", "Ray mode")  # before any work, not after the plan is made
    documents = document_formats(formats)
    ocr_params = with_word_boxes(ocr_params, documents)
    settings = resolve(config, **ocr_params)
    if workers is not None and workers < 1:
        raise ConfigError(f"workers must be at least 1, not {workers}")
    plan = make_plan(input, out, documents)
    collector = Collector(plan, documents, progress)
    crew = _run(plan, collector, settings, workers, ray, keep_results=bool(documents))
    collector.close()
    summary = Summary(
        input=str(input),
        out=str(out),
        mode="ray" if ray else "local",
        workers=crew.workers if crew else 0,
        threads=crew.threads if crew else 0,
        files=plan.files,
        pages=collector.pages,
        pages_skipped=plan.pages_done,
        failures=collector.failures,
        seconds=time.monotonic() - started,
    )
    summary.write()
    return summary


def _run(
    plan: Plan,
    collector: Collector,
    settings: Settings,
    workers: int | None,
    ray: bool | str | None,
    keep_results: bool,
) -> Crew | None:
    """Lay out the workers on the machine or the cluster and run the plan. With nothing left
    to do, no pool or cluster is started and there is no layout."""
    if not plan.tasks:
        return None
    _check_engine(settings)
    if not ray:
        from .local import run_local

        cores = default_threads()
        crew = crew_for(cores, cores, workers, settings, keep_results)
        run_local(plan, crew, collector)
        return crew
    from .ray_job import ray_cluster, run_ray

    with ray_cluster(ray if isinstance(ray, str) else None) as (cores, biggest):
        crew = crew_for(cores, biggest, workers, settings, keep_results)
        run_ray(plan, crew, collector)
    return crew


def _check_engine(settings: Settings) -> None:
    """Load the engine once on the driver: a missing or broken model is the job's error,
    reported before any worker starts rather than once per page."""
    engine = Crew(1, 1, settings, False).engine()
    if isinstance(engine, Exception):
        raise engine


def crew_for(
    cores: int, biggest: int, workers: int | None, settings: Settings, keep_results: bool
) -> Crew:
    """Workers and threads so that the cores are used but not oversubscribed: workers x
    threads = cores, and no worker asks for more threads than one machine has."""
    threads = settings.cpu_threads
    per_worker = threads or THREADS_PER_WORKER[settings.inference_backend]
    workers = workers or max(1, cores // per_worker)
    threads = threads or max(1, min(cores // workers, biggest))
    return Crew(workers, threads, settings, keep_results)
