"""MoE physics of engine/physics/perf.py against cases computed by hand: the released MXFP4 checkpoint's
weight format, and the attention data-parallel + expert-parallel layout (memory per rank, all-to-all)."""
import pytest

from engine.physics import perf
from engine.physics.calibration import load_cases, run_case
from engine.physics.perf import ReplicaConfig

pytestmark = pytest.mark.unit

GPT_OSS_ROUTED = 114.662e9  # models.yaml: 36 MoE layers x 128 experts x 3 x 2880 x 2880
GPT_OSS_OTHER = 117e9 - GPT_OSS_ROUTED  # attention, router, embeddings


def test_gpt_oss_weights_mxfp4_experts_with_scales_and_bf16_rest(catalog):
    # MXFP4: 4 bits + one E8M0 scale byte per 32 values = 0.53125 B per expert weight; the rest BF16
    m = catalog.get_model("gpt-oss-120b")
    expected = GPT_OSS_ROUTED * (0.5 + 1 / 32) + GPT_OSS_OTHER * 2
    assert perf.weight_bytes(m, "fp4") == pytest.approx(expected)
    assert expected / 1e9 == pytest.approx(65.59, abs=0.01)  # the ~65 GB checkpoint
    # served at FP8 every decoder weight is one byte (the 4-bit format applies only to the 4-bit checkpoint);
    # the embedding table and LM head (2 x 201,088 x 2,880) stay BF16
    assert perf.weight_bytes(m, "fp8") == pytest.approx(117e9 + 2 * 201_088 * 2_880)


def test_gpt_oss_expert_gemms_at_fp8_on_blackwell_bf16_on_hopper(catalog, simple_stack):
    # W4A8 (MXFP4 x MXFP8) runs at the FP8 rate; attention and embeddings (BF16 weights) at the BF16 rate;
    # Hopper has no FP4 math: W4A16, dequantised to BF16
    import dataclasses
    stack = dataclasses.replace(simple_stack, expert_gemm_efficiency=1.0)
    m = catalog.get_model("gpt-oss-120b")
    b200, h200 = catalog.get_hardware("b200"), catalog.get_hardware("h200")
    dense, expert = ReplicaConfig(m, b200, stack, "fp4", "fp8").gemm_rates
    assert dense == pytest.approx(b200.sustained_tflops("bf16") * 1e12 * 0.5)
    assert expert == pytest.approx(b200.sustained_tflops("fp8") * 1e12 * 0.5)
    dense, expert = ReplicaConfig(m, h200, stack, "fp4", "fp8").gemm_rates
    assert dense == expert == pytest.approx(h200.tflops("bf16") * 1e12 * 0.5)


def test_expert_gemms_reach_a_share_of_dense_gemm_efficiency(catalog, simple_stack):
    # Mixtral at FP8 on H100: dense and expert weights alike, but grouped expert GEMMs run at the
    # stack's expert_gemm_efficiency of the dense rate (0.7 here: 1978 TFLOPS x 0.5 x 0.7)
    import dataclasses
    stack = dataclasses.replace(simple_stack, expert_gemm_efficiency=0.7)
    hw = catalog.get_hardware("h100-sxm")
    dense, expert = ReplicaConfig(catalog.get_model("mixtral-8x7b"), hw, stack, "fp8", "fp8").gemm_rates
    assert dense == pytest.approx(1978e12 * 0.5)
    assert expert == pytest.approx(1978e12 * 0.5 * 0.7)
    # a dense model has no expert GEMMs: its step does not move with the factor
    llama = catalog.get_model("llama-3.3-70b")
    one = ReplicaConfig(llama, hw, dataclasses.replace(stack, expert_gemm_efficiency=1.0), "fp8", "fp8")
    assert perf.decode_step_s(ReplicaConfig(llama, hw, stack, "fp8", "fp8"), 64, 1000) == perf.decode_step_s(one, 64, 1000)


def test_attention_dp_memory_per_rank(catalog, simple_stack):
    # 8 ranks: each holds all 2.338e9 non-expert weights (BF16) and 1/8 of the experts (MXFP4)
    m = catalog.get_model("gpt-oss-120b")
    hw = catalog.get_hardware("b200")
    dp = ReplicaConfig(m, hw, simple_stack, "fp4", "fp8", tp=8, attention_dp=True)
    tp = ReplicaConfig(m, hw, simple_stack, "fp4", "fp8", tp=8)
    experts = GPT_OSS_ROUTED * (0.5 + 1 / 32)
    per_rank = GPT_OSS_OTHER * 2 + experts / 8
    assert perf.replica_weight_bytes(dp) / 8 == pytest.approx(per_rank)
    assert per_rank / 1e9 == pytest.approx(12.29, abs=0.01)
    assert perf.replica_weight_bytes(tp) / 8 == pytest.approx((GPT_OSS_OTHER * 2 + experts) / 8)
    # KV is never duplicated across attention-DP ranks; the same holds for MLA's latent, which TP copies
    ds = catalog.get_model("deepseek-r1")
    assert perf.kv_replication(ds, 8, attention_dp=True) == 1.0
    assert perf.kv_replication(ds, 8) == 8.0
    # the stack's batch cap holds per rank: 8 schedulers
    batch, _ = perf.max_batch(dp, 1000, 1000)
    fit = perf.memory_fit(dp, 2000)
    # ... and so does its token budget: 1 + 1,000 / 1,000 tokens per sequence and iteration
    assert batch == min(fit.max_sequences, 8 * simple_stack.max_batch, 8 * (simple_stack.max_num_tokens // 2))


def test_attention_dp_kv_cache_is_what_the_replicated_weights_leave(catalog, simple_stack):
    m = catalog.get_model("deepseek-r1")
    hw = catalog.get_hardware("b200")
    dp = ReplicaConfig(m, hw, simple_stack, "fp4", "fp8", tp=8, attention_dp=True)
    fit = perf.memory_fit(dp, 4000)
    total_gb = 8 * hw.memory_gb * 2**30 / 1e9
    table = 129_280 * 7_168  # input embedding and LM head each, kept BF16
    weights_gb = (653.909e9 * 0.5 + 8 * ((671e9 - 653.909e9 - 2 * table) * 0.5 + 2 * table * 2)) / 1e9
    assert fit.weights_gb == pytest.approx(weights_gb)
    # per rank: the runtime reserve, NCCL buffers and the activation workspace of an attention-DP rank (its
    # dense layers are not split: 4 + 6 / 1), twice a dense model's for MoE: 2 B x 8192 x 7168 x 10 x 2
    reserve_gb = (simple_stack.runtime_reserve_gib + 0.383) * 2**30 / 1e9 + 2 * 8192 * 7168 * 10 * 2 / 1e9
    free = total_gb - weights_gb - 8 * reserve_gb
    assert fit.kv_cache_gb == pytest.approx(simple_stack.kv_cache_free_fraction * free, rel=1e-4)
    assert fit.kv_bytes_per_sequence == 576 * 61 * 4000  # one copy of the FP8 latent


def test_expert_parallel_dispatch_and_combine_traffic(catalog, simple_stack):
    # gpt-oss-120b, 8 x B200 (collectives.yaml nvlink5: all-to-all 864 GB/s, 8 us), 800 tokens in the
    # iteration: 100 per rank, each to 4 experts of 2880 values, 7/8 of them to other ranks; FP8 out
    # (1 + 4/128 B per value with its scales), BF16 back; 36 MoE layers
    m = catalog.get_model("gpt-oss-120b")
    cfg = ReplicaConfig(m, catalog.get_hardware("b200"), simple_stack, "fp4", "fp8", tp=8, attention_dp=True)
    values = 100 * 4 * 2880
    dispatch = 8e-6 + values * (1 + 4 / 128) * 7 / 8 / 864e9
    combine = 8e-6 + values * 2 * 7 / 8 / 864e9
    assert perf.alltoall_s(cfg, 800) == pytest.approx(36 * (dispatch + combine))
    assert perf.communication_s(cfg, 800) == perf.alltoall_s(cfg, 800)
    # the tensor-parallel layout all-reduces instead and has no all-to-all
    tp = ReplicaConfig(m, cfg.hardware, simple_stack, "fp4", "fp8", tp=8)
    assert perf.alltoall_s(tp, 800) == 0.0
    assert perf.communication_s(tp, 800) == perf.allreduce_s(tp, 800) > 0


def test_attention_dp_prompt_runs_whole_on_one_rank(catalog, simple_stack):
    # a lone prompt is prefilled on one attention-DP rank: its dense layers are not split 8 ways,
    # so the DP layout's prefill is slower than the TP layout's
    m = catalog.get_model("gpt-oss-120b")
    hw = catalog.get_hardware("b200")
    dp = ReplicaConfig(m, hw, simple_stack, "fp4", "fp8", tp=8, attention_dp=True)
    tp = ReplicaConfig(m, hw, simple_stack, "fp4", "fp8", tp=8)
    assert perf.prefill_s(dp, 5000) > perf.prefill_s(tp, 5000)


def test_gpt_oss_mlperf_rows_are_expressible(catalog):
    # benchmark_datasets.yaml gpt-oss-120b mean_input_tokens 5010.6 makes every MLPerf row a case
    cases = [c for c in load_cases() if c.model == "gpt-oss-120b" and c.group.startswith("mlperf")]
    scenarios = {c.group for c in cases}
    assert {"mlperf-offline", "mlperf-server", "mlperf-interactive"} <= scenarios
    assert all(c.input_tokens == 5011 for c in cases)
    limited = [c for c in cases if c.latency_limited]
    assert len(limited) >= 29
    for case in limited + [c for c in cases if c.hardware == "h200"]:
        result = run_case(catalog, case)
        assert result.predicted and result.predicted > 0, (case, result.reason)
