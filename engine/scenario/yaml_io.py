"""One safe way in for scenario YAML: presets, uploads and the CLI all read through here.

A scenario is a small document (the presets are 1-2 kB, two levels deep, no anchors), so
anything far outside that shape is refused before it is built, each time with one line that
names the source and, where there is one, the field or the line:

- size: at most MAX_CHARS characters (a 14 MB vendor list took 40 s to plan);
- depth: at most MAX_DEPTH nested collections, checked on the event stream, so 20,000 nested
  brackets never reach the recursive composer (a 3,000-line RecursionError before);
- aliases: the document's size with every alias expanded is counted on the event stream and
  refused above MAX_NODES, so a 329-byte alias bomb is refused before anything is expanded;
- YAML 1.2 core-schema scalars: `1:30` and `0x10` are text (YAML 1.1 read them as 90 and 16),
  `yes`/`on` are text, no dates, no merge keys; text in a number field then fails validation
  with the field named;
- duplicate keys are refused (YAML 1.1 loaders keep the last one silently), keys must be text;
- an empty or comment-only document, a bare `0` or `false`, or several documents are refused
  (they used to plan the default scenario without a word).
"""
from __future__ import annotations

import os
import re
import stat
import sys
import unicodedata
from typing import Any

import yaml

from engine.scenario.schema import Scenario, quote

MAX_CHARS = 64_000  # ~30x the largest preset
MAX_DEPTH = 8  # a scenario nests two levels (section: {field: [entries]})
MAX_NODES = 5_000  # scalars and collections with aliases expanded; a full scenario has ~120


class _Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema: null, bool, int (decimal only), float; everything else is text."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


class _Dumper(yaml.SafeDumper):
    """SafeDumper that quotes every string either YAML version would read as something else.

    PyYAML writes YAML 1.1, where "0E0" or "1e5" are plain text; the loader above reads YAML 1.2, where
    they are numbers. Quoting by both sets of rules makes dump -> load the identity (a scenario named
    "0E0" stays a name).
    """


_Dumper.yaml_implicit_resolvers = {
    first: list(yaml.SafeDumper.yaml_implicit_resolvers.get(first, [])) + list(resolvers)
    for first, resolvers in _Resolver.yaml_implicit_resolvers.items()}
for _first, _resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items():
    _Dumper.yaml_implicit_resolvers.setdefault(_first, list(_resolvers))


def dump_yaml(data: Any) -> str:
    """YAML text for plain data that the safe loader reads back unchanged."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


class _Constructor(yaml.constructor.SafeConstructor):
    """Safe constructor without YAML 1.1 extras; decimal ints and floats read as Python numbers."""

    def construct_yaml_int(self, node):  # the resolver only lets decimal digits through
        text = self.construct_scalar(node)
        # A 5,000-digit integer would trip Python's int-conversion limit; as a float it is inf or simply
        # large, and the field's range check names it.
        return int(text) if len(text) <= 30 else float(text)

    def construct_yaml_float(self, node):
        text = self.construct_scalar(node).lower()
        if text.endswith("nan"):
            return float("nan")
        return float(text.replace(".inf", "inf"))  # +.inf, -.inf; validation refuses both later

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(None, None, "expected a mapping", node.start_mark)
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise _Refused(f"line {line}: keys must be text, got {quote(key)}")
            if key in mapping:
                raise _Refused(f"line {line}: key {quote(key)} appears twice (each key once)")
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


# Only the core-schema tags; an explicit !!python/..., !!timestamp, !!binary, !!set or !!omap is refused.
_Constructor.yaml_constructors = {}
for _tag, _method in (("null", "construct_yaml_null"), ("bool", "construct_yaml_bool"),
                      ("int", "construct_yaml_int"), ("float", "construct_yaml_float"),
                      ("str", "construct_yaml_str"), ("seq", "construct_yaml_seq"),
                      ("map", "construct_yaml_map")):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", getattr(_Constructor, _method))


def _refuse_tag(constructor: _Constructor, node: yaml.Node) -> None:
    raise _Refused(f"line {node.start_mark.line + 1}: the tag {quote(node.tag)} is not allowed in a scenario")


_Constructor.add_constructor(None, _refuse_tag)


class _Loader(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
              _Constructor, _Resolver):
    def __init__(self, stream):
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


class _Refused(Exception):
    """A document outside the scenario's shape: the message is one line, without the source."""


def _check_shape(text: str) -> None:
    """Depth and expanded size from the event stream, before anything is composed or built."""
    # Sizes of anchored nodes with their own aliases expanded, so an alias costs what it expands to.
    anchored: dict[str, int] = {}
    stack: list[list] = []  # [anchor, expanded nodes so far] per open collection
    total = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            stack.append([event.anchor, 1])
            if len(stack) > MAX_DEPTH:
                raise _Refused(f"line {event.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep "
                               "(a scenario is section: {field: value})")
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            if event.anchor not in anchored:  # undefined, or an alias inside its own anchor
                raise _Refused(f"line {event.start_mark.line + 1}: alias *{quote(event.anchor, bare=True)} "
                               "refers to no finished anchor")
            anchor, size = None, anchored[event.anchor]
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor is not None:
            anchored[anchor] = size
        if stack:
            stack[-1][1] += size
        total += size if not stack else 0
        if (stack and stack[-1][1] > MAX_NODES) or total > MAX_NODES:
            raise _Refused(f"line {event.start_mark.line + 1}: more than {MAX_NODES:,} values once aliases are "
                           "expanded (a scenario has about 120)")


def _one_line(exc: yaml.YAMLError) -> str:
    """PyYAML's error without the echoed source lines: the problem and where."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or getattr(exc, "context", None) or "is not valid YAML"
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}{' '.join(str(problem).split())}"


def parse_scenario_yaml(text: str) -> dict[str, Any]:
    """The document as plain data, checked for shape; raises ValueError with one line."""
    if not isinstance(text, str):
        raise ValueError("a scenario is YAML text")
    if len(text) > MAX_CHARS:
        raise ValueError(f"the file is {len(text):,} characters; a scenario is at most {MAX_CHARS:,}")
    if any(unicodedata.category(c) == "Cs" for c in text):
        raise ValueError("the text holds unpaired surrogate characters (not valid Unicode)")
    try:
        _check_shape(text)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is the safe core-schema loader above
    except _Refused as exc:
        raise ValueError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise ValueError(f"the YAML does not parse: {_one_line(exc)}") from None
    except RecursionError:  # defence in depth: _check_shape bounds the depth first
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    if data is None:
        raise ValueError("the document is empty: a scenario needs at least one section "
                         "(workload, latency, model, constraints, finance, levers) or a name")
    if not isinstance(data, dict):
        raise ValueError(f"the document is {quote(data)}, not a scenario: a scenario is a mapping of sections "
                         "(workload:, latency:, model:, constraints:, finance:, levers:)")
    if not data:
        raise ValueError("the document is an empty mapping: a scenario needs at least one section or a name")
    return data


def scenario_from_yaml(text: str, source: str = "scenario") -> Scenario:
    """The Scenario in `text`, or ValueError with one line starting with `source`.

    Parameters
    ----------
    text : the YAML document (a preset, an upload, a CLI file).
    source : how to name the document in the message (a file name, "upload").

    Raises
    ------
    ValueError
        One line: ``"<source>: <field or line>: <what is wrong and what is allowed>"``.
    """
    try:
        return Scenario.from_dict(parse_scenario_yaml(text))
    except ValueError as exc:
        raise ValueError(f"{source}: {' '.join(str(exc).split())}") from None


# --- files (the CLIs: python -m engine, python -m report) ------------------------------

STDIN = "-"


def shown_path(path_text: str, limit: int = 120) -> str:
    """A path as it may appear in a one-line message: control characters replaced, shortened."""
    text = "".join("?" if unicodedata.category(c)[0] == "C" else c for c in str(path_text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def file_problem(path_text: str) -> str | None:
    """Why `path_text` cannot be read as an input file without blocking, or None when it can.

    A directory, a named pipe (FIFO), a device or a socket is named as such: opening a FIFO
    with no writer blocks forever and a device may never end.
    """
    try:
        mode = os.stat(path_text).st_mode
    except FileNotFoundError:
        return "does not exist (not found)"
    except NotADirectoryError:
        return "does not exist (a part of the path is a file, not a folder)"
    except PermissionError:
        return "cannot be read (permission denied)"
    except (OSError, ValueError) as exc:  # ValueError: an embedded NUL character
        return f"cannot be read ({' '.join(str(getattr(exc, 'strerror', None) or exc).split())})"
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return f"is a named pipe (FIFO), not a file: to read a pipe, give {STDIN} and pipe it to stdin"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    if not stat.S_ISREG(mode):
        return "is not a regular file"
    return None


def read_text_file(path_text: str, what: str, max_bytes: int) -> str:
    """The UTF-8 text of a regular file (or of stdin for "-"), or ValueError with one line.

    Parameters
    ----------
    path_text : the path as the user typed it; "-" reads stdin.
    what : how to name the file in the message ("scenario file", "--from-csv").
    max_bytes : files larger than this are refused before they are read [bytes].
    """
    name = shown_path(path_text)
    if path_text == STDIN:
        data = sys.stdin.buffer.read(max_bytes + 1)
        name = "stdin"
    else:
        problem = file_problem(path_text)
        if problem:
            raise ValueError(f"{what} {name} {problem}")
        try:
            with open(path_text, "rb") as fh:
                data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise ValueError(f"{what} {name} cannot be read ({exc.strerror or 'error'})") from None
    if len(data) > max_bytes:
        raise ValueError(f"{what} {name} is larger than {max_bytes:,} bytes")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{what} {name} is not UTF-8 text (byte {exc.start:,} is invalid)") from None


def read_scenario_file(path_text: str) -> Scenario:
    """The Scenario in a YAML file (or stdin for "-"): ValueError with one line naming the file and field."""
    text = read_text_file(path_text, "scenario file", 4 * MAX_CHARS)  # UTF-8 takes up to 4 bytes a character
    name = "stdin" if path_text == STDIN else shown_path(path_text)
    if not text.strip():
        raise ValueError(f"{name}: the document is empty: a scenario needs at least one section "
                         "(workload, latency, model, constraints, finance, levers) or a name")
    return scenario_from_yaml(text, name)
