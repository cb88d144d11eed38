"""The secondary plan work of every session (what flips the answer, the Monte Carlo bands, the roadmap)
in worker processes, so that the server's own process keeps a core for the headlines.

One Streamlit server process runs every session's page, and Python runs one thread at a time in it
(the GIL): on a two-core machine, ten sessions editing at once queued their sensitivity searches (two
thirds of an edit's server CPU) behind each other and behind every headline on one core, while the
other core did nothing for them. Here that work runs in a pool of processes forked from a forkserver, one per core
but the server's; the headline (the core plan, about a seventh of the work) stays in the server process so
it never waits behind them. A pool that cannot start or breaks (a worker killed for memory) is never an
error a user sees: the work runs in the server process as before, and the pool is rebuilt next time.

IEP_PLAN_WORKERS sets the number of workers (0: no pool, everything in the server process).
"""
from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import logging
import multiprocessing
import os
import sys
import threading
import types
from typing import Callable, TypeVar

_LOG = logging.getLogger(__name__)
T = TypeVar("T")


def worker_count() -> int:
    """IEP_PLAN_WORKERS, else the cores this process may use less the one the server needs (at least 1)."""
    configured = os.environ.get("IEP_PLAN_WORKERS", "").strip()
    if configured:
        try:
            return max(0, int(configured))
        except ValueError:
            _LOG.warning("IEP_PLAN_WORKERS=%r is not a whole number; using the default", configured[:20])
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, cores - 1)


_LOCK = threading.Lock()
_pool: cf.ProcessPoolExecutor | None = None
_disabled = False


def _warm() -> None:
    """In each worker as it starts: read the catalog once, not in a user's first edit (the forkserver has
    imported the engine already, `_context`)."""
    from engine.catalog.catalog import load_catalog

    load_catalog()


def _context() -> multiprocessing.context.BaseContext:
    """A forkserver that has imported the engine: workers start in milliseconds with it loaded.

    Not fork: the server process has threads (one per session run), and a forked child inherits their
    locks in whatever state they were."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["engine.plan", "ui.worker"])
    return context


@contextlib.contextmanager
def _plain_main():
    """A new worker re-runs the parent's `__main__` script, and during a page run that is the app itself
    (Streamlit installs it there): it would draw a page in the worker and start a pool of its own. While
    the workers start (all at the pool's first job), `__main__` is an empty module; it is put back unless a
    page run that began meanwhile installed its own."""
    previous = sys.modules["__main__"]
    empty = types.ModuleType("__main__")
    sys.modules["__main__"] = empty
    try:
        yield
    finally:
        if sys.modules.get("__main__") is empty:
            sys.modules["__main__"] = previous


def _get_pool() -> cf.ProcessPoolExecutor | None:
    global _pool, _disabled
    with _LOCK:
        if _pool is None and not _disabled:
            workers = worker_count()
            if workers == 0:
                _disabled = True
                return None
            try:
                pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_warm)
                with _plain_main():
                    pool.submit(int).result(timeout=60)  # starts every worker now (Python 3.11: all at once)
                _pool = pool
            except (OSError, ValueError, cf.TimeoutError, cf.process.BrokenProcessPool) as exc:
                _LOG.warning("plan workers not started (%s); planning in the server process", exc)
                _disabled = True
        return _pool


@atexit.register
def _shutdown() -> None:
    """Stop the workers while the interpreter is whole: a pool left to the garbage collector at exit runs its
    callback after `multiprocessing.util` is gone and prints an ignored AttributeError."""
    global _pool, _disabled
    with _LOCK:
        pool, _pool, _disabled = _pool, None, True
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def start() -> None:
    """Start the pool in the background (the first page run calls it), not in a user's first edit."""
    threading.Thread(target=_get_pool, daemon=True).start()


def run(fn: Callable[..., T], *args, **kwargs) -> T:
    """fn(*args, **kwargs) in a worker (fn and its arguments must pickle), else in this process."""
    global _pool
    pool = _get_pool()
    if pool is None:
        return fn(*args, **kwargs)
    try:
        return pool.submit(fn, *args, **kwargs).result()
    except cf.process.BrokenProcessPool as exc:
        _LOG.warning("plan worker lost (%s); planning in the server process", exc)
        with _LOCK:
            if _pool is pool:
                _pool = None  # rebuilt on the next call
        return fn(*args, **kwargs)
