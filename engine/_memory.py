"""Process memory settings a plan's speed depends on: freed memory kept for reuse (glibc only) and the cyclic
garbage collector run less often.

Freed memory (`keep_freed_memory`):

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
import gc
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


# The cyclic garbage collector's thresholds (gc.set_threshold): a collection of the youngest objects every 20,000
# net allocations instead of 700, the middle generation every 20 of those instead of 10. A plan allocates
# hundreds of thousands of short-lived records and tuples; at the defaults the collector ran 11-24 times a plan
# and a full collection about every fifth plan, scanning every object the process holds (the catalog, the memos and,
# in the app, Streamlit, pandas and plotly: ~170,000 objects). Measured with gc.callbacks over 84 cold plans of
# the 7 presets (a scratch script): 11-16 ms of collection per plan with the engine alone, 22-24 ms with the
# app's libraries imported; 6 ms at these thresholds in both. The price is memory: garbage in reference cycles
# lives longer. 700 cold plans in one process with the app's libraries imported (a scratch script): resident
# memory levelled off at 250 MB against 223 MB at the defaults, and the plans took 66 s of CPU against 81 s
# (gc.freeze() after the first plan, at the default thresholds: 225 MB, 85 s). Nothing a plan computes depends
# on when garbage is collected.
GC_THRESHOLDS = (20_000, 20, 10)
PYTHON_DEFAULT_THRESHOLDS = (700, 10, 10)


def collect_cycles_less_often() -> bool:
    """Raise the collector's thresholds to GC_THRESHOLDS; False (nothing changed) where the process has set its
    own already, or runs a Python whose defaults are not 3.11's (the two cannot be told apart)."""
    if gc.get_threshold() != PYTHON_DEFAULT_THRESHOLDS:
        return False
    gc.set_threshold(*GC_THRESHOLDS)
    return True
