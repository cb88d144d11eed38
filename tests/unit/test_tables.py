"""The one validating loader of engine/data (engine/catalog/tables.py) and what moved into the tables.

Failure cases run on copies in tmp_path, never on the real data folder.
"""
from __future__ import annotations

import dataclasses
import shutil

import pytest

from engine.catalog.catalog import interconnect, load_catalog, physics_value
from engine.catalog.retirements import load_retirements
from engine.catalog.tables import BASES, DATA_DIR, TableError, load_table, rows_of
from engine.money.api_quotes import offered, provider_directory, provider_name, specialized_hardware
from engine.money.api_speed import load_speeds
from engine.money.cost_model import assumption
from engine.physics.calibration import benchmark_names
from engine.roadmap.build import lever_table

pytestmark = pytest.mark.unit

TABLES = sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def _copy(tmp_path, name: str, old: str, new: str, count: int = 1) -> None:
    """engine/data/<name>.yaml into tmp_path with the first `count` `old` replaced by `new`."""
    text = (DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {name}.yaml: the test needs a new anchor"
    (tmp_path / f"{name}.yaml").write_text(text.replace(old, new, count), encoding="utf-8")


# --- failures name the file, the row and the value --------------------------------------

def test_missing_file_is_named(tmp_path):
    with pytest.raises(TableError, match=r"data table hardware\.yaml is missing"):
        load_table("hardware", tmp_path)


def test_bad_basis_is_refused_naming_file_row_and_value(tmp_path):
    _copy(tmp_path, "stacks", "  basis: measured\n", "  basis: measurd\n")
    with pytest.raises(TableError, match=r"stacks\.yaml: row 'tensorrt-llm' has basis 'measurd'; it must be one of "
                                         r"measured, vendor, estimate"):
        load_table("stacks", tmp_path)


def test_bad_named_basis_is_refused(tmp_path):
    _copy(tmp_path, "hardware", "  price_basis: vendor\n", "  price_basis: quoted\n")
    with pytest.raises(TableError, match=r"hardware\.yaml: row 'a100-80gb' has price_basis 'quoted'"):
        load_table("hardware", tmp_path)


def test_bad_basis_inside_a_nested_record_is_refused(tmp_path):
    text = (DATA_DIR / "hardware.yaml").read_text(encoding="utf-8")
    block = text.index("measured_speeds:")
    at = text.index("basis: measured", block)
    (tmp_path / "hardware.yaml").write_text(text[:at] + "basis: rumour" + text[at + len("basis: measured"):],
                                            encoding="utf-8")
    with pytest.raises(TableError, match=r"hardware\.yaml: row '[a-z0-9-]+' measured_speeds\[\d+\] has basis 'rumour'"):
        load_table("hardware", tmp_path)


def test_row_without_basis_is_refused(tmp_path):
    _copy(tmp_path, "retirements", "  basis: measured\n", "")
    with pytest.raises(TableError, match=r"retirements\.yaml: row 'groq/llama-3\.1-8b-instant' lacks basis"):
        load_table("retirements", tmp_path)


@pytest.mark.parametrize("field", ["source", "as_of"])
def test_row_without_source_or_as_of_is_refused(tmp_path, field):
    text = (DATA_DIR / "physics.yaml").read_text(encoding="utf-8")
    kept = "\n".join(line for line in text.splitlines() if not line.startswith(f"  {field}: ")) + "\n"
    (tmp_path / "physics.yaml").write_text(kept, encoding="utf-8")
    with pytest.raises(TableError, match=rf"physics\.yaml: row 'p95_queue_wait_factor' lacks {field}"):
        load_table("physics", tmp_path)


def test_rows_inherit_the_file_header_and_need_it(tmp_path):
    # levers.yaml rows carry no provenance of their own: the file header gives it
    assert lever_table()["basis"] in BASES
    _copy(tmp_path, "levers", "\nbasis: estimate", "\n")
    with pytest.raises(TableError, match=r"levers\.yaml: row 'fp8_weights' lacks basis"):
        load_table("levers", tmp_path)


def test_file_without_rows_is_refused(tmp_path):
    (tmp_path / "empty.yaml").write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(TableError, match=r"empty\.yaml must hold a list of rows"):
        load_table("empty", tmp_path)


# --- every table obeys the rules ------------------------------------------------------

@pytest.mark.parametrize("name", TABLES)
def test_every_table_loads(name):
    assert load_table(name)


@pytest.mark.parametrize("name", TABLES)
def test_every_row_has_source_as_of_and_basis(name):
    table = load_table(name)
    header = {} if isinstance(table, tuple) else table
    row_lists = [table] if isinstance(table, tuple) else [v for v in table.values() if isinstance(v, tuple)]
    assert row_lists
    for rows in row_lists:
        for row in rows:
            where = f"{name}.yaml {row.get('id') or dict(row)}"
            sources = [row.get("source"), header.get("source")] + [v for k, v in row.items() if k.endswith("_source")]
            assert any(sources), f"{where}: no source"
            assert row.get("as_of") or header.get("as_of"), f"{where}: no as_of"
            assert (row.get("basis") if "basis" in row else header.get("basis")) in BASES, f"{where}: basis"


# --- read-only, read once ---------------------------------------------------------------

def test_rows_are_read_only_and_cached():
    rows = load_table("hardware")
    assert load_table("hardware") is rows and load_table("hardware.yaml", DATA_DIR) is rows
    with pytest.raises(TypeError):
        rows[0]["memory_gb"] = 1.0
    with pytest.raises(TypeError):
        rows[0]["dense_tflops"]["bf16"] = 1.0
    with pytest.raises(AttributeError):
        rows[0]["native_precisions"].append("fp4")
    with pytest.raises(AttributeError):
        rows.append({})


def test_mapping_tables_are_read_only():
    levers = lever_table()
    with pytest.raises(TypeError):
        levers["substitutes"]["distill"]["llama-3.3-70b"] = "phi-4"
    assert isinstance(levers["levers"], tuple) and rows_of(levers, "levers") == levers["levers"]


def test_loaded_records_are_read_only():
    catalog = load_catalog()
    with pytest.raises(TypeError):
        catalog.hardware["h100-sxm"] = catalog.hardware["h200"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.stacks["vllm"].kv_cache_free_fraction = 1.0
    for table in (load_speeds(), load_retirements(), provider_directory(), benchmark_names()):
        with pytest.raises(TypeError):
            table["new"] = None


# --- what moved into the tables keeps today's values (this issue changes no numbers) ---------

def test_moved_constants_keep_their_values():
    for stack in load_catalog().stacks.values():
        assert stack.memory_source and stack.memory_basis in BASES
    assert physics_value("p95_queue_wait_factor") == 3.0
    assert physics_value("speculative_draft_overhead") == 0.1
    assert interconnect("pcie-gen4-x16").gb_s_bidir == 64.0
    nic = interconnect("scale-out-400g-nic")
    assert (nic.gb_s_per_direction, nic.hop_latency_us) == (50.0, 10.0)
    assert assumption("storage_copies_of_weights") == 2 and assumption("bytes_per_output_token_on_wire") == 4
    mla = {m.id: m.v_head_dim for m in load_catalog().models.values() if m.attention_type == "mla"}
    assert mla == {"deepseek-v3": 128, "deepseek-r1": 128}


def test_cloud_only_hardware_comes_from_the_table():
    cloud_only = {h.id for h in load_catalog().hardware.values() if h.cloud_only}
    assert cloud_only == {"tpu-v5e", "tpu-v6e", "tpu-v5p", "inferentia2", "trainium2"}
    assert all(load_catalog().hardware[h].cloud_only_source for h in cloud_only)
    assert all(h.cloud_only for h in load_catalog().hardware.values() if h.kind == "tpu")


def test_provider_directory_keeps_names_hidden_and_specialized():
    assert provider_name("aws") == "AWS Bedrock" and provider_name("huggingface_cerebras") == "Cerebras (via Hugging Face)"
    assert provider_name("unlisted-provider") == "unlisted-provider"
    assert [p for p, e in provider_directory().items() if e.hidden] == [
        "openrouter", "quicksilverpro", "github-copilot", "cursor", "openai-decisions"]
    assert all(provider_directory()[p].hidden_reason for p in ("openrouter", "cursor"))
    # Hugging Face routes follow the provider behind them (api_offers drops one where it prices directly)
    assert not offered("openrouter") and offered("huggingface_novita") and offered("huggingface_sambanova")
    assert offered("together") and offered("unlisted-provider")
    assert {p: specialized_hardware(p) for p in provider_directory() if specialized_hardware(p)} == {
        "groq": "groq-lpu", "cerebras": "cerebras-cs3", "huggingface_sambanova": "sambanova-sn40l",
        "huggingface_cerebras": "cerebras-cs3", "sambanova": "sambanova-sn40l"}


def test_benchmark_names_map_to_catalog_ids():
    names = benchmark_names()
    catalog = load_catalog()
    assert names["hardware"]["NVIDIA H100 SXM 80GB"] == "h100-sxm"
    assert names["model"]["Llama-2-70B-Chat (99% accuracy target)"] == "llama-2-70b"
    assert set(names["hardware"].values()) <= set(catalog.hardware)
    assert set(names["model"].values()) <= set(catalog.models)


def test_mla_model_needs_v_head_dim():
    deepseek = load_catalog().get_model("deepseek-v3")
    with pytest.raises(ValueError, match=r"MLA model 'deepseek-v3' needs v_head_dim"):
        dataclasses.replace(deepseek, v_head_dim=None)


def test_a_copied_data_dir_loads_like_the_real_one(tmp_path):
    shutil.copy(DATA_DIR / "physics.yaml", tmp_path / "physics.yaml")
    assert load_table("physics", tmp_path) == load_table("physics")
