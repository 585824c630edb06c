"""Ray mode: the same job as a Ray Data pipeline, on a local cluster or on an existing one.

    tasks (from the plan) -> flat_map: decode each file into its pages still to do
      -> map_batches on a fixed pool of actors, one engine each: OCR a page, write its JSON
      -> outcomes stream back to the driver (progress bar, summary, documents)

Ray schedules, balances and retries; textlens adds no scheduler of its own. Workers read the
inputs and write the results themselves, so INPUT and DIR must be the same paths on every node.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import numpy as np

from ..errors import TextlensError
from ..extras import require
from .collect import Collector
from .plan import Plan
from .work import Crew, Outcome, expand, run_page

# Blocks are what Ray Data hands to an actor; a block this small holds a single page, so the
# pages of one PDF spread over every actor instead of queueing behind one.
BLOCK_BYTES = 1 << 20
# A page decodes (or a PDF page renders) in ~30 ms and OCRs in 1-3 s on one core: one
# decoding task can feed this many actors with room to spare.
ACTORS_PER_DECODER = 8


@contextmanager
def ray_cluster(address: str | None) -> Iterator[tuple[int, int]]:
    """Connect to the cluster at `address` (`ray://head:10001`, `head:6379`, `auto`); without
    one, to RAY_ADDRESS or a running `ray start` cluster, else start a local cluster for this
    job. Yields the cluster's CPUs and the CPUs of its biggest node (an actor's upper bound).
    A caller that had already connected keeps its connection."""
    require("ray", "Ray mode")
    import ray

    joined = not ray.is_initialized()
    if joined:
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        except (ConnectionError, ValueError, RuntimeError) as exc:
            raise TextlensError(
                f"cannot reach the Ray cluster at {address or 'RAY_ADDRESS'}: {exc}"
            ) from None
    try:
        nodes = [n["Resources"].get("CPU", 0) for n in ray.nodes() if n["Alive"]]
        yield int(sum(nodes)), int(max(nodes, default=0))
    finally:
        if joined:
            ray.shutdown()


def run_ray(plan: Plan, crew: Crew, collector: Collector) -> None:
    """Run the plan as a Ray Data job on the connected cluster and report every outcome."""
    import ray
    import ray.data

    _quiet_ray_data_console()
    tasks = ray.data.from_items(plan.tasks)  # one column, "item"
    tasks.context.target_max_block_size = BLOCK_BYTES
    tasks.context.enable_progress_bars = False  # the driver shows its own bar, in pages
    outcomes = (
        # Decoding a page costs a few percent of OCRing it, so it reserves no CPU (actors
        # that hold every CPU would leave it none and the job would never start) and a
        # few tasks keep all the actors fed.
        tasks.flat_map(
            partial(_decode, pdf_dpi=crew.settings.pdf_dpi),
            num_cpus=0,
            compute=ray.data.TaskPoolStrategy(size=-(-crew.workers // ACTORS_PER_DECODER)),
        ).map_batches(
            PageOCR,
            fn_constructor_args=(crew,),
            batch_size=1,
            num_cpus=crew.threads,
            compute=ray.data.ActorPoolStrategy(size=crew.workers, max_tasks_in_flight_per_actor=1),
        )
    )
    try:
        for row in outcomes.iter_rows():
            collector.add(row["outcome"])
    except ray.exceptions.RayError as exc:  # a lost node or actor, past Ray's own retries
        reason = str(exc).strip().splitlines()[0]
        raise TextlensError(
            f"the Ray job stopped ({type(exc).__name__}: {reason}); rerun the "
            "same command to resume"
        ) from None


def _decode(row: dict[str, Any], pdf_dpi: int) -> Iterator[dict[str, Any]]:
    """A file's pages to OCR, or the outcome of a file that failed to decode."""
    for item in expand(row["item"], pdf_dpi):
        yield {"item": item}


class PageOCR:
    """A Ray actor's state: one engine, built when the actor starts, used for every page."""

    def __init__(self, crew: Crew):
        self.engine = crew.engine()
        self.keep_results = crew.keep_results

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        outcomes = [
            item if isinstance(item, Outcome) else run_page(self.engine, item, self.keep_results)
            for item in batch["item"]
        ]
        return {"outcome": np.array(outcomes, dtype=object)}


def _quiet_ray_data_console() -> None:
    """Ray Data logs each execution to the console; its log files under /tmp/ray keep it."""
    for handler in logging.getLogger("ray.data").handlers:
        if handler.get_name() == "console":
            handler.setLevel(logging.ERROR)
