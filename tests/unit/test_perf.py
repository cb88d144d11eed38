"""Each formula of engine/physics/perf.py against a case computed by hand."""
import dataclasses
import math

import pytest

from engine.physics import perf
from engine.physics.perf import ReplicaConfig

pytestmark = pytest.mark.unit


def test_kv_bytes_gqa_llama_70b(catalog):
    # 2 (K,V) x 80 layers x 8 KV heads x 128 dims x 2 bytes = 327,680 bytes per token
    m = catalog.get_model("llama-3.3-70b")
    assert perf.kv_bytes_per_sequence(m, "bf16", 1000) == 327_680 * 1000
    assert perf.kv_bytes_per_sequence(m, "fp8", 1000) == 163_840 * 1000


def test_kv_bytes_mla_deepseek(catalog):
    # MLA keeps one latent: (512 + 64) x 61 layers x 1 byte (fp8) per token
    m = catalog.get_model("deepseek-r1")
    assert perf.kv_bytes_per_sequence(m, "fp8", 100) == 576 * 61 * 100


def test_kv_bytes_sliding_window_caps_local_layers(catalog):
    # gemma-3-27b: 10 global layers hold the whole context, 52 local ones at most 1,024 tokens
    m = catalog.get_model("gemma-3-27b")
    per_layer_token = 2 * m.num_kv_heads * m.head_dim * 2
    expected = (10 * 8000 + 52 * 1024) * per_layer_token
    assert perf.kv_bytes_per_sequence(m, "bf16", 8000) == expected


def test_kv_replicated_when_fewer_kv_heads_than_ranks(catalog):
    assert perf.kv_replication(catalog.get_model("qwen3-235b-a22b"), 8) == 2  # 4 KV heads on 8 ranks
    assert perf.kv_replication(catalog.get_model("llama-3.3-70b"), 8) == 1
    assert perf.kv_replication(catalog.get_model("deepseek-r1"), 8) == 8  # MLA latent on every rank


def test_weights_and_experts_touched(catalog):
    m = catalog.get_model("mixtral-8x7b")  # 8 experts, top-2
    table = 32_000 * 4_096  # input embedding and LM head, each kept BF16 in an FP8 checkpoint
    assert perf.weight_bytes(m, "fp8") == pytest.approx(46.7e9 + 2 * table)
    # one token touches 2 of 8 experts: 1 - (6/8)^1 = 0.25; 4 tokens: 1 - 0.75^4
    assert perf.experts_touched_fraction(m, 1) == pytest.approx(0.25)
    assert perf.experts_touched_fraction(m, 4) == pytest.approx(1 - 0.75 ** 4)
    routed = m.routed_expert_params_b * 1e9
    # a pass streams the LM head, not the input table (only the rows its tokens look up)
    assert perf.weight_bytes_read(m, "fp8", 1) == pytest.approx(46.7e9 + 2 * table - 2 * table - routed + 0.25 * routed)
    dense = catalog.get_model("llama-3.3-70b")
    table = 128_256 * 8_192
    assert perf.weight_bytes_read(dense, "bf16", 1) == pytest.approx(perf.weight_bytes(dense, "bf16") - 2 * table)


def test_expert_rows_are_whole_tiles_by_hand(catalog):
    # gpt-oss-120b: 128 experts, top-4, 64-row tiles (physics.yaml moe_tile_tokens)
    m = catalog.get_model("gpt-oss-120b")
    assert perf.MOE_TILE_TOKENS == 64 and (m.num_experts, m.experts_per_token) == (128, 4)
    assert perf.expert_rows(m, 0.0) == 0.0
    # 64 decode tokens send m = 2 tokens to each expert on average: the experts touched (1 - e^-2 of them)
    # each compute one 64-row tile
    assert perf.expert_rows(m, 64) == pytest.approx(128 * 64 * (1 - math.exp(-2)))
    # 32,768 prompt tokens: m = 1,024 per expert, 16 tiles filled plus half a tile on average (+3%)
    rows = perf.expert_rows(m, 32_768)
    assert rows == pytest.approx(128 * 64 * (16 + 0.5 * (1 - math.exp(-16))))
    assert 32_768 * 4 < rows < 32_768 * 4 * 1.04
    # never fewer rows than tokens x k, and a falling share of padding as the batch grows
    shares = [perf.expert_rows(m, t) / (t * 4) for t in (1, 10, 100, 1_000, 10_000, 100_000)]
    assert all(s >= 1 for s in shares) and shares == sorted(shares, reverse=True)


def test_memory_fit_by_hand(catalog, simple_stack):
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    fit = perf.memory_fit(cfg, 2000)
    total_gb = 141 * 2**30 / 1e9  # 151.4 GB: vendor "GB" of HBM are GiB
    # TensorRT-LLM: 90% of what weights, its 551 MiB runtime reserve and the activation workspace for
    # max_num_tokens 8192 (2 B x 8192 x hidden 8192 x (4 + 6 / TP1)) leave; one GPU, so no NCCL buffers
    reserve_gb = 0.538 * 2**30 / 1e9 + 2 * 8192 * 8192 * 10 / 1e9
    # weights: 70.55 B at 1 B, the embedding table and LM head (2 x 128,256 x 8,192) at BF16's 2 B
    weights_gb = 70.55 + 2 * 128_256 * 8_192 / 1e9
    kv_gb = 0.9 * (total_gb - weights_gb - reserve_gb)
    assert fit.fits
    assert fit.kv_cache_gb == pytest.approx(kv_gb, rel=1e-4)
    # 2,000 tokens are 63 blocks of 32 (2,016 tokens) of 163,840 B each (80 layers x 8 KV heads x 128 x 2, FP8)
    assert fit.max_sequences == int(kv_gb * 1e9 // (163_840 * 2016))


def test_does_not_fit_says_why(catalog, simple_stack):
    cfg = ReplicaConfig(catalog.get_model("llama-3.1-405b"), catalog.get_hardware("h100-sxm"),
                        simple_stack, "bf16", "bf16", tp=1)
    fit = perf.memory_fit(cfg, 1000)
    assert not fit.fits
    assert "weights need 812 GB at bf16" in fit.reason


def pnorm(m, c):
    """physics.yaml roofline_overlap_exponent p = 1.5: (m^1.5 + c^1.5)^(1/1.5)."""
    return (m ** 1.5 + c ** 1.5) ** (1 / 1.5)


def test_operator_is_a_p_norm_of_memory_and_compute():
    # physics.yaml roofline_overlap_exponent p = 1.5; never faster than max(m, c), never slower than m + c
    assert perf.OVERLAP_P == 1.5
    assert perf.operator_s(3.0, 4.0) == pytest.approx(13.196152422706632 ** (2 / 3))  # 3^1.5 + 4^1.5 = 13.196
    assert 4.0 < perf.operator_s(3.0, 4.0) < 7.0
    assert perf.operator_s(3.0, 0.0) == pytest.approx(3.0, rel=1e-12)


# Llama 3.3 70B's input embedding table and LM head (untied): vocabulary 128,256 x hidden 8,192 each. The
# embedding is a lookup (no FLOPs); the LM head runs for decode tokens and each prompt's last token only.
TABLE = 128_256 * 8_192
DECODE_FLOPS_PER_TOKEN = 2 * (70.55e9 - TABLE)


def test_decode_step_memory_bound_by_hand(catalog, simple_stack):
    # llama-3.3-70b fp8 on one H200, batch 1, context 1000; each operator (m^1.5 + c^1.5)^(1/1.5):
    # weights 70.55e9 B / (4.8e12 x 0.5) with 2 x (70.55e9 - embedding) FLOPs at 1978e12 x 0.5;
    # KV 163,840 x 1000 B / (4.8e12 x 0.25) with 4 x 8192 x 80 x 1000 FLOPs at 1978e12 x 0.5 (FP8 KV); + 1 ms
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    expected = (pnorm(70.55e9 / 2.4e12, DECODE_FLOPS_PER_TOKEN / 989e12)
                + pnorm(163_840 * 1000 / 1.2e12, 4 * 8192 * 80 * 1000 / 989e12) + 1e-3)
    assert perf.decode_step_s(cfg, 1, 1000) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(70.55e9 / 2.4e12 + 163_840 * 1000 / 1.2e12 + 1e-3, rel=1e-3)  # memory-bound


def test_decode_step_operators_add_at_large_batch(catalog, simple_stack):
    # batch 4096, context 1: the GEMMs are compute-bound (2 x (70.55e9 - embedding) x 4096 FLOPs at 1978e12 x 0.5)
    # while attention is KV-read-bound (4096 x 163,840 B at 4.8e12 x 0.25): each operator takes its
    # own p-norm and the operators add (one roofline over the whole step would hide the KV read)
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    gemm = pnorm(70.55e9 / 2.4e12, DECODE_FLOPS_PER_TOKEN * 4096 / (1978e12 * 0.5))
    kv = pnorm(4096 * 163_840 / 1.2e12, 4096 * 4 * 8192 * 80 / 989e12)
    assert gemm > 70.55e9 / 2.4e12
    assert perf.decode_step_s(cfg, 4096, 1) == pytest.approx(gemm + kv + 1e-3, rel=1e-9)


def test_fp4_peak_only_for_gemms(catalog, simple_stack):
    # attention runs at the KV cache's precision (FP8 here), not at the FP4 peak
    hw = catalog.get_hardware("b200")
    cfg = ReplicaConfig(catalog.get_model("llama-3.3-70b"), hw, simple_stack, "fp4", "fp8", tp=1)
    _, _, gemm, attention, _ = cfg.rates
    assert gemm == pytest.approx(hw.sustained_tflops("fp4") * 1e12 * 0.5)
    assert attention == pytest.approx(hw.sustained_tflops("fp8") * 1e12 * 0.5)


def test_activation_traffic_is_not_split_across_ranks(catalog, simple_stack):
    # 1,000 tokens x 8192 hidden x 80 layers x 20 B on every rank, at 4.8e12 x 0.5 B/s
    import dataclasses
    stack = dataclasses.replace(simple_stack, activation_bytes_per_layer=20.0)
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    one = ReplicaConfig(m, hw, stack, "fp8", "fp8", tp=1)
    base = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    extra = perf.decode_step_s(one, 1000, 1) - perf.decode_step_s(base, 1000, 1)
    assert extra == pytest.approx(1000 * 8192 * 80 * 20 / 2.4e12, rel=1e-9)


def test_allreduce_from_measured_collective_table(catalog, simple_stack):
    # tp=2 on H100 (collectives.yaml nvlink4-nvswitch: 8 us, busbw 360 GB/s at 2 GPUs),
    # 10 tokens of 8192 x 2 bytes: 8 us + 163,840 x 2 (1/2) / 360e9 per all-reduce; two per layer
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h100-sxm")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=2)
    one = 8e-6 + 163_840 / 360e9
    assert perf.allreduce_s(cfg, 10) == pytest.approx(160 * one)
    assert perf.allreduce_s(ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1), 10) == 0.0


def test_pcie_all_reduce_is_far_slower_than_nvlink(catalog, simple_stack):
    m = catalog.get_model("llama-3.3-70b")
    nvlink = ReplicaConfig(m, catalog.get_hardware("h100-sxm"), simple_stack, "fp8", "fp8", tp=4)
    pcie = ReplicaConfig(m, catalog.get_hardware("l40s"), simple_stack, "fp8", "fp8", tp=4)
    assert perf.allreduce_s(pcie, 1024) > 20 * perf.allreduce_s(nvlink, 1024)


def test_prefill_by_hand(catalog, simple_stack):
    # 2,000-token prompt, one H200: compute 2 x (70.55e9 - embedding - LM head) x 2000 + the LM head for the
    # last token only + causal attention
    # 4 x 8192 x 80 x 2000^2 / 2, at 1978e12 x 0.5 FLOP/s; + 1 ms
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    # the GEMMs' weight read (70.55e9 B at 4.8e12 x 0.5) joins their compute as (m^1.5 + c^1.5)^(1/1.5)
    gemm = pnorm(70.55e9 / 2.4e12, (2 * (70.55e9 - 2 * TABLE) * 2000 + 2 * TABLE * 1) / 989e12)
    attention = 4 * 8192 * 80 * 2000 ** 2 / 2 / 989e12
    assert perf.prefill_s(cfg, 2000) == pytest.approx(gemm + attention + 1e-3, rel=1e-9)


def test_operating_point_throughput_is_batch_over_tpot(catalog, simple_stack):
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    p = perf.operating_point(cfg, 64, 1000, 200)
    assert p.output_tokens_per_s == pytest.approx(64 / (p.tpot_ms / 1e3))
    # prompts riding along make an iteration slower than pure decode
    assert p.tpot_ms > p.decode_step_ms
    assert p.ttft_ms > p.prefill_ms


def test_best_under_slo_is_largest_feasible_batch(catalog, simple_stack):
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    for ttft_ms, tpot_ms in ((2000, 50), (2000, 10_000), (600, 10_000)):  # TPOT binds, then TTFT (slot wait)
        best = perf.best_under_slo(cfg, 1000, 200, ttft_ms=ttft_ms, tpot_ms=tpot_ms)
        # the limit holds for the p95 request's TPOT, which is above the mean
        assert best.tpot_judged_ms <= tpot_ms and best.ttft_ms <= ttft_ms and best.tpot_ms < best.tpot_judged_ms
        # judged as sizing judges any batch (serving_point: Poisson arrivals, slot wait included)
        assert perf.serving_point(cfg, best.batch_size, 1000, 200) == best
        above = perf.serving_point(cfg, best.batch_size + 1, 1000, 200)
        assert above.tpot_judged_ms > tpot_ms or above.ttft_ms > ttft_ms
    assert perf.best_under_slo(cfg, 1000, 200, ttft_ms=2000, tpot_ms=1) is None


def test_tpot_tail_grows_with_the_prompts_that_join_a_request(catalog, simple_stack):
    # a request's p95 TPOT is its mean x (1 + the measured spread) plus the prompts prefilled in its iterations:
    # longer prompts at the same batch put more prefill in them, so the tail stands further above the mean
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    spread, _ = perf.tpot_spread(0.95)
    tails = []
    for input_tokens in (200, 8000):
        p = perf.operating_point(cfg, 16, input_tokens, 200)
        assert p.tpot_tail_ms > p.tpot_ms * (1 + spread)
        assert p.output_tokens_per_s_per_user == pytest.approx(1000 / p.tpot_tail_ms)
        tails.append(p.tpot_tail_ms / p.tpot_ms)
    assert tails[1] > tails[0] + 0.05
    # judged at p99 (MLPerf's limits) the tail is longer; at the median request it is the mean
    shape99 = perf._Shape(cfg, 8000, 200, 0.0, latency_quantile=0.99)
    shape50 = perf._Shape(cfg, 8000, 200, 0.0, latency_quantile=0.5)
    assert shape99.point(16).tpot_tail_ms > perf.operating_point(cfg, 16, 8000, 200).tpot_tail_ms
    assert shape50.point(16).tpot_tail_ms == pytest.approx(shape50.point(16).tpot_ms)


def test_prefix_cache_hits_cut_ttft(catalog, simple_stack):
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    cold = perf.operating_point(cfg, 32, 4000, 200)
    warm = perf.operating_point(cfg, 32, 4000, 200, cached_input_fraction=0.5)
    assert warm.ttft_ms < cold.ttft_ms and warm.output_tokens_per_s > cold.output_tokens_per_s


def test_fp4_and_int4_compute_paths(catalog):
    b200, h100 = catalog.get_hardware("b200"), catalog.get_hardware("h100-sxm")
    assert b200.tflops("fp4") == 9000 and b200.runs("fp4")
    assert not h100.runs("fp4")
    assert h100.tflops("int4") == 989  # weight-only int4 runs its matmuls in bf16
    assert not math.isnan(h100.tflops("fp8"))


def test_power_capped_cards_compute_at_most_what_their_tdp_allows(catalog):
    # Energy roofline: a 400 W H100 NVL (same GH100 die as the 700 W H100 SXM) sustains at most
    # 1978 x 400 / 700 = 1130 dense FP8 TFLOPS, below its datasheet 1670.5; the SXM keeps its own peak.
    nvl, sxm = catalog.get_hardware("h100-nvl"), catalog.get_hardware("h100-sxm")
    assert nvl.power_reference == "h100-sxm"
    assert nvl.sustained_tflops("fp8") == pytest.approx(1978 * 400 / 700)
    assert nvl.sustained_tflops("fp8") < nvl.tflops("fp8")
    assert sxm.sustained_tflops("fp8") == sxm.tflops("fp8")
    # a part whose power allows more than its datasheet peak is never raised above it (H200 NVL: 600 W of 700)
    h200_nvl = catalog.get_hardware("h200-nvl")
    assert h200_nvl.sustained_tflops("fp8") == h200_nvl.tflops("fp8")


def test_power_reference_must_name_a_catalog_part():
    from engine.catalog.catalog import _with_power_limits, load_catalog
    import dataclasses
    from types import MappingProxyType
    hw = dict(load_catalog().hardware)
    hw["h100-nvl"] = dataclasses.replace(hw["h100-nvl"], power_reference="h100-sxm5")
    with pytest.raises(ValueError, match="h100-sxm5"):
        _with_power_limits(MappingProxyType(hw))


def test_power_capped_card_serves_fewer_tokens_than_at_its_datasheet_peak(catalog):
    # What a buyer of H100 NVL cards checks: the compute-bound batch runs no faster than the power cap allows.
    import dataclasses
    from engine.physics.predict import predict
    nvl = catalog.get_hardware("h100-nvl")
    uncapped = dataclasses.replace(catalog, hardware={**catalog.hardware,
                                                      "h100-nvl": dataclasses.replace(nvl, power_limited_fractions=())})
    capped_tok_s = predict(catalog, "llama-3.3-70b", "h100-nvl", "fp8", 4, 1024, 256).output_tokens_per_s
    peak_tok_s = predict(uncapped, "llama-3.3-70b", "h100-nvl", "fp8", 4, 1024, 256).output_tokens_per_s
    assert capped_tok_s < peak_tok_s


def test_prompts_arrive_whole_when_fewer_than_one_per_iteration(catalog, simple_stack):
    # 64 sequences of 2,000 output tokens: 64 / 2,000 = 0.032 prompts finish and arrive per iteration, so
    # 3.2% of the iterations carry one whole 4,000-token prompt and the rest decode alone.
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    p = perf.operating_point(cfg, 64, 4000, 2000)
    context = 4000 + 2000 / 2
    decode = perf.iteration_s(cfg, 64, context)
    carrying = perf.iteration_s(cfg, 64, context, 4000, perf.prompt_attention_flops(m, 4000), prompt_tokens=4000)
    assert p.tpot_ms / 1e3 == pytest.approx(0.032 * carrying + 0.968 * decode, rel=1e-9)
    # never faster than the same prompt tokens spread evenly over every iteration
    fluid = perf.iteration_s(cfg, 64, context, 0.032 * 4000, 0.032 * perf.prompt_attention_flops(m, 4000),
                             prompt_tokens=4000)
    assert p.tpot_ms / 1e3 > fluid


def test_prompts_arrive_in_every_iteration_at_large_batch(catalog, simple_stack):
    # 600 sequences of 200 output tokens: 3 prompts arrive per iteration, every iteration carries them.
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    p = perf.operating_point(cfg, 600, 1000, 200)
    expected = perf.iteration_s(cfg, 600, 1100, 3 * 1000, 3 * perf.prompt_attention_flops(m, 1000),
                                prompt_tokens=1000)
    assert p.tpot_ms / 1e3 == pytest.approx(expected, rel=1e-9)


def test_tensorrt_llm_reserves_sliding_window_layers_the_whole_sequence(catalog):
    # gpt-oss-120b alternates 18 full and 18 sliding (128-token) layers. At 6,300 tokens a stack that keeps
    # only the window (vLLM) needs (18 x 6,300 + 18 x 128) token-layers per sequence; TensorRT-LLM, whose KV
    # manager sizes sliding layers like full ones, 36 x 6,300: it holds about half as many sequences.
    m, hw = catalog.get_model("gpt-oss-120b"), catalog.get_hardware("b200")
    trt, vllm = catalog.get_stack("tensorrt-llm"), catalog.get_stack("vllm")
    assert not trt.kv_cache_window_aware and vllm.kv_cache_window_aware
    per_token_layer = 2 * 8 * 64  # fp8: K and V, 8 KV heads x 64 dims, 1 byte
    assert perf.kv_bytes_per_sequence(m, "fp8", 6300, window_aware=False) == 36 * 6300 * per_token_layer
    assert perf.kv_bytes_per_sequence(m, "fp8", 6300) == (18 * 6300 + 18 * 128) * per_token_layer
    same_memory = dataclasses.replace(vllm, kv_cache_free_fraction=trt.kv_cache_free_fraction,
                                      kv_cache_fraction_of=trt.kv_cache_fraction_of,
                                      runtime_reserve_gib=trt.runtime_reserve_gib,
                                      tokens_per_block=trt.tokens_per_block, max_num_tokens=trt.max_num_tokens)
    held_trt = perf.memory_fit(ReplicaConfig(m, hw, trt, "fp4", "fp8"), 6300).max_sequences
    held_vllm = perf.memory_fit(ReplicaConfig(m, hw, same_memory, "fp4", "fp8"), 6300).max_sequences
    assert held_trt / held_vllm == pytest.approx((18 * 6300 + 18 * 128) / (36 * 6300), rel=0.01)
    # attention still reads only the window, whatever the stack reserves
    cfg = ReplicaConfig(m, hw, trt, "fp4", "fp8")
    vcfg = ReplicaConfig(m, hw, dataclasses.replace(trt, kv_cache_window_aware=True), "fp4", "fp8")
    assert perf.decode_step_s(cfg, 64, 6300) == perf.decode_step_s(vcfg, 64, 6300)


def _erlang_c(c: int, rho: float) -> float:
    """Exact probability of waiting in M/M/c at occupancy rho (offered load a = rho c), summed in log space."""
    a = rho * c
    terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(c)]
    last = c * math.log(a) - math.lgamma(c + 1) - math.log(1 - rho)
    top = max(terms + [last])
    below = sum(math.exp(t - top) for t in terms)
    return math.exp(last - top) / (below + math.exp(last - top))


@pytest.mark.parametrize("slots, rho", [(1, 0.5), (2, 0.25), (4, 0.25), (17, 0.6), (64, 0.9), (65, 0.9),
                                        (200, 0.9), (1000, 0.95), (1000, 0.97)])
def test_slot_wait_is_erlang_c(slots, rho):
    # P(wait) against the exact Erlang C sum: exact up to 64 slots, Halfin-Whitt's approximation above
    exact = _erlang_c(slots, rho)
    approx = perf.wait_probability(slots, rho)
    if slots <= perf.EXACT_ERLANG_SLOTS:
        assert approx == pytest.approx(exact, rel=1e-9)
    else:
        assert approx == pytest.approx(exact, abs=0.012)
    # the wait's p95: exponential of rate c (1 - rho) / hold beyond P(wait); hold 10 s
    wait = perf.slot_wait_s(rho * slots, slots, 10.0, 0.95)
    assert wait == pytest.approx(max(math.log(approx / 0.05), 0.0) * 10.0 / (slots * (1 - rho)), rel=1e-12)


def test_batch_under_poisson_arrivals_stays_below_the_slots_it_holds(catalog, simple_stack):
    # a 70B replica on one H200 holds `upper` sequences; with a lenient TPOT target only TTFT binds, and random
    # arrivals keep the batch some way below the cap: the wait for a free slot would break the TTFT target
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h200")
    cfg = ReplicaConfig(m, hw, simple_stack, "fp8", "fp8", tp=1)
    upper, _ = perf.max_batch(cfg, 1000, 200)
    best = perf.best_under_slo(cfg, 1000, 200, ttft_ms=2000, tpot_ms=10_000)
    assert 0.5 * upper < best.batch_size < upper
    # one more sequence misses the TTFT target: the slot wait decides, as in the p95 formula by hand
    hold_s = 200 * perf.serving_point(cfg, best.batch_size + 1, 1000, 200).tpot_ms / 1e3
    rho = (best.batch_size + 1) / upper
    by_hand = math.log(perf.wait_probability(upper, rho) / 0.05) * hold_s / (upper * (1 - rho))
    assert perf.slot_wait_s(best.batch_size + 1, upper, hold_s, 0.95) == pytest.approx(by_hand)
    assert perf.serving_point(cfg, best.batch_size + 1, 1000, 200).ttft_ms > 2000
    assert perf.slot_wait_s(upper, upper, 1.0, 0.95) == math.inf
    assert perf.slot_wait_s(upper / 2, upper, 1.0, 0.95) == 0.0
    # an offline benchmark keeps the batch full (max_throughput: a closed loop, no slot wait)
    assert perf.max_throughput(cfg, 1000, 200).batch_size == upper


def test_batch_search_returns_the_last_feasible_batch_on_any_monotone_curve():
    # the search guesses crossings from lines through its points; on random monotone TPOT and TTFT curves
    # (flat stretches, steep ends, infinite TTFT at the cap, limits equal to a value) it must return exactly
    # the largest batch meeting both limits, as a scan does
    import random

    rng = random.Random(12)
    for _ in range(3000):
        upper = rng.choice([1, 2, 3, 7, 64, 500, 4096])
        tpot = [rng.uniform(1, 20)]
        ttft = [rng.uniform(10, 200)]
        for _ in range(upper):
            tpot.append(tpot[-1] + rng.choice([0.0, rng.uniform(0, 0.5), rng.uniform(0, 5)]))
            ttft.append(ttft[-1] + rng.choice([0.0, rng.uniform(0, 2), rng.uniform(0, 50)]))
        if rng.random() < 0.5:
            ttft[upper] = math.inf
        tpot_ms = rng.choice([rng.uniform(1, 40), tpot[rng.randrange(upper + 1)]])
        ttft_ms = rng.choice([rng.uniform(10, 2000), ttft[rng.randrange(upper + 1)]])

        def point(b):
            return perf.OperatingPoint(b, ttft[b], tpot[b], b / tpot[b], 0.0, tpot[b])

        feasible = [b for b in range(1, upper + 1) if tpot[b] <= tpot_ms and ttft[b] <= ttft_ms]
        expected = feasible[-1] if feasible and feasible[0] == 1 else None
        found = perf._last_feasible_batch(point, upper, ttft_ms, tpot_ms)
        assert (found.batch_size if found else None) == expected


def test_static_batching_waits_for_the_running_batch_at_the_asked_quantile(catalog):
    # a request arriving at random waits uniformly over one cycle of the running batch: its q-quantile is q cycles
    m, hw = catalog.get_model("llama-3.1-8b"), catalog.get_hardware("h100-sxm")
    cfg = ReplicaConfig(m, hw, catalog.get_stack("naive"), "bf16", "bf16", tp=1)
    p95 = perf._Shape(cfg, 1000, 200, 0.0, latency_quantile=0.95).point(8)
    p99 = perf._Shape(cfg, 1000, 200, 0.0, latency_quantile=0.99).point(8)
    cycle_ms = p95.prefill_ms + 200 * p95.decode_step_ms
    assert p99.ttft_ms - p95.ttft_ms == pytest.approx(0.04 * cycle_ms)
    assert p99.tpot_ms == p95.tpot_ms and p99.tpot_judged_ms > p95.tpot_judged_ms > p95.tpot_ms
