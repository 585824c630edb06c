"""Decode the next page while the current one is being read.

Decoding a large JPEG or rasterising a PDF page takes tens of milliseconds on one core, during
which the models would wait. Both release the GIL, so a background thread can produce page k+1
while the engine works on page k. Only one page is ever read ahead (memory stays bounded), pages
come out in order, and an error decoding a page is raised where that page would have come out.
A caller can keep an item from being read ahead of (`ahead_of`): the next one is then produced
only once the consumer comes back for it, so two huge pages are never held at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
_END = object()


def read_ahead(items: Iterable[T], ahead_of: Callable[[T], bool] = lambda _: True) -> Iterator[T]:
    """The items of `items`, each one produced in a background thread while the previous one is
    being consumed, where `ahead_of(previous)` allows it."""
    source = iter(items)

    def step():
        return next(source, _END)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="textlens-read-ahead") as pool:
        pending = pool.submit(step)
        try:
            while True:
                item = pending.result()
                if item is _END:
                    return
                early = ahead_of(item)
                if early:
                    pending = pool.submit(step)
                yield item
                if not early:
                    pending = pool.submit(step)
        finally:
            if not pending.cancel():
                pending.exception()  # wait for a read in flight before closing its source
            close = getattr(source, "close", None)
            if close is not None:
                close()
