"""Keep freed memory in the process for reuse (glibc only; elsewhere nothing changes).

A plan allocates and frees thousands of numpy arrays of a few hundred kB (a Monte Carlo's 2,000 paths x 24
months is 384 kB). glibc's malloc serves blocks that size from mmap or hands the top of its heap back to the
system once enough is free, so the next array of the same size is new memory, and every 4 kB page of it
faults on first touch: a few thousand faults a plan, at ~5 us each on the virtual machines we run on (the same
Monte Carlo took 15 ms with none and 48 ms with 6,900; measured with getrusage's minor faults). Serving those
blocks from the heap and trimming it only past TRIM_BYTES keeps them in the process: its memory stays near
its peak (tens of MB for a plan) instead of following each array's life.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import platform

M_TRIM_THRESHOLD = -1  # glibc malloc.h
M_MMAP_THRESHOLD = -3
MMAP_BYTES = 64 * 2**20  # blocks above this still come from mmap (and go back to the system when freed)
TRIM_BYTES = 256 * 2**20  # the heap's free top is handed back only above this


def keep_freed_memory() -> bool:
    """Set glibc's malloc thresholds; False where the C library is not glibc or refuses."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, MMAP_BYTES)) and bool(libc.mallopt(M_TRIM_THRESHOLD, TRIM_BYTES))
    except (OSError, AttributeError):
        return False
