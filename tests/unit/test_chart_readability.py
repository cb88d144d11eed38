"""Charts a CTO can read: memory in the catalog's unit, labelled log ticks, legends under the plot,
the throughput chart drawing only the recommended and the cheapest few accelerators."""
from __future__ import annotations

import pytest

from engine.catalog.catalog import load_catalog
from engine.capacity.curves import memory_split
from engine.physics.perf import BYTES_PER_MEMORY_GB
from engine.plan import plan
from present.formatting import BYTES_PER_HBM_GB, hbm_gb
from ui import charts, url

pytestmark = pytest.mark.unit


def test_memory_bar_totals_the_catalog_memory():
    """MI355X: the catalog says 288 GB (vendor GB, 2^30 bytes); the bar must total 288, not 309."""
    assert BYTES_PER_HBM_GB == BYTES_PER_MEMORY_GB  # the display reverses exactly the engine's conversion
    p = plan(url.load_preset("support-assistant"), with_roadmap=False)
    hw = next(h for h in p.hardware_options if h.hardware == "mi355x" and h.feasible)
    split = memory_split(hw)
    fig = charts.memory_bar(split.weights_gb, split.kv_cache_gb, split.other_gb, "MI355X")
    total = sum(t.x[0] for t in fig.data)
    catalog_gb = load_catalog().get_hardware("mi355x").memory_gb * hw.accelerators_per_replica
    assert total == pytest.approx(catalog_gb)
    assert hbm_gb(split.memory_gb) == f"{catalog_gb:,.0f} GB"


def test_log_ticks_label_every_tick_within_three_decades():
    values, text = charts.log_ticks(12, 900)
    assert values[0] >= 12 / 1.05 and values[-1] <= 900 * 1.05
    assert len(values) >= 5 and text[:3] == ["20", "50", "100"] and "500" in text
    values, text = charts.log_ticks(3, 2e6)  # wide spans: decades only
    assert text == ["10", "100", "1k", "10k", "100k", "1M"]


def test_legends_sit_under_the_plot_and_titles_stay_short():
    p = plan(url.load_preset("support-assistant"), with_roadmap=False)
    usable = [o for o in p.options if o.usable][:6]
    figs = [charts.stacked_components([o.name for o in usable], [o.kind for o in usable],
                                      [o.components_usd for o in usable]),
            charts.monthly_cost_bars([o.name for o in usable], [o.monthly_tco_usd for o in usable],
                                     [o.kind for o in usable], [True] * len(usable), "Monthly cost"),
            charts.tornado(["Usage volume (x0.5 – x2)"], [1.0], [3.0], 2.0, "What moves the cost")]
    for fig in figs:
        legend = fig.layout.legend
        assert legend.orientation == "h" and legend.y == 0 and legend.yref == "container"
        assert len(fig.layout.title.text) <= 32, fig.layout.title.text  # a 390 px phone shows it whole
        assert fig.layout.title.yref == "container"


def test_throughput_chart_draws_the_recommended_and_cheapest_few():
    p = plan(url.load_preset("support-assistant"), with_roadmap=False)
    from engine.capacity.curves import throughput_curves
    curves = throughput_curves(p.scenario, p.hardware_options)
    ranked = list(dict.fromkeys(o.hardware for o in sorted(p.options, key=lambda o: o.monthly_tco_usd)
                                if o.usable and o.kind in ("cloud", "owned")))
    best = p.best_self_hosted().hardware
    fig = charts.throughput_interactivity(curves, {h: h for h in curves}, {}, 20.0, best, ranked)
    lines = [t for t in fig.data if t.mode == "lines" and not t.name.startswith("Target")]
    drawn = [t.name for t in lines if t.visible is True]
    assert len(lines) == len(curves) > charts.SHOWN_CURVES
    assert len(drawn) == charts.SHOWN_CURVES and drawn[0] == f"{best} (recommended)"
    assert all(t.visible == "legendonly" for t in lines if t.name not in drawn)  # one click away
    assert fig.layout.xaxis.ticktext and fig.layout.yaxis.ticktext
