"""One memo for pure functions of frozen records (catalog records, replica configurations, loaded tables),
keyed by the records' identity, and one way to empty every such memo."""
from __future__ import annotations

import functools

_MEMOS: list[dict] = []  # every memo `by_identity` made, for `forget_memos`


def forget_memos() -> None:
    """Empty every memo made by `by_identity` (the benchmark times new scenarios, not memo hits)."""
    for memo in _MEMOS:
        memo.clear()


def by_identity(maxsize: int, whole: int | None = None):
    """functools.lru_cache keyed by the records' identity instead of their value, for module-level functions only
    (each decorated function registers its memo for good).

    A frozen record's hash walks every field of every record inside it (a configuration holds its model,
    accelerator and stack), about a third of a re-sizing's time, and what flips the answer re-sizes accelerators
    a hundred times a plan. Identity is the right key only for objects that do not change: the catalog's records
    and tables, the configurations `_replica_config` makes (one object per record and setting), a loaded table.
    Each entry holds its arguments, so their ids are not reused while it is kept; full, the memo starts again.

    Plain values (numbers, strings, None) key by type and value: 1500 and 1500.0 are different calls (a result
    may print its arguments), unlike lru_cache's. Tuples key by their items; the argument at position `whole`
    (a long tuple of records, itself kept by a memo) by its own identity."""
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
        return type(x), x
    if type(x) is tuple:
        return tuple(_identity(v) for v in x)
    return (_identity, id(x))  # a record: the object itself
