"""Memory accounting of a replica (perf.memory_fit, perf.max_batch) against hand calculations.

The figures a user sees: the largest batch a stack runs a model at on given accelerators, and whether the
model fits at all. Stack defaults come from stacks.yaml (each with its source), NCCL buffers and the
activation workspace's coefficients from physics.yaml.
"""
import dataclasses

import pytest

from engine.physics import perf
from engine.physics.perf import ReplicaConfig
from engine.physics.predict import predict

pytestmark = pytest.mark.unit

GIB_GB = 2**30 / 1e9
H100_GB = 80 * GIB_GB  # 85.9 GB: vendor "GB" of HBM are GiB
# Llama 3.x 70B served at FP8: 70.55 B weights (models.yaml), of which the input embedding and the LM head
# are 128,256 x 8,192 = 1,050,673,152 each and stay BF16 (2 B); the decoder's 68.45 B weights take 1 B
EMBEDDING = 128_256 * 8_192
LLAMA_70B_FP8_GB = ((70.55e9 - 2 * EMBEDDING) * 1 + 2 * EMBEDDING * 2) / 1e9  # 72.65 GB
KV_FP8_70B = 163_840  # 80 layers x 8 KV heads x 128 dims x 2 (K, V) x 1 byte, per token


def workspace_gb(tokens, hidden, tp):
    """aiconfigurator's activation workspace: 2 B x tokens x hidden x (4 + 6 / tp) [GB]."""
    return 2 * tokens * hidden * (4 + 6 / tp) / 1e9


def test_tensorrt_llm_takes_its_fraction_of_the_free_memory_vllm_of_the_whole(catalog):
    # Llama 3.3 70B FP8 on one H100, 2,000-token sequences. TensorRT-LLM: 90% of what the weights, its
    # 551 MiB runtime reserve and an 8,192-token activation workspace leave; vLLM: 90% of the whole 80 GiB,
    # less the weights, its 2 GiB reserve and the same workspace. The user-visible effect: TensorRT-LLM runs
    # 30 such sequences at once, vLLM 3.
    m, hw = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h100-sxm")
    trt, vllm = catalog.get_stack("tensorrt-llm"), catalog.get_stack("vllm")
    workspace = workspace_gb(8192, 8192, 1)
    trt_kv = 0.9 * (H100_GB - LLAMA_70B_FP8_GB - 0.538 * GIB_GB - workspace)
    vllm_kv = 0.9 * H100_GB - LLAMA_70B_FP8_GB - 2.0 * GIB_GB - workspace
    trt_fit = perf.memory_fit(ReplicaConfig(m, hw, trt, "fp8", "fp8"), 2000)
    vllm_fit = perf.memory_fit(ReplicaConfig(m, hw, vllm, "fp8", "fp8"), 2000)
    assert trt_fit.kv_cache_gb == pytest.approx(trt_kv, rel=1e-3)
    assert vllm_fit.kv_cache_gb == pytest.approx(vllm_kv, rel=1e-3)
    # TensorRT-LLM's blocks hold 32 tokens (2,000 -> 2,016), vLLM's 16 (2,000 exactly)
    assert trt_fit.max_sequences == int(trt_kv * 1e9 // (KV_FP8_70B * 2016)) == 30
    assert vllm_fit.max_sequences == int(vllm_kv * 1e9 // (KV_FP8_70B * 2000)) == 3
    assert perf.max_batch(ReplicaConfig(m, hw, vllm, "fp8", "fp8"), 1000, 1000) == (3, "")


def test_paged_blocks_round_each_sequence_up(catalog):
    trt, vllm, sglang = (catalog.get_stack(s) for s in ("tensorrt-llm", "vllm", "sglang"))
    assert perf.kv_tokens_held(trt, 2000) == 2016  # 63 blocks of 32
    assert perf.kv_tokens_held(vllm, 2001) == 2016  # 126 blocks of 16
    assert perf.kv_tokens_held(sglang, 2001) == 2001  # token-level pool


def test_nccl_buffers_only_when_the_replica_spans_accelerators(catalog):
    m, hw, trt = catalog.get_model("llama-3.3-70b"), catalog.get_hardware("h100-sxm"), catalog.get_stack("tensorrt-llm")
    one = perf.non_kv_bytes_per_accelerator(ReplicaConfig(m, hw, trt, "fp8", "fp8", tp=1))
    four = perf.non_kv_bytes_per_accelerator(ReplicaConfig(m, hw, trt, "fp8", "fp8", tp=4))
    # TP4: NCCL's 392 MiB appear, the workspace shrinks from (4 + 6) to (4 + 6/4) x 2 B x 8192 x 8192
    assert four - one == pytest.approx(0.383 * 2**30 + 2 * 8192 * 8192 * (5.5 - 10), rel=1e-3)


def test_token_budget_caps_the_batch_of_long_prompts(catalog):
    # Llama 3.1 8B FP8 on an H200, 2,048-token prompts and 128-token answers: every iteration carries each
    # sequence's token plus 1/128 of a 2,048-token prompt per sequence, 17 tokens per sequence; TensorRT-LLM's
    # max_num_tokens 8,192 then allows 8,192 / 17 = 481 sequences, far fewer than memory holds.
    m, hw, trt = catalog.get_model("llama-3.1-8b"), catalog.get_hardware("h200"), catalog.get_stack("tensorrt-llm")
    cfg = ReplicaConfig(m, hw, trt, "fp8", "fp8")
    held = perf.memory_fit(cfg, 2048 + 128).max_sequences
    assert held > 800
    assert perf.max_batch(cfg, 2048, 128) == (481, "")
    # trtllm-bench sizes its token budget to the workload (up to 32,768): memory binds again
    bench = ReplicaConfig(m, hw, trt.as_benchmarked(), "fp8", "fp8")
    # (its KV fraction 0.95, a workspace for the batch the cache holds: 912 x 17 = 15,504 tokens)
    first = perf.memory_fit(bench, 2176, 2048).max_sequences
    budget = min(first * 17, 32768)
    assert perf.max_batch(bench, 2048, 128)[0] == perf.memory_fit(bench, 2176, budget).max_sequences > held
    # and it caps the whole replica at 4,096 sequences (128 / 128 tokens: memory holds far more)
    assert perf.max_batch(bench, 128, 128)[0] == 4096
    assert perf.max_batch(cfg, 128, 128)[0] == 2048  # a deployment's max_batch_size default


def test_vllm_uses_smaller_limits_below_70_gib_and_on_a100(catalog):
    # vllm/engine/arg_utils.py: max_num_seqs 1024 / max_num_batched_tokens 8192 on >= 70 GiB GPUs other than
    # A100, 256 / 2048 otherwise. Llama 3.1 8B FP8, 128 / 128 tokens (2 tokens per sequence per iteration):
    vllm, m = catalog.get_stack("vllm"), catalog.get_model("llama-3.1-8b")
    assert vllm.limits_on(catalog.get_hardware("l40s")) == (256, 2048)
    assert vllm.limits_on(catalog.get_hardware("a100-80gb")) == (256, 2048)
    assert vllm.limits_on(catalog.get_hardware("h100-sxm")) == (1024, 8192)
    assert perf.max_batch(ReplicaConfig(m, catalog.get_hardware("l40s"), vllm, "fp8", "fp8"), 128, 128) == (256, "")
    assert perf.max_batch(ReplicaConfig(m, catalog.get_hardware("h100-sxm"), vllm, "fp8", "fp8"), 128, 128) == (1024, "")


def test_the_runtime_reserve_decides_whether_a_model_fits(catalog):
    # Llama 3.1 70B FP8 on one H100 under vLLM, 3,000-token sequences (0.49 GB of KV each):
    # 0.9 x 85.90 - 72.66 - 2.15 - 1.34 = 1.17 GB of KV cache, two sequences. With a runtime reserve
    # 1 GiB larger it no longer fits one GPU, and the prediction says why.
    vllm = catalog.get_stack("vllm")
    kv_gb = 0.9 * H100_GB - LLAMA_70B_FP8_GB - 2.0 * GIB_GB - workspace_gb(8192, 8192, 1)
    assert int(kv_gb * 1e9 // (KV_FP8_70B * 3000)) == 2
    p = predict(catalog, "llama-3.1-70b", "h100-sxm", "fp8", 1, 2000, 1000, "vllm")
    assert p.fits and p.batch_size == 2
    heavy = dataclasses.replace(vllm, runtime_reserve_gib=3.0)
    bigger = dataclasses.replace(catalog, stacks={**catalog.stacks, "vllm": heavy})
    p = predict(bigger, "llama-3.1-70b", "h100-sxm", "fp8", 1, 2000, 1000, "vllm")
    assert not p.fits and "KV cache" in p.reason


def test_quantised_checkpoints_keep_embeddings_and_lm_head_in_bf16(catalog):
    # Llama 3.1 8B: 128,256 x 4,096 = 525,336,576 weights in the input table and as many in the LM head
    m = catalog.get_model("llama-3.1-8b")
    table = 128_256 * 4_096
    assert perf.embedding_params(m) == (table, table)
    assert perf.weight_bytes(m, "fp8") == pytest.approx((8.03e9 - 2 * table) * 1 + 2 * table * 2)
    assert perf.weight_bytes(m, "bf16") == pytest.approx(8.03e9 * 2)
    # a decode step streams the LM head but only the looked-up rows of the input table
    assert perf.weight_bytes_read(m, "bf16", 1) == pytest.approx((8.03e9 - table) * 2)
    # gemma-3's LM head is its input table: stored once, read every step
    g = catalog.get_model("gemma-3-27b")
    assert perf.embedding_params(g)[0] == 0.0
    assert perf.weight_bytes_read(g, "bf16", 1) == perf.weight_bytes(g, "bf16")
