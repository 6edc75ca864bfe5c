#pragma once
// Runs small graphs through the real path: rbee_graph_api -> Graph -> CompiledGraph on the
// Vulkan device (lavapipe here), and gives CPU references something to compare with.
#include <optional>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "graph/device_weights.hpp"
#include "graph/executor.hpp"
#include "graph/fusion.hpp"
#include "graph/graph.hpp"
#include "graph/kv_cache.hpp"
#include "ops/memory_source.hpp"
#include "vulkan/device.hpp"
#include "vulkan/pipeline.hpp"
#include "vulkan/uploader.hpp"

namespace rbee::test {

// One Vulkan device and pipeline set for the whole test binary.
struct Gpu {
  std::shared_ptr<vk::Instance> instance = std::make_shared<vk::Instance>();
  std::unique_ptr<vk::Device> device = std::make_unique<vk::Device>(instance, -1);
  std::unique_ptr<vk::PipelineSet> pipelines = std::make_unique<vk::PipelineSet>(*device);
  std::unique_ptr<vk::Uploader> uploader = std::make_unique<vk::Uploader>(*device, 4ull << 20);
  ~Gpu() {
    uploader.reset();
    pipelines.reset();
    device.reset();
  }
};
inline Gpu& gpu() {
  static Gpu g;
  return g;
}

inline std::vector<float> random_values(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

inline std::vector<int32_t> iota_ids(uint32_t n, int32_t first = 0) {
  std::vector<int32_t> ids(n);
  for (uint32_t i = 0; i < n; ++i) ids[i] = first + static_cast<int32_t>(i);
  return ids;
}

// n token ids in a scrambled order (i * stride + 3), repeats allowed; the last one picks the
// table's last row.
inline std::vector<int32_t> scrambled_ids(uint32_t n, uint32_t vocab, uint32_t stride = 7) {
  std::vector<int32_t> ids(n);
  for (uint32_t t = 0; t < n; ++t) ids[t] = static_cast<int32_t>((t * stride + 3) % vocab);
  ids.back() = static_cast<int32_t>(vocab - 1);
  return ids;
}

// What an embedding of ids in a [vocab, dim] table gives: the rows picked, in order.
inline std::vector<double> picked_rows(const std::vector<float>& table, uint32_t dim, const std::vector<int32_t>& ids) {
  std::vector<double> rows;
  for (int32_t id : ids)
    for (uint32_t d = 0; d < dim; ++d) rows.push_back(table[size_t(id) * dim + d]);
  return rows;
}

using BuildFn = std::function<rbee_tensor(const rbee_graph_api& api, rbee_graph* g)>;

// A model in memory, its device weights and (optionally) a KV cache.
class OpHarness {
 public:
  // max_batch: the largest batch a sliding-window layer's cache ring is sized for.
  explicit OpHarness(std::vector<rbee_kv_layout> kv_layers = {}, uint32_t kv_capacity = 256, KvType kv_type = KvType::F32,
                     uint32_t max_batch = 512)
      : weights_(*gpu().device, *gpu().uploader),
        cache_(*gpu().device, kv_layers, KvCacheShape{.context = kv_capacity, .max_batch = max_batch}, kv_type) {}

  const KvCache& cache() const { return cache_; }

  MemorySource& source() { return source_; }
  const rbee_graph_api& api() const { return *graph_api(); }

  // Rows of the F32 table `name` picked by this step's token ids: the usual way to get an
  // activation into a graph.
  rbee_tensor input(rbee_graph* g, const char* name) const {
    return api().embed(g, api().weight(g, name), api().input_tokens(g));
  }

  // Builds a graph of n_tokens rows, sets build's result as output and compiles it (profile:
  // CompiledGraph::last_profile() names every dispatch of a run; top_k: see CompileOptions).
  std::unique_ptr<CompiledGraph> compile(uint32_t n_tokens, const BuildFn& build, bool all_logits = true,
                                         bool profile = false, uint32_t top_k = 0) {
    Graph graph(source_, n_tokens, all_logits, cache_.capacity());
    auto* g = reinterpret_cast<rbee_graph*>(&graph);
    rbee_tensor out = build(api(), g);
    if (out != RBEE_TENSOR_NONE) api().set_output(g, out);
    if (!graph.error().empty()) throw std::runtime_error("graph: " + graph.error());
    CompileOptions options{.top_k = top_k, .profile = profile, .kernels = kernels_ ? &*kernels_ : nullptr};
    return std::make_unique<CompiledGraph>(*gpu().device, *gpu().pipelines, weights_, cache_, graph, options);
  }

  // The handles (minus 1) of the nodes that every fusion the executor knows folds in build's
  // graph of n_tokens rows: what a fused kernel leaves out.
  std::vector<size_t> folded(uint32_t n_tokens, const BuildFn& build) {
    Graph graph(source_, n_tokens, true, cache_.capacity());
    auto* g = reinterpret_cast<rbee_graph*>(&graph);
    api().set_output(g, build(api(), g));
    Fusions f = find_fusions(graph, {});
    std::vector<size_t> out;
    for (size_t i = 0; i < f.folded.size(); ++i)
      if (f.folded[i]) out.push_back(i);
    return out;
  }

  // Compiles with these kernel choices instead of the device's (e.g. the portable fallbacks).
  void use_kernels(const KernelConfig& kernels) { kernels_ = kernels; }

  static std::vector<float> run(CompiledGraph& cg, const std::vector<int32_t>& ids, uint32_t n_past = 0) {
    std::vector<float> out(size_t(cg.output_rows()) * cg.output_cols());
    cg.run(ids, n_past, out);
    return out;
  }

  // compile + run with ids 0..n_tokens-1 and n_past 0.
  std::vector<float> eval(uint32_t n_tokens, const BuildFn& build, bool all_logits = true) {
    auto cg = compile(n_tokens, build, all_logits);
    return run(*cg, iota_ids(n_tokens));
  }

 private:
  MemorySource source_;
  DeviceWeights weights_;
  KvCache cache_;
  std::optional<KernelConfig> kernels_;
};

// A fused kernel against the separate ops. `setup` adds the tensors; then `build`, a graph of
// n_tokens rows, runs twice: with the device's kernels and every fusion on (storage: storage-
// buffer inputs where the device would read texels), and with the portable kernels, which fuse
// nothing. `folded` lists the nodes the fused graph folds (OpHarness::folded).
struct FusedComparison {
  std::vector<float> fused, separate;
  std::vector<size_t> folded;
};
using HarnessBuildFn = std::function<rbee_tensor(OpHarness& h, const rbee_graph_api& api, rbee_graph* g)>;
inline FusedComparison compare_fused(uint32_t n_tokens, bool storage, const std::function<void(MemorySource&)>& setup,
                                     const HarnessBuildFn& build) {
  FusedComparison r;
  for (bool portable : {false, true}) {
    OpHarness h;
    KernelConfig k = KernelConfig::for_device(gpu().device->info());
    k.fold_inputs = true;             // whatever the device would choose
    if (portable) k.subgroup_wg = 0;  // no subgroup kernels: nothing is folded
    if (storage) k.texel_inputs = false;
    h.use_kernels(k);
    setup(h.source());
    BuildFn b = [&](const rbee_graph_api& api, rbee_graph* g) { return build(h, api, g); };
    if (!portable) r.folded = h.folded(n_tokens, b);
    (portable ? r.separate : r.fused) = h.eval(n_tokens, b);
  }
  return r;
}

// x [tokens, in] times w [out, in] transposed (+ b [out], empty for none) in double, and per
// output the sum of |x*w| (+ |b|) that scales the tolerance of a float32 kernel.
struct LinearReference {
  std::vector<double> want, scale;
};
inline LinearReference linear_reference(const std::vector<float>& x, const std::vector<float>& w,
                                        const std::vector<float>& b, uint32_t tokens, uint32_t in, uint32_t out) {
  LinearReference r;
  for (uint32_t t = 0; t < tokens; ++t)
    for (uint32_t o = 0; o < out; ++o) {
      double s = b.empty() ? 0.0 : b[o], abs_sum = b.empty() ? 0.0 : std::abs(b[o]);
      for (uint32_t i = 0; i < in; ++i) {
        double p = double(x[size_t(t) * in + i]) * w[size_t(o) * in + i];
        s += p;
        abs_sum += std::abs(p);
      }
      r.want.push_back(s);
      r.scale.push_back(abs_sum);
    }
  return r;
}

// Element-by-element comparison: |got - want| <= abs_tol + rel_tol * scale[i] (scale defaults
// to |want|). Reports the first few mismatches with their index.
inline ::testing::AssertionResult all_near(const std::vector<float>& got, const std::vector<double>& want,
                                           double abs_tol, double rel_tol, const std::vector<double>* scale = nullptr) {
  if (got.size() != want.size())
    return ::testing::AssertionFailure() << "size " << got.size() << ", expected " << want.size();
  size_t bad = 0;
  ::testing::AssertionResult r = ::testing::AssertionFailure();
  for (size_t i = 0; i < got.size(); ++i) {
    double s = scale ? (*scale)[i] : std::abs(want[i]);
    double tol = abs_tol + rel_tol * s;
    if (!(std::abs(double(got[i]) - want[i]) <= tol)) {
      if (bad < 5) r << "[" << i << "] got " << got[i] << ", expected " << want[i] << " (tol " << tol << ")\n";
      ++bad;
    }
  }
  if (bad == 0) return ::testing::AssertionSuccess();
  return r << bad << " of " << got.size() << " elements differ";
}

inline std::vector<double> to_double(const std::vector<float>& v) { return {v.begin(), v.end()}; }

}  // namespace rbee::test
