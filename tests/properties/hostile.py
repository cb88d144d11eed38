"""Hostile YAML documents for the safe loader's fuzz test and tools/hostile_yaml.py.

Each document mixes the attacks of issue 16 (deep nesting, alias bombs, YAML 1.1 scalars, tags,
duplicate and non-text keys, markdown and bidi text, huge numbers and lists) into the scenario's
own layout, so some parts are valid and the loader has to find the bad one.
"""
from __future__ import annotations

import random

from hypothesis import strategies as st

FIELDS = ("workload.daily_active_users", "workload.input_tokens_per_call", "finance.horizon_months",
          "finance.monthly_growth", "latency.tier", "latency.ttft_p95_ms", "model.id",
          "constraints.allowed_vendors", "constraints.deployment", "levers.prefix_caching", "name")
SCALARS = ("1:30", "0x10", "0o17", "0b101", "1_000", "yes", "no", "on", "~", "null", ".inf", "-.inf", ".nan",
           "1e400", "9" * 400, "-0", "2026-01-01", "'[Session expired](http://evil.example)'",
           "'![i](http://host/t.png)'", "'\u202eevil'", "':material/warning:'", "'&lt;b&gt;'", "''", "true",
           "12.7", "1e5", "-5", "nvidia", "llama-3.3-70b", "interactive", "!!binary aGVsbG8=",
           "!!python/object/apply:os.system [id]", "!!timestamp 2001-12-14", "!!set {a}", "*undefined",
           "[nvidia, [nested]]", "{a: 1}", "'" + "x" * 300 + "'", '"\\x00\\x1b[31m"')


def alias_bomb(levels: int, width: int, target: str) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]")
    section, name = target.split(".") if "." in target else ("constraints", "allowed_vendors")
    lines.append(f"{section}: {{{name}: [{', '.join([f'*l{levels - 1}'] * width)}]}}")
    return "\n".join(lines) + "\n"


def nested(depth: int, opener: str) -> str:
    closer = {"[": "]", "{": "}", "- ": ""}[opener]
    if opener == "- ":  # block sequences nest on one line too: "- - - x"
        return "- " * depth + "x\n"
    return opener * depth + closer * depth + "\n"


def document(rng: random.Random) -> str:
    """One hostile document from a seeded generator (shared by the test and the measuring script)."""
    kind = rng.randrange(8)
    field = rng.choice(FIELDS)
    if kind == 0:
        return alias_bomb(rng.randint(2, 9), rng.randint(2, 12), field)
    if kind == 1:
        return nested(rng.choice([9, 50, 1000, 20_000]), rng.choice(["[", "{", "- "]))
    if kind == 2:  # a big list or string: under or over the size cap
        n = rng.choice([50, 101, 5_000, 200_000])
        return "constraints: {allowed_vendors: [" + ", ".join(["nvidia"] * n) + "]}\n"
    if kind == 3:
        return rng.choice(["", "# comment only\n", "0\n", "false\n", "---\n...\n", "[]\n", "'text'\n",
                           "---\na: 1\n---\nb: 2\n", "\ufeff\n", "{}\n"])
    lines = []
    for _ in range(rng.randint(1, 6)):
        f = rng.choice(FIELDS)
        value = rng.choice(SCALARS)
        key = rng.choice([f, f, f, f"{f}x", "1", "? [a]", "<<", "'\u202ename'", "null", "true"])
        section, _, name = key.partition(".")
        lines.append(f"{section}: {{{name}: {value}}}" if name else f"{section}: {value}")
    if kind == 4:
        lines.append(lines[0])  # a duplicate key
    return "\n".join(lines) + "\n"


hostile_documents = st.randoms(use_true_random=False).map(document)
