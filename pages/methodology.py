"""Methodology: how every number is produced, from what data, and how accurate the model is."""
import streamlit as st

from engine.catalog.catalog import load_catalog
from engine.money.cost_model import HOURS_PER_MONTH
from engine.physics.bands import MIN_ROWS
from engine.physics.perf import EXACT_ERLANG_SLOTS, LATENCY_QUANTILE, MOE_TILE_TOKENS, OVERLAP_P, tpot_spread
from present.formatting import count, percent
from present.labels import kind_label
from ui import state, tables
from ui.layout import page_header


def tpot_spread_p95() -> float:
    """The unexplained TPOT spread the speed target is judged with, as a share of the mean (perf.tpot_spread)."""
    return tpot_spread(LATENCY_QUANTILE)[0]


def power_capped_cards() -> str:
    """The catalog's cards whose power limit caps their tensor rate below their own peak."""
    return ", ".join(sorted(hw.name for hw in load_catalog().hardware.values() if hw.power_capped))


def kv_fractions() -> str:
    """Each serving stack's KV-cache share, as stacks.yaml states it (e.g. "TensorRT-LLM 0.90 of free memory")."""
    return ", ".join(f"{s.name.split(' (')[0]} {s.kv_cache_free_fraction:.2f} of {s.kv_cache_fraction_of} memory"
                     for s in load_catalog().stacks.values())


page_header("Methodology", "formulas, assumptions, sources, accuracy")

st.subheader("Accuracy of the performance model")
accuracy = state.model_accuracy()
percent_columns = {
    "Median abs. error": tables.percent_column(1), "P90 abs. error": tables.percent_column(1),
    "Median bias": tables.percent_column(1, help="Predicted / measured - 1: below zero the model is slow.")}
if accuracy:
    worst = accuracy.out_of_sample
    c = st.columns(4)
    c[0].metric("Measured benchmark rows", count(accuracy.in_sample.rows))
    c[1].metric("Median error, out of sample", percent(worst.median_abs_error, 1),
                help=f"Out of sample: the worst of hardware, model family and source left out of the fit "
                     f"({tables.HELD_OUT_LABELS[worst.label].lower()}).")
    c[2].metric("90% of rows within, out of sample", percent(worst.p90_abs_error, 1),
                help="The same rows left out as the median beside it.")
    c[3].metric("In-sample median error", percent(accuracy.in_sample.median_abs_error, 1),
                help="On the rows the factors were fitted on: flatters the model; the out-of-sample figure is "
                     "what to expect on hardware or a model the fit has not seen.")
    st.dataframe(tables.accuracy_table(accuracy), hide_index=True, width="stretch", column_config=percent_columns)
    st.caption("Out of sample: each hardware, model family and benchmark source in turn is left out, the efficiency "
               "factors are refitted on the other rows, and the left-out rows are predicted. In sample: the "
               "stored fit against the rows it was fitted on.")
    if accuracy.residuals:
        st.markdown("**Prediction bands: each self-hosted option's throughput band**")
        st.markdown(
            "Every option's modelled throughput carries a band from the held-out errors of its own hardware and "
            "model family (the rows of that hardware predicted with the hardware left out of the fit, and the "
            "same for the family), on the runs that match how the option is sized: latency-limited (MLPerf "
            "server and interactive rows) when the latency targets bind the batch, max-throughput when the batch "
            "is at its memory or stack cap. With e the signed error (predicted / measured - 1) and q its 10th "
            "and 90th percentile:")
        st.latex(r"x_q = \tfrac{1}{2}\left[\ln(1 + e_q^\text{hardware}) + \ln(1 + e_q^\text{family})\right],"
                 r"\quad \text{band} = \left[e^{-x_{90}} - 1,\ e^{-x_{10}} - 1\right]")
        st.markdown(
            f"A hardware or family with fewer than {MIN_ROWS} held-out rows is **never measured** and takes the "
            "widest band of its kind, so an option on unmeasured hardware or an unmeasured model is never shown "
            "a narrower band than a measured one. The band always holds the prediction itself (its low end "
            "at most 0, its high end at least 0). The band is shown beside each option (Hardware and TCO "
            "pages, the headline, the brief); the TCO's Monte Carlo draws each self-hosted option's throughput "
            "from it (log-normal through its ends), so the fleet at the low end widens the cost range.")
        st.dataframe(tables.residuals_table(accuracy), hide_index=True, width="stretch",
                     column_config={c: tables.percent_column(1) for c in ("P10 error", "Median error", "P90 error")})
st.markdown("**By benchmark, hardware and model family (in sample)**")
st.dataframe(tables.calibration_table(state.calibration_summaries()), hide_index=True, width="stretch",
             column_config=percent_columns)
st.caption("Predicted against measured throughput (MLPerf Inference, TensorRT-LLM performance tables) and batch-1 "
           "latency (AWS Neuron): error = predicted / measured - 1. Same as `python -m engine calibrate`.")

st.subheader("Formulas")
with st.expander("Demand", expanded=False):
    st.markdown("Queries per day = daily active users x queries per user; model calls = queries x agent calls per "
                "query. Peak calls/s = average x peak-to-average ratio (offline calls wait for quiet hours). "
                "Sequences in flight follow Little's law: peak rate x (TTFT + generated tokens / per-user speed).")


with st.expander("Performance of one replica", expanded=False):
    st.markdown(
        "**Memory, per accelerator:** weights (parameters x bytes per value, quantisation scales included; "
        "embeddings and LM head stay BF16) split over the tensor- and pipeline-parallel ranks; the serving "
        "stack's runtime reserve, NCCL buffers and activation workspace; the rest times the stack's KV fraction "
        f"({kv_fractions()}) holds the KV cache, in "
        "whole paged blocks. KV per token = 2 x layers x KV heads x head dim x bytes (MLA keeps one compressed "
        "latent per layer; TensorRT-LLM reserves sliding-window layers the whole sequence, vLLM and SGLang only "
        "the window). The batch is also capped by the stack's scheduler limits (sequences and tokens per step).")
    st.markdown(
        "**Time of one iteration, as one rank runs it:** operators run one after another, and each has its own "
        "roofline: memory time m = bytes / bandwidth, compute time c = FLOPs / peak rate. Loads and math "
        "overlap imperfectly near the ridge point, so an operator takes the p-norm of the two (never less than "
        f"max(m, c)), with p = {OVERLAP_P:g}:")
    st.latex(r"t_\text{iter} = \sum_{o \in \text{operators}} \left(m_o^{\,p} + c_o^{\,p}\right)^{1/p}"
             r" + L\,t_\text{layer floor} + t_\text{host} + t_\text{comm} + t_\text{pipeline}")
    st.markdown(
        "- **Operators:** dense GEMMs (weights read once per iteration; 2 x parameters x tokens FLOPs at the "
        "weights' precision rate, FP4 only for GEMMs), expert GEMMs (the experts the batch touches; 2 x active "
        f"routed parameters x tokens, each expert's tokens padded to whole {MOE_TILE_TOKENS:g}-row tiles), decode "
        "attention (the KV cache read; attention FLOPs at the BF16/FP8 rate), prefill attention, and activation "
        "traffic (every token's hidden state streamed per layer for norms, residuals and quantisation).\n"
        "- **Fixed costs:** a kernel floor per layer and a host overhead per iteration, fitted per stack.\n"
        "- **Communication:** each tensor-parallel all-reduce (and MoE all-to-all) is latency + bytes / bus "
        "bandwidth from published NCCL measurements for the system's interconnect and GPU count "
        "(interconnects.yaml, collectives.yaml); pipeline stages add one hop per stage.")
    st.markdown(
        "**TPOT**: the mean is the mean iteration time: prompts join the running batch whole (chunked prefill), "
        "so when fewer than one arrives per iteration a share of the iterations carries a prompt and the rest only "
        "decode; throughput = batch / mean TPOT. The speed target is judged at **p95 of requests**: a request's TPOT "
        "is the mean plus the prompts prefilled in its own iterations (a Poisson count, so long prompts widen the "
        f"tail) plus a spread of {tpot_spread_p95():.1%} of the mean that prefill does not explain, measured on MLPerf "
        "runs (physics.yaml tpot_p99_spread, scaled from p99 to p95). Per-user speed = 1000 / p95 TPOT. "
        "**TTFT p95** = the rest of the iteration in "
        "flight + queueing behind other prompts (M/D/1 under Poisson arrivals) + the wait for a free sequence "
        f"slot (Erlang C over the most sequences the replica holds, exact up to {EXACT_ERLANG_SLOTS} slots and "
        "Halfin-Whitt above: "
        "random arrivals cannot keep every slot busy, so where the TTFT target is short against a sequence's "
        "decode the batch stays about 1.7 x sqrt(slots) below that cap) + the prompt's own prefill and "
        "its iteration. Sizing keeps the largest batch meeting both targets and the cheapest layout, precision "
        "and stack at peak, plus headroom and spares for availability.")
    st.markdown(
        "**Fitted, and how well:** the stacks' factors (weight and KV bandwidth efficiency, decode and prefill "
        "compute efficiency, FP4 and expert-GEMM efficiency, activation bytes per layer, the two fixed costs, "
        "vLLM's ratio to TensorRT-LLM, AMD's efficiency; fit_priors.yaml) are fitted once over every "
        "measured row above, max-throughput and MLPerf server/interactive alike, each (source, hardware, model) "
        "group weighted equally, with a prior per factor (`python -m tools.fit`). The accuracy table shows the "
        "error with each hardware, family and source left out of that fit. MLPerf limits are p99: the replay "
        "judges TTFT and TPOT at p99 of requests. The peak rate is the dense tensor "
        f"peak; a card capped below the TDP of its die's full-power part ({power_capped_cards()}) computes at "
        "most that part's peak x its own TDP / the part's TDP: at a fixed energy per FLOP, power caps the rate "
        "(hardware.yaml power_reference).")
with st.expander("API services: speed, first token, retirements", expanded=False):
    st.markdown("An API option meets the targets when its per-user output speed and time to first token do. "
                "Figures come from engine/data/providers.yaml (measured, vendor claim or estimate). Where a "
                "provider publishes none for a model, the planner uses, in order: the same provider's figure for "
                "the closest model with at least as many active parameters (a floor for speed, a ceiling for "
                "TTFT: on the same hardware a model doing more work per token is no faster); the slowest figure "
                "any provider publishes for this model; the slowest published speed or median published TTFT "
                "overall. Each option's reason names which one it used. Published figures are medians of single "
                "requests, not p95 under load.\n\n"
                "A model its provider has retired (engine/data/retirements.yaml, from the providers' deprecation "
                "pages) is listed but never offered; an announced retirement date is shown beside the option.")
with st.expander("Money", expanded=False):
    st.markdown(f"- A month is {HOURS_PER_MONTH:g} hours (8,760 / 12).\n"
                f"- **{kind_label('api')}:** tokens x price (input, cached input, output; reasoning billed as "
                "output), batch discount on offline calls, plus operations staff.\n"
                f"- **{kind_label('cloud')}:** accelerators x price per hour x hours, storage and egress, "
                "operations staff.\n"
                f"- **{kind_label('owned')}:** capex (accelerators + server and network share) over the amortization "
                "years, power (kW x PUE x USD/kWh x hours), colocation, maintenance, software licences, operations "
                "staff.\n"
                "- **Horizon:** usage grows by the monthly growth rate, prices fall by the yearly decline; owned "
                "fleets buy whole baseboards as they grow and arrive after the purchase lead time; until then "
                "the cheapest rented or API option serves (none when on-prem only: the start date moves). "
                "**Break-even:** the daily volume from which the best self-hosted option stays cheaper than "
                "the best API.\n"
                "- **Uncertainty:** Monte Carlo over usage, tokens per call, growth, prices and each self-hosted "
                "option's throughput (its prediction band above); P10-P90 of the average month; the tornado "
                "moves one input at a time.")

st.subheader("Cost assumptions")
st.dataframe(tables.assumptions_table(), hide_index=True, width="stretch",
             column_config={"Source": st.column_config.TextColumn(width="large")})

st.subheader("Data sources")
st.caption("Every catalog row carries its source, date and basis: measured, vendor claim, or estimate.")
st.dataframe(tables.data_sources_table(), hide_index=True, width="stretch",
             column_config={"Source": st.column_config.TextColumn(width="large")})
