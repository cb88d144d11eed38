"""One validating loader for every data table in engine/data.

A table is a YAML file holding either a list of rows, or a mapping whose lists of rows sit
beside the file's own provenance (`source`, `as_of`, `basis`), which rows without their own
inherit (levers.yaml). Every reader of engine/data/*.yaml goes through `load_table`, so the
rules hold everywhere:

- a missing file raises `TableError` naming the file;
- every row carries a source (`source`, or a named one such as `spec_source`), an `as_of`
  and a `basis`;
- every `basis` and every `*_basis` is measured | vendor | estimate, in rows and in records
  nested inside them (a `*_basis` may be null where the figure it qualifies is absent); an
  error names the file, the row and the bad value;
- what comes back is read-only all the way down (`types.MappingProxyType` and tuples), read
  once per process and safe to share between sessions.
"""
from __future__ import annotations

import functools
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import yaml

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
Row = Mapping[str, Any]
Table = tuple[Row, ...] | Mapping[str, Any]  # a list file's rows, or a mapping file
BASES = ("measured", "vendor", "estimate")
PROVENANCE = ("source", "as_of", "basis")
# libyaml's safe loader when PyYAML was built with it: the data files parse ~10x faster.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TableError(ValueError):
    """A data table is missing or breaks the rules above; the message names the file and row."""


def parse_yaml(text_or_stream: Any) -> Any:
    """Parse YAML with a safe loader (never constructs arbitrary objects)."""
    return yaml.load(text_or_stream, Loader=_SAFE_LOADER)


def load_table(name: str, data_dir: Path | str | None = None) -> Table:
    """A data table, validated and read-only.

    Parameters
    ----------
    name : file name in `data_dir`, with or without ``.yaml`` (``"hardware"``).
    data_dir : folder holding the tables [default: engine/data].

    Returns
    -------
    A tuple of read-only rows for a list file; a read-only mapping for a mapping file
    (its row lists as tuples of rows).

    Raises
    ------
    TableError
        The file is missing, or a row lacks its provenance or has a basis outside `BASES`.
    """
    file = name if name.endswith(".yaml") else f"{name}.yaml"
    return _load(Path(data_dir).resolve() / file if data_dir else _shipped(file))


@functools.lru_cache(maxsize=None)
def _shipped(file: str) -> Path:
    """A shipped table's resolved path (resolving touches the file system; a plan asks for tables thousands
    of times)."""
    return DATA_DIR.resolve() / file


def rows_of(table: Table, key: str = "rows") -> tuple[Row, ...]:
    """The rows of a table: the table itself for a list file, else its `key` list."""
    return table if isinstance(table, tuple) else tuple(table.get(key) or ())


@functools.lru_cache(maxsize=None)
def _load(path: Path) -> Table:
    if not path.is_file():
        raise TableError(f"data table {path.name} is missing (looked for {path})")
    with path.open(encoding="utf-8") as fh:
        document = parse_yaml(fh)
    if isinstance(document, list):
        _check_rows(path.name, document, {})
    elif isinstance(document, dict):
        inherited = {k: document.get(k) for k in PROVENANCE if document.get(k)}
        row_lists = [v for v in document.values() if _is_row_list(v)]
        if not row_lists:
            raise TableError(f"{path.name} holds no list of rows")
        for rows in row_lists:
            _check_rows(path.name, rows, inherited)
        if "basis" in document:
            _check_basis(path.name, "(file header)", "basis", document["basis"])
    else:
        raise TableError(f"{path.name} must hold a list of rows or a mapping with one (found {type(document).__name__})")
    return _freeze(document)


def _is_row_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def _label(row: Row, index: int) -> str:
    """How an error names a row: its id, else the keys that identify it, else its position."""
    for keys in (("id",), ("provider", "provider_model_id"), ("provider", "model_id"), ("benchmark",), ("name",)):
        if all(row.get(k) is not None for k in keys):
            return repr("/".join(str(row[k]) for k in keys))
    return f"#{index + 1}"


def _check_rows(file: str, rows: list, inherited: Mapping[str, Any]) -> None:
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TableError(f"{file}: row #{i + 1} is not a mapping")
        label = _label(row, i)
        has_source = bool(row.get("source")) or any(k.endswith("_source") and row[k] for k in row)
        missing = [k for k, present in (("source", has_source), ("as_of", bool(row.get("as_of"))),
                                        ("basis", "basis" in row)) if not present and not inherited.get(k)]
        if missing:
            raise TableError(f"{file}: row {label} lacks {', '.join(missing)}")
        _check_bases(file, label, row)


def _check_bases(file: str, label: str, row: Row) -> None:
    """`basis` and every non-null `*_basis` of a row, and of the records nested in it."""
    for key, value in row.items():
        if key == "basis" or (key.endswith("_basis") and value is not None):
            _check_basis(file, label, key, value)
        elif isinstance(value, list):
            for j, item in enumerate(value):
                if isinstance(item, dict):
                    _check_bases(file, f"{label} {key}[{j}]", item)
        elif isinstance(value, dict):
            _check_bases(file, f"{label} {key}", value)


def _check_basis(file: str, label: str, key: str, value: Any) -> None:
    if value not in BASES:
        raise TableError(f"{file}: row {label} has {key} {value!r}; it must be one of {', '.join(BASES)}")


def _freeze(value: Any) -> Any:
    """Read-only copy: mappings become MappingProxyType, lists tuples (dates and scalars are immutable)."""
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
