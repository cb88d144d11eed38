"""Catalog hardware: every row says how its accelerators are joined, the rows added for issue 12
(GH200, H100 NVL, H100 PCIe, H200 NVL, MI350X, TPU v5p) load with provenance and size a 70B model,
and PCIe systems charge all-reduces at measured per-system bus bandwidth, not PCIe's line rate."""
import pytest

from engine.capacity.sizing import size
from engine.catalog.catalog import fabric_for, interconnect
from engine.catalog.tables import BASES
from engine.physics.calibration import benchmark_names, load_cases, run_case
from engine.scenario.schema import ModelChoice, Scenario

pytestmark = pytest.mark.unit

NEW_HARDWARE = ("gh200", "h100-nvl", "h100-pcie", "h200-nvl", "mi350x", "tpu-v5p")
# How MLPerf's benchmarks.csv names them (the rows that were dropped before these entries existed).
MLPERF_NAMES = {"NVIDIA GH200": "gh200", "NVIDIA H100 NVL 94GB": "h100-nvl", "NVIDIA H100 PCIe 80GB": "h100-pcie",
                "NVIDIA H200 NVL 141GB": "h200-nvl", "AMD MI350X": "mi350x"}


def test_every_hardware_row_names_its_interconnect_and_topology(catalog):
    for hw in catalog.hardware.values():
        assert hw.interconnect.strip(), f"{hw.id} has no interconnect"
        assert hw.topology.strip(), f"{hw.id} does not say how its accelerators are joined"
        if not hw.is_specialized:
            assert hw.scale_up_domain_accelerators and hw.scale_up_domain_accelerators >= 1, hw.id


@pytest.mark.parametrize("hardware_id", NEW_HARDWARE)
def test_new_rows_load_with_provenance_and_specs(catalog, hardware_id):
    hw = catalog.get_hardware(hardware_id)
    assert hw.spec_source and hw.as_of and hw.basis in BASES
    assert hw.interconnect and hw.topology
    assert hw.memory_gb > 0 and hw.memory_bandwidth_tb_s > 0 and hw.tflops("bf16") > 0
    # a rental price, where the row has one, says where it came from and how sure it is
    if hw.on_demand_usd_per_hour is not None:
        assert hw.price_source and hw.price_basis in BASES


@pytest.mark.parametrize("hardware_id", NEW_HARDWARE)
def test_new_rows_size_a_70b_model(catalog, hardware_id):
    result = size(Scenario(model=ModelChoice(id="llama-3.3-70b")), catalog)
    option = next(o for o in result.options if o.hardware == hardware_id)
    assert option.feasible, option.reason
    assert option.accelerators >= option.tensor_parallel >= 1
    assert option.ttft_ms <= Scenario().latency.ttft_p95_ms


def test_mlperf_names_of_the_new_rows_map_to_catalog_ids():
    names = benchmark_names()["hardware"]
    for name, hardware_id in MLPERF_NAMES.items():
        assert names[name] == hardware_id


def test_mlperf_latency_limited_rows_of_the_new_rows_are_expressible(catalog):
    cases = [c for c in load_cases() if c.hardware in MLPERF_NAMES.values() and c.latency_limited]
    assert {c.hardware for c in cases} == set(MLPERF_NAMES.values())
    for hardware_id in MLPERF_NAMES.values():
        case = next(c for c in cases if c.hardware == hardware_id)
        result = run_case(catalog, case)
        assert result.error is not None, f"{hardware_id}: {result.reason}"


def test_pcie_all_reduce_is_measured_per_system_not_the_line_rate():
    # PCIe Gen4 x16 carries 32 GB/s each way; measured NCCL bus bandwidth across a server is below it.
    line_rate_gb_s = interconnect("pcie-gen4-x16").gb_s_per_direction
    for hardware_id in ("l40s", "l4", "rtx-pro-6000", "h100-pcie"):
        fabric = fabric_for(hardware_id)
        assert fabric.basis == "measured", hardware_id
        assert fabric.busbw_bytes_s(8) / 1e9 < line_rate_gb_s, hardware_id


@pytest.mark.parametrize("hardware_id", ("h100-nvl", "h200-nvl"))
def test_nvlink_bridged_cards_are_fast_inside_the_bridge_and_pcie_beyond(catalog, hardware_id):
    hw = catalog.get_hardware(hardware_id)
    fabric = fabric_for(hardware_id)
    inside, beyond = hw.scale_up_domain_accelerators, 8
    message_bytes = 8e6
    per_gpu_inside = fabric.allreduce_s(message_bytes, inside)
    per_gpu_beyond = fabric.allreduce_s(message_bytes, beyond)
    assert per_gpu_beyond > 3 * per_gpu_inside
    assert fabric.busbw_bytes_s(beyond) == fabric_for("h100-pcie").busbw_bytes_s(beyond)
