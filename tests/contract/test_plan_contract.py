"""The Plan contract: a real plan() for every preset is typed and frozen all the way down, and
`plan --json` keeps every key it ever had (keys may be added, never renamed)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import typing
from pathlib import Path

import pytest

from engine.plan import Plan, plan
from engine.records import FrozenMap
from engine.scenario.schema import Scenario

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted((ROOT / "presets").glob("*.yaml"))
PRICE_DATE = dt.date(2026, 11, 25)
# Every key path `plan --json` printed for the presets before the Plan was typed (issue 11);
# mapping keys that are data (option ids, component names, inputs) are written as "*".
CONTRACT_KEYS = set(json.loads((Path(__file__).parent / "plan_json_keys.json").read_text()))
DATA_KEYED = ("costs_usd", "purchases", "ranges", "assumptions", "components_usd", "month_1_paid_usd",
              "by_option_usd", "best_by_kind", "throughput")
SCALARS = (str, int, float, bool, type(None))


@pytest.fixture(scope="module", params=[p.stem for p in PRESETS])
def preset_plan(request) -> Plan:
    return plan(Scenario.from_yaml((ROOT / "presets" / f"{request.param}.yaml").read_text()), price_date=PRICE_DATE)


def _walk(value, path: str, seen: set[int]) -> None:
    """Every record frozen, every container immutable, every leaf a scalar."""
    if id(value) in seen:
        return
    seen.add(id(value))
    if dataclasses.is_dataclass(value):
        assert type(value).__dataclass_params__.frozen, f"{path}: {type(value).__name__} is not frozen"
        hints = typing.get_type_hints(type(value))
        for f in dataclasses.fields(value):
            hint = str(hints[f.name])
            assert "dict" not in hint and "Any" not in hint and "list" not in hint, f"{path}.{f.name}: typed {hint}"
            _walk(getattr(value, f.name), f"{path}.{f.name}", seen)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, dataclasses.fields(value)[0].name, None)
    elif isinstance(value, FrozenMap):
        for k, v in value.items():
            assert isinstance(k, str), f"{path}: key {k!r}"
            _walk(v, f"{path}[{k!r}]", seen)
    elif isinstance(value, tuple):
        for i, v in enumerate(value):
            _walk(v, f"{path}[{i}]", seen)
    else:
        assert isinstance(value, SCALARS), f"{path}: a {type(value).__name__} ({value!r:.60}) inside the Plan"


def test_a_real_plan_is_typed_and_frozen_all_the_way_down(preset_plan):
    _walk(preset_plan, "plan", set())


def test_a_plan_pickles_and_comes_back_equal(preset_plan):
    """The app caches plans with st.cache_data, which pickles them."""
    import pickle

    again = pickle.loads(pickle.dumps(preset_plan))
    assert again.to_dict() == preset_plan.to_dict()


def test_no_record_hands_out_a_mutable_mapping(preset_plan):
    option = preset_plan.options[0]
    with pytest.raises(TypeError):
        option.components_usd["operations staff"] = 0.0  # type: ignore[index]
    with pytest.raises(TypeError):
        preset_plan.horizon.months[0].costs_usd[option.id] = 0.0  # type: ignore[index]


def _key_paths(value, prefix: str, out: set[str], parent: str = "") -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            data_keyed = parent in DATA_KEYED or prefix.endswith("uncertainty.options")
            p = f"{prefix}.{'*' if data_keyed else k}" if prefix else k
            out.add(p)
            _key_paths(v, p, out, k)
    elif isinstance(value, list):
        for v in value:
            _key_paths(v, prefix + "[]", out, parent)


def test_plan_json_keeps_every_contract_key():
    """Across the presets, every key path of the contract is still printed (new ones may be added)."""
    found: set[str] = set()
    for path in PRESETS:
        p = plan(Scenario.from_yaml(path.read_text()), price_date=PRICE_DATE)
        _key_paths(json.loads(json.dumps(p.to_dict())), "", found)
    missing = sorted(CONTRACT_KEYS - found)
    assert not missing, f"plan --json lost keys: {missing[:10]}"


def test_plan_json_types_and_new_fields(preset_plan):
    d = json.loads(json.dumps(preset_plan.to_dict()))
    assert isinstance(d["recommendation"]["alternatives"], list)
    for o in d["options"]:
        assert isinstance(o["details"], dict)
        speed = o["output_tokens_per_s_per_user"]
        assert speed is None if o["tpot_ms"] is None else speed == pytest.approx(1000.0 / o["tpot_ms"])
    if d["roadmap"] is not None:
        assert {w["kind"] for w in d["roadmap"]["waterfall"]} <= {"total", "delta"}
        assert Scenario.from_dict(d["roadmap"]["final_scenario"]).name == preset_plan.scenario.name


def test_best_by_kind_is_the_cheapest_usable_of_each_kind(preset_plan):
    best = preset_plan.best_by_kind()
    for kind, option in best.items():
        usable = [o for o in preset_plan.options if o.usable and o.kind == kind]
        assert option.monthly_tco_usd == min(o.monthly_tco_usd for o in usable)
    assert preset_plan.to_dict()["best_by_kind"] == {k: o.id for k, o in best.items()}
    compared = preset_plan.compared_options()
    if preset_plan.recommended is not None:
        assert compared[0] == preset_plan.recommended
    assert {o.kind for o in compared} == set(best)
