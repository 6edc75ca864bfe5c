// attention: appends K/V to the layer's cache and attends causally over everything cached.
// GQA head groupings, head sizes below / at / above the workgroup, dv != dk, F16 and F32
// caches, replays of one compiled graph at n_past > 0, and contexts longer than the attention
// workgroup (32 on a CPU device, 128 on a GPU) so that the chunked softmax runs over several
// chunks. Sliding windows (the cache a ring that wraps several times, batches up to the size it
// was made for), score soft-capping, and values read from the keys (MLA's cached latent).
// The tiled kernel (attention_tiled.comp) runs batches, and on CPU devices (texel reads) single
// tokens too; attention.comp single tokens otherwise and heads past 256: the tiled_* cases take
// it through odd batch lengths after cached positions, GQA ratios 1, 2 and 8 (rows of one
// workgroup spanning tokens), windows whose ring wraps, soft-capping and values in the keys. The
// split_* cases force split-K attention (partials merged by attention_merge.comp) at short
// contexts: contexts within one split and across many, windows, soft-capping, MLA, wide heads.
// The sinks_* cases add gpt-oss's attention sinks to decode, batches, windows and split-K.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct AttentionCase {
  const char* name;
  uint32_t n_heads, n_kv_heads, dk, dv;
  KvType kv;
  // Steps run in order: {tokens of the compiled graph, how many times to run it}.
  std::vector<std::pair<uint32_t, uint32_t>> steps;
  uint32_t window = 0;    // > 0: sliding window
  float softcap = 0;      // > 0: soft-capped scores
  uint32_t max_batch = 512;
  bool values_in_keys = false;  // MLA: v = the first dv columns of k, cached once
  bool storage = false;  // read the cache as storage buffers where the device would read texels
  // > 0: split-K attention asked for at short contexts (KernelConfig: 64 workgroups, splits of
  // this many positions of the cache's capacity); single-token steps must run it.
  uint32_t split_keys = 0;
  bool sinks = false;  // gpt-oss's learned sinks: a logit per query head joins each softmax
};

// Reference over the host copies of q, k, v (k and v rounded as the cache stores them).
class Reference {
 public:
  Reference(const AttentionCase& c, std::vector<float> sinks = {}) : c_(c), sinks_(std::move(sinks)) {}

  // Appends `tokens` rows of k and v, then attends the same rows of q; returns [tokens, n_heads*dv].
  std::vector<double> step(const float* q, const float* k, const float* v, uint32_t tokens) {
    const uint32_t kw = c_.n_kv_heads * c_.dk, vw = c_.n_kv_heads * c_.dv;
    const uint32_t n_past = static_cast<uint32_t>(keys_.size() / kw);
    for (size_t i = 0; i < size_t(tokens) * kw; ++i) keys_.push_back(stored(k[i]));
    for (size_t i = 0; i < size_t(tokens) * vw; ++i) values_.push_back(stored(v[i]));
    if (c_.values_in_keys) {  // the values are the keys' first dv columns, as stored
      values_.resize(values_.size() - size_t(tokens) * vw);
      for (uint32_t t = 0; t < tokens; ++t)
        for (uint32_t hd = 0; hd < c_.n_kv_heads; ++hd)
          for (uint32_t i = 0; i < c_.dv; ++i) values_.push_back(stored(k[(size_t(t) * c_.n_kv_heads + hd) * c_.dk + i]));
    }
    const double scale = 1.0 / std::sqrt(double(c_.dk));
    std::vector<double> out(size_t(tokens) * c_.n_heads * c_.dv, 0.0);
    for (uint32_t t = 0; t < tokens; ++t)
      for (uint32_t h = 0; h < c_.n_heads; ++h) {
        const uint32_t kvh = h / (c_.n_heads / c_.n_kv_heads), len = n_past + t + 1;
        const uint32_t first = c_.window && len > c_.window ? len - c_.window : 0;  // oldest position seen
        const float* qh = q + (size_t(t) * c_.n_heads + h) * c_.dk;
        std::vector<double> s(len, 0.0);
        double m = -INFINITY, sum = 0;
        for (uint32_t j = first; j < len; ++j) {
          double d = 0;
          for (uint32_t i = 0; i < c_.dk; ++i) d += double(qh[i]) * keys_[size_t(j) * kw + kvh * c_.dk + i];
          s[j] = d * scale;
          if (c_.softcap > 0) s[j] = c_.softcap * std::tanh(s[j] / c_.softcap);
          m = std::max(m, s[j]);
        }
        if (!sinks_.empty()) {  // one more score, whose value is zero: it only adds to the sum
          m = std::max(m, double(sinks_[h]));
          sum = std::exp(double(sinks_[h]) - m);
        }
        for (uint32_t j = first; j < len; ++j) sum += (s[j] = std::exp(s[j] - m));
        double* o = &out[(size_t(t) * c_.n_heads + h) * c_.dv];
        for (uint32_t j = first; j < len; ++j)
          for (uint32_t i = 0; i < c_.dv; ++i) o[i] += s[j] / sum * values_[size_t(j) * vw + kvh * c_.dv + i];
      }
    return out;
  }

 private:
  double stored(float x) const { return c_.kv == KvType::F16 ? round_to_f16(x) : x; }
  AttentionCase c_;
  std::vector<float> sinks_;
  std::vector<double> keys_, values_;
};

class AttentionTest : public ::testing::TestWithParam<AttentionCase> {};

TEST_P(AttentionTest, MatchesReferenceAcrossSteps) {
  const AttentionCase c = GetParam();
  uint32_t total = 0;
  for (auto [tokens, times] : c.steps) total += tokens * times;
  const uint32_t qw = c.n_heads * c.dk, kw = c.n_kv_heads * c.dk, vw = c.n_kv_heads * c.dv;
  OpHarness h({{sizeof(rbee_kv_layout), c.n_kv_heads, c.dk, c.dv, c.window, c.values_in_keys}}, total + 3, c.kv, c.max_batch);
  KernelConfig kernels = KernelConfig::for_device(gpu().device->info());
  if (c.storage) {  // as a GPU: wider tiled workgroups, whose rows span several tokens
    kernels.texel_inputs = false;
    kernels.attention_rows = 64;
  }
  if (c.split_keys) {
    kernels.attention_split_groups = 64;
    kernels.attention_split_keys = c.split_keys;
  }
  h.use_kernels(kernels);
  if (c.window) {  // the ring, not the whole context: the cases below wrap it
    ASSERT_EQ(h.cache().rows(0), c.window + c.max_batch - 1);
    ASSERT_GT(total, h.cache().rows(0) + c.max_batch);
  }
  // One table row per position: step s reads rows n_past..n_past+tokens-1.
  std::vector<float> q = h.source().add("q", DType::F32, {total, qw}, random_values(size_t(total) * qw, 1, -2.0f, 2.0f));
  std::vector<float> k = h.source().add("k", DType::F32, {total, kw}, random_values(size_t(total) * kw, 2, -2.0f, 2.0f));
  std::vector<float> v = h.source().add("v", DType::F32, {total, vw}, random_values(size_t(total) * vw, 3));

  // Sinks from -1 to 4: some below the scores, some dominating them (the sink's share of the
  // softmax is then large), as trained gpt-oss heads have both.
  std::vector<float> sinks;
  if (c.sinks) sinks = h.source().add("sinks", DType::F32, {c.n_heads}, random_values(c.n_heads, 4, -1.0f, 4.0f));
  Reference ref(c, sinks);
  uint32_t n_past = 0;
  for (auto [tokens, times] : c.steps) {
    auto cg = h.compile(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
      rbee_attention_params p{sizeof p, 0, c.n_heads, c.n_kv_heads, c.dk, c.dv, 1.0f / std::sqrt(float(c.dk)),
                              c.softcap, c.window, c.values_in_keys};
      if (c.sinks) p.sinks = api.weight(g, "sinks");
      return api.attention(g, h.input(g, "q"), h.input(g, "k"), c.values_in_keys ? RBEE_TENSOR_NONE : h.input(g, "v"), &p);
    }, true, c.split_keys > 0);
    for (uint32_t r = 0; r < times; ++r) {
      std::vector<float> got = OpHarness::run(*cg, iota_ids(tokens, int32_t(n_past)), n_past);
      if (c.split_keys && tokens == 1) {
        bool merged = false;
        for (const auto& [kernel, seconds] : cg->last_profile()) merged |= kernel.starts_with("attention_merge");
        EXPECT_TRUE(merged) << "a single-token step at n_past " << n_past << " ran no split-K attention";
      }
      std::vector<double> want =
          ref.step(&q[size_t(n_past) * qw], &k[size_t(n_past) * kw], &v[size_t(n_past) * vw], tokens);
      ASSERT_TRUE(all_near(got, want, 5e-5, 1e-4)) << "step of " << tokens << " tokens at n_past " << n_past;
      n_past += tokens;
    }
  }
}

std::vector<AttentionCase> cases() {
  using K = KvType;
  return {
      {"gqa4_2_d16_f32", 4, 2, 16, 16, K::F32, {{7, 2}}},
      {"gqa4_2_d16_f16", 4, 2, 16, 16, K::F16, {{7, 2}}},
      {"gqa6_1_d64_f16", 6, 1, 64, 64, K::F16, {{9, 2}, {1, 3}}},
      {"gqa6_1_d64_f32", 6, 1, 64, 64, K::F32, {{9, 2}, {1, 3}}},
      {"mha2_2_d130_f32", 2, 2, 130, 130, K::F32, {{5, 2}, {1, 2}}},
      {"gqa4_2_d130_f16", 4, 2, 130, 130, K::F16, {{5, 2}}},
      {"dk64_dv16_f16", 4, 2, 64, 16, K::F16, {{7, 2}}},
      {"dk16_dv130_f32", 4, 1, 16, 130, K::F32, {{7, 2}}},
      {"d256_f32", 2, 1, 256, 256, K::F32, {{3, 2}}},
      {"single_token_steps_f32", 4, 2, 16, 16, K::F32, {{1, 5}}},
      // Past both workgroup widths: 70 + 70 prefill, then 9 more and single tokens.
      {"long_context_f32", 4, 2, 64, 64, K::F32, {{70, 2}, {9, 1}, {1, 2}}},
      {"long_context_f16", 6, 1, 16, 130, K::F16, {{70, 2}, {9, 1}, {1, 2}}},
      // Gemma 2's soft-capped scores (q scaled up so that the cap bites).
      {"softcap_f32", 4, 2, 16, 16, K::F32, {{7, 2}, {1, 3}}, 0, 1.5f},
      // Window 8, batches of up to 9: a ring of 16 rows, wrapped several times.
      {"window8_f32", 4, 2, 16, 16, K::F32, {{9, 3}, {1, 12}, {4, 2}}, 8, 0, 9},
      {"window8_softcap_f16", 4, 2, 16, 16, K::F16, {{9, 2}, {1, 20}, {9, 1}}, 8, 2.0f, 9},
      // Window wider than the attention workgroup: chunks start inside the ring.
      {"window40_f32", 2, 1, 64, 64, K::F32, {{33, 3}, {1, 40}, {20, 2}}, 40, 0, 33},
      // MLA's absorbed form: one KV head of latent (32) + rope key (8), the latent is the values.
      {"values_in_keys_mla_f32", 4, 1, 40, 32, K::F32, {{7, 2}, {1, 3}}, 0, 0, 512, true},
      {"values_in_keys_mla_f16", 8, 1, 72, 64, K::F16, {{70, 2}, {1, 3}}, 0, 0, 512, true},
      {"values_in_keys_two_kv_heads_f32", 4, 2, 24, 16, K::F32, {{5, 2}, {1, 2}}, 0, 0, 512, true},
      // DeepSeek-V2-Lite/V3's real latent heads: 512 + 64 keys, 512 values (the wide kernel).
      {"values_in_keys_deepseek_576_f16", 4, 1, 576, 512, K::F16, {{40, 1}, {1, 3}}, 0, 0, 512, true},
      {"wide_heads_f32", 2, 1, 320, 1024, K::F32, {{35, 1}, {1, 2}}},
      {"tiled_odd_lengths_gqa2_f32", 4, 2, 16, 16, K::F32, {{1, 1}, {7, 1}, {33, 1}, {130, 1}, {1000, 1}}},
      {"tiled_gqa1_f16", 4, 4, 32, 32, K::F16, {{33, 1}, {130, 2}, {1, 1}}},
      {"tiled_gqa8_odd_head_f32", 8, 1, 18, 18, K::F32, {{7, 1}, {130, 1}, {33, 1}}},
      {"tiled_window_ring_f32", 4, 2, 16, 16, K::F32, {{130, 1}, {33, 3}, {130, 2}, {1, 3}}, 50, 0, 130},
      {"tiled_window_softcap_gqa8_f16", 8, 1, 16, 16, K::F16, {{33, 2}, {7, 9}, {1, 2}}, 20, 1.5f, 33},
      {"tiled_softcap_gqa8_f16", 8, 1, 32, 32, K::F16, {{130, 1}, {33, 1}}, 0, 1.5f},
      {"tiled_values_in_keys_gqa8_f32", 8, 1, 40, 32, K::F32, {{130, 1}, {33, 1}}, 0, 0, 512, true},
      // Split-K (flash-decoding), forced at short contexts: single tokens (and small batches on
      // the texel path) whose keys fit one split (the first steps) and span many, the splits
      // following each step's position in a kernel recorded once.
      {"split_decode_f32", 4, 2, 16, 16, K::F32, {{1, 3}, {40, 1}, {1, 2}, {200, 1}, {1, 3}}, 0, 0, 512, false, false, 16},
      {"split_decode_gqa8_d64_f16", 8, 1, 64, 64, K::F16, {{1, 2}, {70, 1}, {1, 2}, {300, 1}, {1, 2}}, 0, 0, 512, false, false, 32},
      // A window of 40 over a ring that wraps: each split of the window's positions.
      {"split_window_f32", 4, 2, 16, 16, K::F32, {{33, 2}, {1, 30}, {33, 1}, {1, 5}}, 40, 0, 33, false, false, 8},
      {"split_window_softcap_gqa8_f16", 8, 1, 16, 16, K::F16, {{20, 1}, {1, 25}, {7, 3}, {1, 3}}, 24, 1.5f, 20, false, false, 4},
      // Soft-capping and values in the keys (MLA), and the wide kernel (DeepSeek's 576/512).
      {"split_softcap_values_in_keys_f16", 8, 1, 40, 32, K::F16, {{20, 1}, {1, 3}, {100, 1}, {1, 2}}, 0, 1.5f, 512, true, false, 16},
      {"split_wide_deepseek_576_f16", 4, 1, 576, 512, K::F16, {{40, 1}, {1, 3}}, 0, 0, 512, true, false, 8},
      // Attention sinks (gpt-oss): full attention and sliding windows over a wrapping ring, in
      // batches (tiled) and single tokens (attention.comp, texel tiled), and split-K decode, where
      // attention_merge adds the sink.
      {"sinks_full_gqa2_f32", 4, 2, 16, 16, K::F32, {{7, 1}, {130, 1}, {1, 3}}, 0, 0, 512, false, false, 0, true},
      {"sinks_window8_f16", 4, 2, 16, 16, K::F16, {{9, 3}, {1, 12}, {4, 2}}, 8, 0, 9, false, false, 0, true},
      {"sinks_split_full_f32", 4, 2, 16, 16, K::F32, {{1, 2}, {40, 1}, {1, 2}, {200, 1}, {1, 3}}, 0, 0, 512, false, false, 16, true},
      {"sinks_split_window_f32", 8, 1, 16, 16, K::F32, {{20, 1}, {1, 25}, {7, 3}, {1, 3}}, 24, 0, 20, false, false, 4, true},
  };
}

// A batch larger than the sliding-window ring was made for would overwrite keys its own first
// queries still need: refused when compiling.
TEST(SlidingWindowAttention, RefusesBatchesBeyondTheRing) {
  OpHarness h({{sizeof(rbee_kv_layout), 1, 16, 16, 8}}, 64, KvType::F32, 4);
  h.source().add("x", DType::F32, {8, 16}, random_values(8 * 16, 1));
  auto build = [&](const rbee_graph_api& api, rbee_graph* g) {
    rbee_attention_params p{sizeof p, 0, 1, 1, 16, 16, 0.25f, 0, 8};
    rbee_tensor x = h.input(g, "x");
    return api.attention(g, x, x, x, &p);
  };
  EXPECT_NO_THROW(h.compile(4, build));
  EXPECT_THROW(h.compile(5, build), std::runtime_error);
}

INSTANTIATE_TEST_SUITE_P(Shapes, AttentionTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<AttentionCase>& i) { return std::string(i.param.name); });

// The same through storage buffers, what GPUs read (a CPU implementation reads texels where the
// head sizes allow).
std::vector<AttentionCase> storage_cases() {
  std::vector<AttentionCase> out = cases();
  for (AttentionCase& c : out) c.storage = true;
  return out;
}
INSTANTIATE_TEST_SUITE_P(Storage, AttentionTest, ::testing::ValuesIn(storage_cases()),
                         [](const ::testing::TestParamInfo<AttentionCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace rbee::test
