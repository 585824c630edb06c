"""Hand buffers of a megabyte and more straight back to the operating system once freed.

Each page allocates and frees tens of arrays of 1-30 MB (the detector's input and probability
map, resized pages, line batches), from several threads (read-ahead, recognition lanes). glibc
serves those below its mmap threshold (which it raises up to 32 MB as big blocks are freed) from
per-thread heaps that it seldom gives back, so a process's resident memory climbs page after
page: 200 MB over the SROIE receipts. Fixing the threshold at 1 MB makes every such array its
own mapping, unmapped when freed, at the cost of a page fault per 4 KB on first touch (about 2%
of a page's time).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
_THRESHOLD = 1 << 20


@lru_cache(maxsize=1)
def return_large_buffers() -> bool:
    """Set glibc's mmap threshold once per process; False where the C library is not glibc."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS, Windows)
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _THRESHOLD))
