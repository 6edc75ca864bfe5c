// Per-tensor types of each file type, as llama.cpp's llama-quantize chooses them, and the
// tensor list of each preset, checked on plans (no file written).
#include <gtest/gtest.h>

#include <map>

#include "synth/model_plan.hpp"

namespace rbee::synth {
namespace {

std::map<std::string, DType> types_of(const std::string& preset, FileType type, std::optional<uint32_t> layers = {}) {
  const ModelPlan plan = plan_model(*find_preset(preset), type, {.layers = layers});
  std::map<std::string, DType> out;
  for (const auto& t : plan.tensors) out[t.name] = t.type;
  return out;
}

bool more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

TEST(SynthMix, FileTypeNamesAndLlamaFtypeIds) {
  EXPECT_EQ(info(*parse_file_type("Q4_K_M")).llama_ftype, 15u);
  EXPECT_EQ(info(*parse_file_type("q8_0")).llama_ftype, 7u);
  EXPECT_EQ(info(*parse_file_type("f16")).llama_ftype, 1u);
  EXPECT_EQ(info(*parse_file_type("bf16")).llama_ftype, 32u);
  EXPECT_EQ(info(*parse_file_type("q3_k_m")).llama_ftype, 12u);
  EXPECT_EQ(info(*parse_file_type("q5_k_m")).llama_ftype, 17u);
  EXPECT_EQ(info(*parse_file_type("q6_k")).llama_ftype, 18u);
  EXPECT_EQ(info(*parse_file_type("q2_k")).llama_ftype, 10u);
  EXPECT_EQ(info(*parse_file_type("iq4_nl")).llama_ftype, 25u);
  EXPECT_EQ(info(*parse_file_type("mxfp4")).llama_ftype, 38u);
  EXPECT_FALSE(parse_file_type("q4_k_s"));
  EXPECT_EQ(file_types().size(), 15u);
}

TEST(SynthMix, Llama32Q4KM) {
  const auto t = types_of("llama-3.2-1b", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q6_K);  // tied: quantized as the output
  EXPECT_FALSE(t.count("output.weight"));
  EXPECT_EQ(t.at("rope_freqs.weight"), DType::F32);
  EXPECT_EQ(t.at("output_norm.weight"), DType::F32);
  for (int i = 0; i < 16; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const DType more = more_bits(i, 16) ? DType::Q6_K : DType::Q4_K;
    EXPECT_EQ(t.at(b + "attn_v.weight"), more) << i;
    EXPECT_EQ(t.at(b + "ffn_down.weight"), more) << i;
    EXPECT_EQ(t.at(b + "attn_q.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_k.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_output.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_gate.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_up.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_norm.weight"), DType::F32);
    EXPECT_EQ(t.at(b + "ffn_norm.weight"), DType::F32);
  }
  // Layers 0, 1 (first eighth), 4, 7, 10, 13 and 14, 15 (last eighth), as in real Q4_K_M files.
  EXPECT_EQ(t.at("blk.4.attn_v.weight"), DType::Q6_K);
  EXPECT_EQ(t.at("blk.5.attn_v.weight"), DType::Q4_K);
}

TEST(SynthMix, Llama31UntiedOutput) {
  const auto t = types_of("llama-3.1-8b", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q4_K);
  EXPECT_EQ(t.at("output.weight"), DType::Q6_K);
  const auto q8 = types_of("llama-3.1-8b", FileType::Q8_0);
  EXPECT_EQ(q8.at("output.weight"), DType::Q8_0);
  EXPECT_EQ(q8.at("token_embd.weight"), DType::Q8_0);
  const auto q40 = types_of("llama-3.1-8b", FileType::Q4_0);
  EXPECT_EQ(q40.at("output.weight"), DType::Q6_K);
  EXPECT_EQ(q40.at("blk.0.ffn_down.weight"), DType::Q4_0);
}

TEST(SynthMix, SmolLM2RowsOf576FallBackLikeLlamaQuantize) {
  // 576 is not a multiple of 256: Q4_K -> Q5_0, Q6_K -> Q8_0; ffn_down rows are 1536 long.
  const auto t = types_of("smollm2-135m", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q8_0);
  EXPECT_EQ(t.at("blk.0.attn_q.weight"), DType::Q5_0);
  EXPECT_EQ(t.at("blk.0.attn_v.weight"), DType::Q8_0);  // Q6_K in a more-bits layer
  EXPECT_EQ(t.at("blk.4.attn_v.weight"), DType::Q5_0);
  EXPECT_EQ(t.at("blk.0.ffn_down.weight"), DType::Q6_K);
  EXPECT_EQ(t.at("blk.4.ffn_down.weight"), DType::Q4_K);
  const auto q2 = types_of("smollm2-135m", FileType::Q2_K);
  EXPECT_EQ(q2.at("blk.3.ffn_gate.weight"), DType::Q4_0);  // Q2_K falls back to Q4_0
  EXPECT_EQ(q2.at("blk.3.ffn_down.weight"), DType::Q3_K);
  EXPECT_EQ(q2.at("blk.3.attn_v.weight"), DType::Q4_0);  // n_gqa 3: Q3_K, which falls back
}

TEST(SynthMix, OtherMixes) {
  const auto q2 = types_of("llama-3.2-1b", FileType::Q2_K);
  EXPECT_EQ(q2.at("blk.3.attn_v.weight"), DType::Q4_K);  // n_gqa 4
  EXPECT_EQ(q2.at("blk.3.attn_output.weight"), DType::Q3_K);
  EXPECT_EQ(q2.at("blk.3.ffn_down.weight"), DType::Q3_K);
  EXPECT_EQ(q2.at("blk.3.ffn_up.weight"), DType::Q2_K);
  EXPECT_EQ(q2.at("token_embd.weight"), DType::Q6_K);

  const auto q3 = types_of("llama-3.1-8b", FileType::Q3_K_M);
  EXPECT_EQ(q3.at("blk.0.attn_v.weight"), DType::Q5_K);
  EXPECT_EQ(q3.at("blk.2.attn_v.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.1.ffn_down.weight"), DType::Q5_K);  // layer < 32/16
  EXPECT_EQ(q3.at("blk.2.ffn_down.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.2.attn_output.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.2.attn_q.weight"), DType::Q3_K);
  EXPECT_EQ(q3.at("output.weight"), DType::Q6_K);

  const auto q5 = types_of("llama-3.1-8b", FileType::Q5_K_M);
  EXPECT_EQ(q5.at("blk.0.attn_v.weight"), DType::Q6_K);
  EXPECT_EQ(q5.at("blk.5.attn_v.weight"), DType::Q5_K);
  EXPECT_EQ(q5.at("blk.6.ffn_down.weight"), DType::Q6_K);

  const auto q6 = types_of("llama-3.1-8b", FileType::Q6_K);
  EXPECT_EQ(q6.at("blk.3.attn_q.weight"), DType::Q6_K);
  EXPECT_EQ(q6.at("output.weight"), DType::Q6_K);

  const auto nl = types_of("llama-3.1-8b", FileType::IQ4_NL);
  EXPECT_EQ(nl.at("blk.9.attn_v.weight"), DType::Q5_K);  // n_gqa 4
  EXPECT_EQ(nl.at("blk.1.ffn_down.weight"), DType::Q5_K);  // first eighth
  EXPECT_EQ(nl.at("blk.9.ffn_down.weight"), DType::IQ4_NL);
  EXPECT_EQ(nl.at("output.weight"), DType::Q6_K);

  // MXFP4_MOE: experts MXFP4, everything else of a dense model Q8_0.
  const auto mx = types_of("llama-3.1-8b", FileType::MXFP4);
  EXPECT_EQ(mx.at("blk.9.attn_v.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("output.weight"), DType::Q8_0);

  for (FileType plain : {FileType::F32, FileType::F16, FileType::BF16}) {
    const auto p = types_of("llama-3.2-1b", plain, 2);
    const DType want = info(plain).default_type;
    EXPECT_EQ(p.at("token_embd.weight"), want);
    EXPECT_EQ(p.at("blk.1.ffn_down.weight"), want);
    EXPECT_EQ(p.at("blk.1.ffn_norm.weight"), DType::F32);
  }
}

TEST(SynthPlan, LlamaTensorNamesAndShapes) {
  const ModelPlan plan = plan_model(*find_preset("llama-3.1-8b"), FileType::F16, {.layers = 2});
  std::map<std::string, std::vector<uint64_t>> ne;
  for (const auto& t : plan.tensors) ne[t.name] = t.ne;
  EXPECT_EQ(plan.tensors.size(), 1 + 1 + 2 * 9 + 1 + 1u);
  EXPECT_EQ(ne.at("token_embd.weight"), (std::vector<uint64_t>{4096, 128256}));
  EXPECT_EQ(ne.at("output.weight"), (std::vector<uint64_t>{4096, 128256}));
  EXPECT_EQ(ne.at("rope_freqs.weight"), (std::vector<uint64_t>{64}));
  EXPECT_EQ(ne.at("blk.1.attn_q.weight"), (std::vector<uint64_t>{4096, 4096}));
  EXPECT_EQ(ne.at("blk.1.attn_k.weight"), (std::vector<uint64_t>{4096, 1024}));
  EXPECT_EQ(ne.at("blk.1.attn_v.weight"), (std::vector<uint64_t>{4096, 1024}));
  EXPECT_EQ(ne.at("blk.1.attn_output.weight"), (std::vector<uint64_t>{4096, 4096}));
  EXPECT_EQ(ne.at("blk.1.ffn_gate.weight"), (std::vector<uint64_t>{4096, 14336}));
  EXPECT_EQ(ne.at("blk.1.ffn_up.weight"), (std::vector<uint64_t>{4096, 14336}));
  EXPECT_EQ(ne.at("blk.1.ffn_down.weight"), (std::vector<uint64_t>{14336, 4096}));
  EXPECT_EQ(ne.at("blk.1.attn_norm.weight"), (std::vector<uint64_t>{4096}));
  EXPECT_EQ(ne.at("blk.1.ffn_norm.weight"), (std::vector<uint64_t>{4096}));
  EXPECT_EQ(ne.at("output_norm.weight"), (std::vector<uint64_t>{4096}));
  EXPECT_EQ(plan.preset.n_layer, 2u);
}

// As llama.cpp's qwen3moe loader creates them (ne order): head_dim 128 makes Q 4096 wide though
// the hidden size is 2048; the router and experts replace the dense FFN.
TEST(SynthPlan, Qwen3MoeTensorNamesAndShapes) {
  const ModelPlan plan = plan_model(*find_preset("qwen3-30b-a3b"), FileType::F16, {.layers = 2});
  std::map<std::string, std::vector<uint64_t>> ne;
  for (const auto& t : plan.tensors) ne[t.name] = t.ne;
  EXPECT_EQ(plan.tensors.size(), 1 + 2 * 12 + 1 + 1u);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(ne.at("token_embd.weight"), (V{2048, 151936}));
  EXPECT_EQ(ne.at("output.weight"), (V{2048, 151936}));
  EXPECT_EQ(ne.at("output_norm.weight"), (V{2048}));
  EXPECT_EQ(ne.at("blk.1.attn_norm.weight"), (V{2048}));
  EXPECT_EQ(ne.at("blk.1.attn_q.weight"), (V{2048, 4096}));
  EXPECT_EQ(ne.at("blk.1.attn_k.weight"), (V{2048, 512}));
  EXPECT_EQ(ne.at("blk.1.attn_v.weight"), (V{2048, 512}));
  EXPECT_EQ(ne.at("blk.1.attn_output.weight"), (V{4096, 2048}));
  EXPECT_EQ(ne.at("blk.1.attn_q_norm.weight"), (V{128}));
  EXPECT_EQ(ne.at("blk.1.attn_k_norm.weight"), (V{128}));
  EXPECT_EQ(ne.at("blk.1.ffn_norm.weight"), (V{2048}));
  EXPECT_EQ(ne.at("blk.1.ffn_gate_inp.weight"), (V{2048, 128}));
  EXPECT_EQ(ne.at("blk.1.ffn_gate_exps.weight"), (V{2048, 768, 128}));
  EXPECT_EQ(ne.at("blk.1.ffn_up_exps.weight"), (V{2048, 768, 128}));
  EXPECT_EQ(ne.at("blk.1.ffn_down_exps.weight"), (V{768, 2048, 128}));
  EXPECT_FALSE(ne.count("blk.1.ffn_gate.weight"));
  EXPECT_FALSE(ne.count("rope_freqs.weight"));
  for (const auto& t : plan.tensors) {
    if (t.name.ends_with("_norm.weight")) EXPECT_EQ(t.init, Init::Ones) << t.name;
  }
}

TEST(SynthPlan, MixtralIsLlamaWithStackedExperts) {
  const ModelPlan plan = plan_model(*find_preset("mixtral-8x7b"), FileType::F16, {.layers = 2});
  EXPECT_EQ(plan.preset.architecture, "llama");
  std::map<std::string, std::vector<uint64_t>> ne;
  for (const auto& t : plan.tensors) ne[t.name] = t.ne;
  EXPECT_EQ(plan.tensors.size(), 1 + 2 * 10 + 1 + 1u);
  using V = std::vector<uint64_t>;
  EXPECT_EQ(ne.at("token_embd.weight"), (V{4096, 32000}));
  EXPECT_EQ(ne.at("output.weight"), (V{4096, 32000}));
  EXPECT_EQ(ne.at("blk.0.attn_k.weight"), (V{4096, 1024}));
  EXPECT_EQ(ne.at("blk.0.ffn_gate_inp.weight"), (V{4096, 8}));
  EXPECT_EQ(ne.at("blk.0.ffn_gate_exps.weight"), (V{4096, 14336, 8}));
  EXPECT_EQ(ne.at("blk.0.ffn_up_exps.weight"), (V{4096, 14336, 8}));
  EXPECT_EQ(ne.at("blk.0.ffn_down_exps.weight"), (V{14336, 4096, 8}));
  EXPECT_FALSE(ne.count("blk.0.attn_q_norm.weight"));
  EXPECT_FALSE(ne.count("blk.0.ffn_down.weight"));
}

TEST(SynthPlan, BadExpertCountsAreRejected) {
  Preset p = *find_preset("mixtral-8x7b");
  p.n_expert_used = 9;
  EXPECT_THROW(plan_model(p, FileType::F16), std::invalid_argument);
  p.n_expert_used = 0;
  EXPECT_THROW(plan_model(p, FileType::F16), std::invalid_argument);
  Preset q = *find_preset("qwen3-30b-a3b");
  q.n_expert = q.n_expert_used = 0;
  EXPECT_THROW(plan_model(q, FileType::F16), std::invalid_argument);
}

// llama_tensor_get_type for experts: "ffn_down" also matches ffn_down_exps (the more-bits layers
// are block indices for MoE models), gate/up experts keep the default type, the router stays F32
// in every file type (never quantized, and converted in F32).
TEST(SynthMix, Qwen3MoeQ4KM) {
  const auto t = types_of("qwen3-30b-a3b", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q4_K);
  EXPECT_EQ(t.at("output.weight"), DType::Q6_K);
  for (int i = 0; i < 48; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const DType more = more_bits(i, 48) ? DType::Q6_K : DType::Q4_K;
    EXPECT_EQ(t.at(b + "ffn_down_exps.weight"), more) << i;
    EXPECT_EQ(t.at(b + "attn_v.weight"), more) << i;
    EXPECT_EQ(t.at(b + "ffn_gate_exps.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_up_exps.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_gate_inp.weight"), DType::F32);
    EXPECT_EQ(t.at(b + "attn_k.weight"), DType::Q4_K);  // 128 experts: not the 8-expert rule
    EXPECT_EQ(t.at(b + "attn_output.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_q_norm.weight"), DType::F32);
    EXPECT_EQ(t.at(b + "attn_k_norm.weight"), DType::F32);
  }
  const auto f16 = types_of("qwen3-30b-a3b", FileType::F16, 1);
  EXPECT_EQ(f16.at("blk.0.ffn_gate_inp.weight"), DType::F32);
  EXPECT_EQ(f16.at("blk.0.ffn_down_exps.weight"), DType::F16);
  const auto q3 = types_of("qwen3-30b-a3b", FileType::Q3_K_M);
  EXPECT_EQ(q3.at("blk.2.ffn_down_exps.weight"), DType::Q5_K);  // layer < 48/16
  EXPECT_EQ(q3.at("blk.3.ffn_down_exps.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.3.ffn_up_exps.weight"), DType::Q3_K);
  // MXFP4_MOE: experts MXFP4, the other matrices Q8_0, the router F32.
  const auto mx = types_of("qwen3-30b-a3b", FileType::MXFP4, 1);
  EXPECT_EQ(mx.at("blk.0.ffn_gate_exps.weight"), DType::MXFP4);
  EXPECT_EQ(mx.at("blk.0.ffn_down_exps.weight"), DType::MXFP4);
  EXPECT_EQ(mx.at("blk.0.attn_q.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("blk.0.ffn_gate_inp.weight"), DType::F32);
  EXPECT_EQ(mx.at("output.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("token_embd.weight"), DType::Q8_0);
}

// Mixtral's 8 experts trigger llama.cpp's n_expert == 8 rules: attn_k/attn_v Q8_0 and (for the
// low-bit mixes) attn_output Q5_K.
TEST(SynthMix, MixtralEightExpertRules) {
  const auto t = types_of("mixtral-8x7b", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q4_K);
  EXPECT_EQ(t.at("output.weight"), DType::Q6_K);
  for (int i = 0; i < 32; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    EXPECT_EQ(t.at(b + "attn_v.weight"), DType::Q8_0);
    EXPECT_EQ(t.at(b + "attn_k.weight"), DType::Q8_0);
    EXPECT_EQ(t.at(b + "attn_output.weight"), DType::Q5_K);
    EXPECT_EQ(t.at(b + "attn_q.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_down_exps.weight"), more_bits(i, 32) ? DType::Q6_K : DType::Q4_K) << i;
    EXPECT_EQ(t.at(b + "ffn_gate_exps.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_gate_inp.weight"), DType::F32);
  }
  const auto q2 = types_of("mixtral-8x7b", FileType::Q2_K, 2);
  EXPECT_EQ(q2.at("blk.1.attn_v.weight"), DType::Q8_0);
  EXPECT_EQ(q2.at("blk.1.attn_output.weight"), DType::Q5_K);
  EXPECT_EQ(q2.at("blk.1.ffn_down_exps.weight"), DType::Q3_K);
  EXPECT_EQ(q2.at("blk.1.ffn_up_exps.weight"), DType::Q2_K);
  const auto q5 = types_of("mixtral-8x7b", FileType::Q5_K_M, 2);
  EXPECT_EQ(q5.at("blk.1.attn_output.weight"), DType::Q5_K);  // default: the n_expert == 8 list lacks Q5_K_M
  EXPECT_EQ(q5.at("blk.1.attn_v.weight"), DType::Q8_0);
}

// DeepSeek-V2-Lite as llama.cpp's deepseek2 loader creates it (ne order): no Q LoRA, the latent
// + rotary key projection, the per-head k_b / v_b, a dense first block, then a router, 64
// stacked experts and 2 shared experts (2 x 1408 wide) per block.
TEST(SynthPlan, DeepSeekV2LiteTensorNamesAndShapes) {
  const ModelPlan plan = plan_model(*find_preset("deepseek-v2-lite"), FileType::F16);
  EXPECT_EQ(plan.preset.architecture, "deepseek2");
  std::map<std::string, std::vector<uint64_t>> ne;
  for (const auto& t : plan.tensors) ne[t.name] = t.ne;
  // Embedding, 1 dense block of 11 tensors, 26 MoE blocks of 15, output norm and output.
  EXPECT_EQ(plan.tensors.size(), 1 + 11 + 26 * 15 + 2u);
  EXPECT_EQ(ne.size(), plan.tensors.size());
  using V = std::vector<uint64_t>;
  EXPECT_EQ(ne.at("token_embd.weight"), (V{2048, 102400}));
  EXPECT_EQ(ne.at("output.weight"), (V{2048, 102400}));
  EXPECT_EQ(ne.at("output_norm.weight"), (V{2048}));
  for (const std::string b : {"blk.0.", "blk.26."}) {
    EXPECT_EQ(ne.at(b + "attn_norm.weight"), (V{2048}));
    EXPECT_EQ(ne.at(b + "attn_q.weight"), (V{2048, 16 * 192}));
    EXPECT_EQ(ne.at(b + "attn_kv_a_mqa.weight"), (V{2048, 576}));
    EXPECT_EQ(ne.at(b + "attn_kv_a_norm.weight"), (V{512}));
    EXPECT_EQ(ne.at(b + "attn_k_b.weight"), (V{128, 512, 16}));
    EXPECT_EQ(ne.at(b + "attn_v_b.weight"), (V{512, 128, 16}));
    EXPECT_EQ(ne.at(b + "attn_output.weight"), (V{2048, 2048}));
    EXPECT_EQ(ne.at(b + "ffn_norm.weight"), (V{2048}));
    EXPECT_FALSE(ne.count(b + "attn_q_a.weight"));
    EXPECT_FALSE(ne.count(b + "attn_kv_b.weight"));
  }
  EXPECT_EQ(ne.at("blk.0.ffn_gate.weight"), (V{2048, 10944}));
  EXPECT_EQ(ne.at("blk.0.ffn_up.weight"), (V{2048, 10944}));
  EXPECT_EQ(ne.at("blk.0.ffn_down.weight"), (V{10944, 2048}));
  EXPECT_FALSE(ne.count("blk.0.ffn_gate_inp.weight"));
  EXPECT_FALSE(ne.count("blk.1.ffn_gate.weight"));
  EXPECT_EQ(ne.at("blk.1.ffn_gate_inp.weight"), (V{2048, 64}));
  EXPECT_EQ(ne.at("blk.1.ffn_gate_exps.weight"), (V{2048, 1408, 64}));
  EXPECT_EQ(ne.at("blk.1.ffn_up_exps.weight"), (V{2048, 1408, 64}));
  EXPECT_EQ(ne.at("blk.1.ffn_down_exps.weight"), (V{1408, 2048, 64}));
  EXPECT_EQ(ne.at("blk.1.ffn_gate_shexp.weight"), (V{2048, 2816}));
  EXPECT_EQ(ne.at("blk.1.ffn_up_shexp.weight"), (V{2048, 2816}));
  EXPECT_EQ(ne.at("blk.1.ffn_down_shexp.weight"), (V{2816, 2048}));
  EXPECT_FALSE(ne.count("rope_freqs.weight"));  // YaRN is metadata only
  for (const auto& t : plan.tensors) {
    if (t.name.ends_with("_norm.weight")) {
      EXPECT_EQ(t.init, Init::Ones) << t.name;
      EXPECT_EQ(t.type, DType::F32) << t.name;
    }
  }
  Preset bad = *find_preset("deepseek-v2-lite");
  bad.mla.qk_rope = 63;
  EXPECT_THROW(plan_model(bad, FileType::F16), std::invalid_argument);
  bad = *find_preset("deepseek-v2-lite");
  bad.n_expert = bad.n_expert_used = 0;
  EXPECT_THROW(plan_model(bad, FileType::F16), std::invalid_argument);
}

// llama_tensor_get_type on deepseek2: none of its attention tensors matches a rule (attn_k_b is
// not "attn_k.weight", and only attn_kv_b counts as an attn_v), so they keep the default type and
// fall back by row length: attn_k_b's 128-long rows and the experts' 1408-long ffn_down_exps rows
// are no whole Q4_K/Q6_K blocks. "ffn_down" takes the dense ffn_down, ffn_down_exps and
// ffn_down_shexp, with the block index from the name against the 27 blocks.
TEST(SynthMix, DeepSeekV2LiteQ4KM) {
  const auto t = types_of("deepseek-v2-lite", FileType::Q4_K_M);
  EXPECT_EQ(t.at("token_embd.weight"), DType::Q4_K);
  EXPECT_EQ(t.at("output.weight"), DType::Q6_K);
  EXPECT_EQ(t.at("blk.0.ffn_down.weight"), DType::Q8_0);  // more bits: Q6_K, 10944 falls back
  EXPECT_EQ(t.at("blk.0.ffn_gate.weight"), DType::Q4_K);
  EXPECT_EQ(t.at("blk.0.ffn_up.weight"), DType::Q4_K);
  for (int i = 0; i < 27; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const bool more = more_bits(i, 27);
    EXPECT_EQ(t.at(b + "attn_q.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_kv_a_mqa.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_kv_a_norm.weight"), DType::F32);
    EXPECT_EQ(t.at(b + "attn_k_b.weight"), DType::Q5_0);  // Q4_K, rows of 128 fall back
    EXPECT_EQ(t.at(b + "attn_v_b.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "attn_output.weight"), DType::Q4_K);
    if (i == 0) continue;
    EXPECT_EQ(t.at(b + "ffn_gate_inp.weight"), DType::F32);
    EXPECT_EQ(t.at(b + "ffn_gate_exps.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_up_exps.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_down_exps.weight"), more ? DType::Q8_0 : DType::Q5_0) << i;  // 1408 falls back
    EXPECT_EQ(t.at(b + "ffn_gate_shexp.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_up_shexp.weight"), DType::Q4_K);
    EXPECT_EQ(t.at(b + "ffn_down_shexp.weight"), more ? DType::Q6_K : DType::Q4_K) << i;
  }
  // Q3_K_M: attn_output Q4_K (not the 8-expert rule), ffn_down Q5_K below 27/16 then Q4_K.
  const auto q3 = types_of("deepseek-v2-lite", FileType::Q3_K_M);
  EXPECT_EQ(q3.at("blk.5.attn_output.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.5.attn_q.weight"), DType::Q3_K);
  EXPECT_EQ(q3.at("blk.0.ffn_down.weight"), DType::Q5_1);  // Q5_K, 10944 falls back
  EXPECT_EQ(q3.at("blk.5.ffn_down_shexp.weight"), DType::Q4_K);
  EXPECT_EQ(q3.at("blk.5.ffn_down_exps.weight"), DType::Q5_0);
  EXPECT_EQ(q3.at("blk.5.attn_k_b.weight"), DType::Q4_0);  // Q3_K falls back
  const auto q8 = types_of("deepseek-v2-lite", FileType::Q8_0, 2);
  EXPECT_EQ(q8.at("blk.1.attn_k_b.weight"), DType::Q8_0);
  EXPECT_EQ(q8.at("blk.1.ffn_down_exps.weight"), DType::Q8_0);
  EXPECT_EQ(q8.at("blk.1.ffn_gate_inp.weight"), DType::F32);
  // MXFP4_MOE tests ne[2] > 1: the per-head attn_k_b / attn_v_b become MXFP4 with the experts.
  const auto mx = types_of("deepseek-v2-lite", FileType::MXFP4, 2);
  EXPECT_EQ(mx.at("blk.1.ffn_gate_exps.weight"), DType::MXFP4);
  EXPECT_EQ(mx.at("blk.1.attn_k_b.weight"), DType::MXFP4);
  EXPECT_EQ(mx.at("blk.1.attn_v_b.weight"), DType::MXFP4);
  EXPECT_EQ(mx.at("blk.1.ffn_down_shexp.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("blk.1.attn_kv_a_mqa.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("blk.0.ffn_down.weight"), DType::Q8_0);
  EXPECT_EQ(mx.at("output.weight"), DType::Q8_0);
}

TEST(SynthPlan, Llama3RopeFactorsAsConvertHfToGguf) {
  // Llama 3.1 (factor 8, head 128, theta 500000): 1 for short wavelengths, 8 for long ones,
  // smoothed in between; Llama 3.2 uses factor 32.
  const auto f = llama3_rope_factors(128, 500000, {.factor = 8});
  ASSERT_EQ(f.size(), 64u);
  EXPECT_EQ(f.front(), 1.0f);
  EXPECT_EQ(f.back(), 8.0f);
  int smoothed = 0;
  for (size_t i = 1; i < f.size(); ++i) {
    EXPECT_GE(f[i], f[i - 1]);
    smoothed += f[i] > 1 && f[i] < 8;
  }
  EXPECT_GT(smoothed, 0);
  const auto g = llama3_rope_factors(64, 500000, {.factor = 32});
  ASSERT_EQ(g.size(), 32u);
  EXPECT_EQ(g.back(), 32.0f);
  const ModelPlan plan = plan_model(*find_preset("smollm2-135m"), FileType::F16);
  for (const auto& t : plan.tensors) EXPECT_NE(t.name, "rope_freqs.weight");  // no scaling
}

}  // namespace
}  // namespace rbee::synth
