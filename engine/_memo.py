"""One memo for pure functions of frozen catalog records, keyed by the records' identity."""
from __future__ import annotations

import functools


_MEMOS: list[dict] = []  # every memo below, for `forget_all`


def forget_all() -> None:
    """Empty every memo made by `by_identity` (benchmarks time new scenarios, not memo hits)."""
    for memo in _MEMOS:
        memo.clear()


def by_identity(maxsize: int, whole: int | None = None):
    """functools.lru_cache keyed by the records' identity instead of their value: a frozen record's hash walks
    every field of every record inside it (a configuration holds its model, accelerator and stack), about a
    third of a re-sizing's time, and what flips the answer re-sizes accelerators a hundred times a plan. The
    records come from the catalog and `_replica_config` (one object each), and each entry holds its arguments,
    so their ids are not reused while it is kept; full, it starts again. Plain values (numbers, strings) key by
    value, as lru_cache's, tuples by their items; the argument at position `whole` (a long tuple of records,
    itself kept by a memo) by its own identity."""
    def wrap(f):
        memo: dict[tuple, tuple] = {}
        _MEMOS.append(memo)

        @functools.wraps(f)
        def cached(*args):
            key = _identity(args) if whole is None else (id(args[whole]),) + _identity(args[whole + 1:])
            hit = memo.get(key)
            if hit is None:
                if len(memo) >= maxsize:
                    memo.clear()
                hit = memo[key] = (f(*args), args)
            return hit[0]
        cached.cache_clear = memo.clear
        return cached
    return wrap


_PLAIN = (bool, int, float, str, type(None))


def _identity(x):
    if isinstance(x, _PLAIN):
        return x
    if type(x) is tuple:
        return tuple(_identity(v) for v in x)
    return (_identity, id(x))  # a record: the object itself
