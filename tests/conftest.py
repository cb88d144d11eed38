import dataclasses

import pytest

from engine.catalog.catalog import load_catalog


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def simple_stack(catalog):
    """A stack with round factors so formulas can be checked by hand."""
    return dataclasses.replace(
        catalog.get_stack("tensorrt-llm"), mbu=0.5, kv_mbu=0.25, mfu_decode=0.5, mfu_prefill=0.5,
        step_overhead_ms=1.0, activation_bytes_per_layer=0.0, layer_floor_us=0.0,
        fp4_compute_efficiency=1.0, vendor_efficiency=())
