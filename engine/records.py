"""What every output record shares: read-only mappings and one JSON walk.

Plan records are frozen dataclasses all the way down. A mapping field holds a `FrozenMap`,
so no record hands out a dict another consumer could change; unlike `types.MappingProxyType`
it pickles, and the app's cache pickles plans.
"""
from __future__ import annotations

import dataclasses
import enum
from typing import Any, Iterator, Mapping, TypeVar

V = TypeVar("V")


class FrozenMap(Mapping[str, V]):
    """A read-only mapping (insertion order kept): no item assignment, no mutating methods."""

    __slots__ = ("_data",)

    def __init__(self, items: Mapping[str, V] | None = None) -> None:
        object.__setattr__(self, "_data", dict(items or {}))

    def __getitem__(self, key: str) -> V:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("FrozenMap is read-only")

    def __reduce__(self):
        return FrozenMap, (self._data,)

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __hash__(self) -> int:
        return hash(tuple(self._data.items()))


def frozen_map(items: Mapping[str, V] | None = None) -> FrozenMap[V]:
    """A read-only copy of `items` (insertion order kept)."""
    return items if isinstance(items, FrozenMap) else FrozenMap(items)


def to_jsonable(value: Any) -> Any:
    """Records, mappings and tuples as plain JSON types (dataclasses.asdict cannot copy a mappingproxy)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value
