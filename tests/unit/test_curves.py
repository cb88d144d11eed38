"""The Hardware page's curves: the sized point must lie on the curve drawn for it.

Sizing prices a replica with the scenario's levers (prefix caching skips the shared prefix
in prefill, speculative decoding drafts and verifies tokens, disaggregation blends a decode
replica with a prefill pool). The curve is swept over the same configuration, so at the
sized batch it must give the sized point exactly (issue 11).
"""
import pytest

from engine.capacity.sizing import size
from engine.capacity.curves import batch_sizes, operating_point_of, throughput_curve
from engine.scenario.schema import Levers, Scenario

pytestmark = pytest.mark.unit

REL = 1e-6

LEVER_CASES = {
    "default": Levers(),
    "prefix caching": Levers(prefix_caching=True),
    "speculative decoding": Levers(speculative_decoding=True),
    "prefix caching and speculative decoding": Levers(prefix_caching=True, speculative_decoding=True),
    # Disaggregated, sizing keeps the decode batch and blends in a prefill pool sized for the
    # TTFT target; the curve prices every batch the same way, so the sized point is on it too.
    "disaggregated prefill": Levers(disaggregated_prefill=True),
    "all three": Levers(prefix_caching=True, speculative_decoding=True, disaggregated_prefill=True),
}


def _swept_options(scenario, catalog):
    options = [o for o in size(scenario, catalog).options if o.feasible and not o.specialized]
    assert options, "the scenario should size at least one accelerator"
    return options


@pytest.mark.parametrize("levers", LEVER_CASES.values(), ids=LEVER_CASES.keys())
def test_sized_point_lies_on_its_curve(catalog, levers):
    scenario = Scenario(levers=levers)
    for option in _swept_options(scenario, catalog):
        curve = throughput_curve(scenario, option, catalog)
        at_sized = [p for p in curve if p.batch_size == option.batch_size]
        assert at_sized, f"{option.hardware}: sized batch {option.batch_size} is not swept"
        per_user, per_accelerator = operating_point_of(option)
        point = at_sized[0]
        assert point.output_tokens_per_s_per_user == pytest.approx(per_user, rel=REL), option.hardware
        assert point.output_tokens_per_s_per_accelerator == pytest.approx(per_accelerator, rel=REL), option.hardware
        assert point.ttft_ms == pytest.approx(option.ttft_ms, rel=REL), option.hardware
        assert point.meets_slo, f"{option.hardware}: the sized point meets the SLO, so its curve point must"


def test_levers_move_the_curve(catalog):
    # Speculative decoding gains tokens per step: where decode is memory-bound (small batches)
    # each user sees more speed. At large batches verifying k + 1 tokens per sequence is
    # compute-bound and the gain vanishes, which is why the curves must differ, not only shift.
    base, spec = Scenario(), Scenario(levers=Levers(speculative_decoding=True))
    option = next(o for o in _swept_options(base, catalog) if o.hardware == "h100-sxm")
    plain = {p.batch_size: p for p in throughput_curve(base, option, catalog)}
    faster = {p.batch_size: p for p in throughput_curve(spec, option, catalog)}
    assert plain.keys() == faster.keys()
    assert faster[1].output_tokens_per_s_per_user > 2 * plain[1].output_tokens_per_s_per_user


def test_disaggregated_curve_meets_the_ttft_target_where_it_has_points(catalog):
    # The prefill pool is sized for the TTFT target, so every point drawn meets it; batches
    # whose decode step alone leaves no time for a prompt have no point.
    scenario = Scenario(levers=Levers(disaggregated_prefill=True))
    for option in _swept_options(scenario, catalog):
        curve = throughput_curve(scenario, option, catalog)
        assert curve
        assert all(p.ttft_ms <= scenario.latency.ttft_p95_ms * (1 + REL) for p in curve)


def test_batch_sizes_span_one_to_upper():
    sizes = batch_sizes(500)
    assert sizes[0] == 1 and sizes[-1] == 500
    assert sizes == sorted(set(sizes))
    assert batch_sizes(1) == [1] and batch_sizes(0) == []
