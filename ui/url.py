"""Scenario <-> URL query parameters: `?v=1&preset=NAME` plus only the fields that differ.

Pure functions (no Streamlit) so the round trip is testable on its own. Names are the
Scenario's own dotted paths (`workload.daily_active_users=80000`); short aliases
(`dau=80000`) are accepted on the way in. Every value goes through the same validation
as a YAML preset: a bad one is dropped and named, the others still apply.
"""
from __future__ import annotations

import dataclasses
import functools
import logging
import re
from pathlib import Path
from typing import Any, Mapping

from engine.catalog.catalog import load_catalog
from engine.scenario.schema import DEFAULT_SCENARIO, LATENCY_TIERS, SECTIONS, Scenario
from engine.scenario.yaml_io import read_scenario_file

VERSION = "1"
VERSION_KEY = "v"
PRESET_KEY = "preset"
PRESETS_DIR = Path(__file__).resolve().parents[1] / "presets"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# A real link holds a few dozen short fields; anything far larger is refused whole.
MAX_QUERY_CHARS = 4000
MAX_VALUE_CHARS = 300
MAX_PARAMS = 120

ALIASES: dict[str, str] = {
    "dau": "workload.daily_active_users",
    "qpu": "workload.queries_per_user_per_day",
    "calls": "workload.agent_calls_per_query",
    "in": "workload.input_tokens_per_call",
    "out": "workload.output_tokens_per_call",
    "think": "workload.reasoning_tokens_per_call",
    "prefix": "workload.shared_prefix_fraction",
    "peak": "workload.peak_to_average_ratio",
    "offline": "workload.offline_fraction",
    "tier": "latency.tier",
    "ttft": "latency.ttft_p95_ms",
    "speed": "latency.min_output_tokens_per_s_per_user",
    "model": "model.id",
    "deploy": "constraints.deployment",
    "vendors": "constraints.allowed_vendors",
    "horizon": "finance.horizon_months",
    "growth": "finance.monthly_growth",
    "pricing": "finance.pricing",
    "decide": "finance.decide_on",
}
SLO_FIELDS = ("latency.ttft_p95_ms", "latency.min_output_tokens_per_s_per_user")


def field_keys() -> list[str]:
    """Every settable field as `section.name`, plus `name`."""
    keys = ["name"]
    for section, klass in SECTIONS.items():
        keys += [f"{section}.{f.name}" for f in dataclasses.fields(klass)]
    return keys


def _optional(key: str) -> bool:
    section, name = key.split(".")
    f = next(f for f in dataclasses.fields(SECTIONS[section]) if f.name == name)
    return "None" in str(f.type)


def flatten(scenario: Scenario) -> dict[str, Any]:
    data = scenario.to_dict()
    flat: dict[str, Any] = {"name": data["name"]}
    for section in SECTIONS:
        for name, value in data[section].items():
            flat[f"{section}.{name}"] = value
    return flat


def unflatten(flat: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {section: {} for section in SECTIONS}
    for key, value in flat.items():
        if key == "name":
            data["name"] = value
        else:
            section, name = key.split(".", 1)
            data[section][name] = value
    return data


def encode(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def _decode(key: str, text: str) -> Any:
    if key != "name" and _optional(key) and text.strip().lower() in ("", "none"):
        return None
    return text


# --- presets ----------------------------------------------------------------------

# Where a loader message says the problem is: a line (and column) or a field key, never a value.
_WHERE = re.compile(r"\b(line \d+(?:, column \d+)?|(?:workload|latency|model|constraints|finance|levers)\.[a-z0-9_]+)")


def _preset_files() -> dict[str, Path]:
    """presets/*.yaml by slug: regular files inside the folder only. A symlink is followed only when it
    stays inside presets/ (one pointing elsewhere, e.g. to /etc, is never read)."""
    root = PRESETS_DIR.resolve()
    out = {}
    for path in sorted(PRESETS_DIR.glob("*.yaml")):
        try:
            real = path.resolve(strict=True)
        except (OSError, RuntimeError):  # a dangling or looping link
            continue
        if real.parent == root and real.is_file() and _SLUG.match(path.stem):
            out[path.stem] = real
    return out


@functools.lru_cache(maxsize=1)
def _scan_presets() -> tuple[dict[str, str], tuple[str, ...]]:
    names, broken = {}, []
    for slug in _preset_files():
        try:
            names[slug] = load_preset(slug).name
        except ValueError as exc:
            # Named, never echoed: the reason (which may quote the file) goes to the server log only.
            logging.getLogger(__name__).warning("%s", exc)
            where = _WHERE.search(str(exc))
            broken.append(f"presets/{slug}.yaml does not load{f' (at {where.group(1)})' if where else ''}; run "
                          f"`python -m engine plan presets/{slug}.yaml` on the server for the reason")
    return names, tuple(broken)


def preset_names() -> dict[str, str]:
    """Preset slug -> the scenario's name, for every presets/*.yaml that loads (sorted by slug)."""
    return _scan_presets()[0]


def broken_presets() -> tuple[str, ...]:
    """Preset files that do not load, each named with the reason (the app still starts)."""
    return _scan_presets()[1]


@functools.lru_cache(maxsize=32)
def load_preset(slug: str) -> Scenario:
    """The preset's Scenario. Raises ValueError unless `slug` is exactly a file's name in presets/."""
    files = _preset_files()
    if not isinstance(slug, str) or not _SLUG.match(slug) or slug not in files:
        raise ValueError(f"preset {_short(slug)!r} is not known: choose one of {', '.join(files)}")
    try:
        return read_scenario_file(str(files[slug]))
    except ValueError as exc:
        raise ValueError(f"preset file presets/{slug}.yaml is broken: {exc}") from None


def base_scenario(preset: str | None) -> Scenario:
    return load_preset(preset) if preset else DEFAULT_SCENARIO


# --- scenario -> params -------------------------------------------------------------

def to_params(scenario: Scenario, preset: str | None) -> dict[str, str]:
    """The shortest query that reproduces `scenario`: version, preset, then changed fields."""
    base = flatten(base_scenario(preset))
    flat = flatten(scenario)
    params = {VERSION_KEY: VERSION}
    if preset:
        params[PRESET_KEY] = preset
    changed = [k for k in flat if flat[k] != base[k]]
    if "latency.tier" in changed:  # a tier in a link brings its own SLO defaults: pin the real ones
        changed += [k for k in SLO_FIELDS if k not in changed]
    for key in field_keys():
        if key in changed:
            params[key] = encode(flat[key])
    return params


# --- params -> scenario -------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Parsed:
    scenario: Scenario
    preset: str | None
    problems: tuple[str, ...]  # one line per ignored parameter, naming it


def _first(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return str(value[-1]) if value else ""
    return str(value)


def _short(text: object, limit: int = 40) -> str:
    s = str(text)
    return s if len(s) <= limit else s[:limit] + "…"


def from_params(params: Mapping[str, Any]) -> Parsed:
    """Scenario from query parameters; bad or unknown ones fall back to the preset's value and are named."""
    problems: list[str] = []
    raw = {str(k): _first(v) for k, v in params.items()}
    size = sum(len(k) + len(v) + 2 for k, v in raw.items())
    if size > MAX_QUERY_CHARS or len(raw) > MAX_PARAMS:
        # Refused whole (a partial scenario would look right and be wrong); only a valid preset is kept.
        preset = raw.get(PRESET_KEY) or None
        try:
            base = base_scenario(preset)
        except ValueError:
            preset, base = None, DEFAULT_SCENARIO
        kept = f"the preset {preset} is shown without changes" if preset else "the default scenario is shown"
        return Parsed(base, preset, (f"this link is too long ({len(raw):,} parameters, {size:,} characters; at most "
                                     f"{MAX_PARAMS} and {MAX_QUERY_CHARS:,}): none of its fields were applied and "
                                     f"{kept}",))
    for name in [n for n, v in raw.items() if len(v) > MAX_VALUE_CHARS]:
        problems.append(f"{_short(name)} (value longer than {MAX_VALUE_CHARS} characters)")
        del raw[name]
    version = raw.pop(VERSION_KEY, VERSION)
    if version != VERSION:
        problems.append(f"{VERSION_KEY}={_short(version)} (this app reads link version {VERSION}; read as version {VERSION})")
    preset = raw.pop(PRESET_KEY, None) or None
    try:
        base = base_scenario(preset)
    except ValueError:
        problems.append(f"{PRESET_KEY}={_short(preset)} (not a preset: using the default scenario)")
        preset, base = None, DEFAULT_SCENARIO
    valid = set(field_keys())
    flat = flatten(base)
    overrides: dict[str, Any] = {}
    # Two passes: a field refused only because of another one still at the preset's value (a horizon
    # that compounds the preset's growth past its cap, while the link also lowers the growth) is tried
    # again once the others are in.
    pending: list[tuple[str, str, str, Any]] = []
    for name, text in raw.items():
        key = ALIASES.get(name, name)
        if key not in valid:
            problems.append(f"{_short(name)} (not a scenario field)")
            continue
        value = _decode(key, text)
        if key == "model.id" and value not in load_catalog().models:
            problems.append(f"{_short(name)}={_short(text)} (not a model in the catalog)")
            continue
        pending.append((name, text, key, value))
    refused: dict[str, str] = {}
    for _ in range(2):
        retry = []
        for name, text, key, value in pending:
            trial = {**flat, **overrides, key: value}
            if key == "latency.tier" and text in LATENCY_TIERS:
                for slo in SLO_FIELDS:  # a hand-written tier brings its own SLO unless the link sets it
                    if not any(ALIASES.get(n, n) == slo for n in raw):
                        trial[slo] = LATENCY_TIERS[text][slo.split(".")[1]]
            try:
                Scenario.from_dict(unflatten(trial))
            except ValueError as exc:
                refused[name] = f"{_short(name)}={_short(text)} ({_short(str(exc), 160)})"
                retry.append((name, text, key, value))
                continue
            refused.pop(name, None)
            overrides.update({k: v for k, v in trial.items() if flat.get(k) != v or k == key})
        pending = retry
    problems += [refused[name] for name, *_ in pending]
    try:
        scenario = Scenario.from_dict(unflatten({**flat, **overrides}))
    except ValueError as exc:  # fields valid alone but not together
        problems.append(f"{', '.join(overrides)} ({exc})")
        scenario = base
    return Parsed(scenario, preset, tuple(problems))
