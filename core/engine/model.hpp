#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "engine/block_pool.hpp"
#include "engine/runtime.hpp"
#include "formats/model_source.hpp"
#include "graph/device_weights.hpp"
#include "graph/executor.hpp"
#include "graph/kv_cache.hpp"
#include "tokenizer/tokenizer.hpp"
#include "vulkan/uploader.hpp"

namespace rbee {

// A model failed to load or run; the message names the file and what went wrong.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ModelOptions {
  uint32_t context = 0;  // positions per sequence; 0: the training context, at most 4096
  KvType kv_type = KvType::F16;
  std::string plugin;  // force this plugin by name
  uint32_t max_batch = 512;  // tokens per submission
  uint32_t sequences = 1;    // sequences the KV cache holds at once
  // Blocks of KvCache::kBlockRows positions the paged KV cache shares among its sequences;
  // 0: every sequence's whole context.
  uint32_t kv_blocks = 0;
  // Or, with kv_blocks 0: the bytes the KV cache may take (KvCacheShape::budget_bytes).
  uint64_t kv_budget_bytes = 0;
  bool profile = false;      // time every kernel (see Model::profile)
  // Kernel choices other than the device's (KernelConfig::for_device): tests run the kernels
  // other devices take.
  std::optional<KernelConfig> kernels;
  // FP8 weights of safetensors checkpoints (DeepSeek-V3 style, with 128x128 block scales) are
  // converted on load to this type (--quantize): F32, F16, BF16 or a GGUF block type that
  // rbee::quant encodes; other tensors stay as stored.
  DType fp8_type = DType::BF16;
  // Called with (bytes uploaded, total bytes) while weights stream to the device.
  std::function<void(uint64_t, uint64_t)> progress;
};

// Frees a plugin's model object through the instance that made it.
struct PluginModelDeleter {
  const LoadedPlugin* plugin;
  void operator()(rbee_model* model) const;
};
using PluginModel = std::unique_ptr<rbee_model, PluginModelDeleter>;

// A sequence of the model: its KV cache slot.
using SequenceId = uint32_t;

// Tokens appended to one sequence in a step; output: its last token's logits are wanted.
struct SequenceStep {
  SequenceId sequence;
  std::span<const int32_t> ids;
  bool output = true;
};

// The KV cache has no free block for a step; it fits once other sequences end or shrink.
class KvCacheFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One loaded model: its file, tokenizer, plugin model object, device weights and KV cache of
// several sequences (options.sequences). Sequence 0 is open from the start; eval, eval_top,
// n_past, truncate and reset act on it. step() runs tokens of several sequences as one batch.
class Model {
 public:
  Model(Runtime& runtime, const std::filesystem::path& path, const ModelOptions& options);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const ModelSource& source() const { return *source_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  const LoadedPlugin& plugin() const { return *plugin_; }
  const std::string& architecture() const { return architecture_; }
  uint32_t n_vocab() const { return info_.n_vocab; }
  uint32_t context() const { return cache_->capacity(); }
  uint32_t n_past() const { return n_past(0); }
  const KvCache& kv_cache() const { return *cache_; }
  std::vector<std::pair<std::string, std::string>> hyperparameters() const;

  // Runs ids after the current context and appends them to it. Returns the logits of every
  // new position ([ids.size()][n_vocab]) when all_logits, else of the last one only.
  std::vector<float> eval(std::span<const int32_t> ids, bool all_logits);
  // Throws unless ids are vocabulary ids that fit in the context after n_past() (of seq).
  void check_ids(std::span<const int32_t> ids) const;
  void check_ids(SequenceId seq, std::span<const int32_t> ids) const;
  // Like eval(), but the last position's k best logits are selected on the device and only
  // they come back (best first; k <= CompiledGraph::kMaxTopK): the decode path of sampling.
  std::vector<TopLogit> eval_top(std::span<const int32_t> ids, uint32_t k);
  // Forgets the context.
  void reset() { reset(0); }
  // Keeps the first n positions of the context (n <= n_past()) and forgets the rest, so that a
  // conversation re-evaluates only what changed. Returns false, having forgotten everything,
  // where a sliding-window layer's cache no longer holds what the kept positions need.
  bool truncate(uint32_t n) { return truncate(0, n); }

  // Sequences. open_sequence() takes a free slot (throws ModelError when all options.sequences
  // are open); close_sequence() frees it and its KV blocks.
  SequenceId open_sequence();
  void close_sequence(SequenceId seq);
  uint32_t open_sequences() const;
  bool is_open(SequenceId seq) const { return seq < sequences_.size() && sequences_[seq].open; }
  uint32_t max_sequences() const { return cache_->sequences(); }
  uint32_t n_past(SequenceId seq) const { return sequence(seq).n_past; }
  void reset(SequenceId seq);
  bool truncate(SequenceId seq, uint32_t n);
  // KV blocks: free in the pool, and those a sequence still needs to append n more tokens.
  // (Free counts cached prefix blocks no sequence uses: they are handed out when needed.)
  uint32_t free_blocks() const { return pool_.available(); }
  // Prefix blocks cached for reuse that no sequence uses now.
  uint32_t cached_blocks() const { return pool_.cached(); }
  uint32_t blocks_needed(SequenceId seq, uint32_t n) const;
  uint32_t max_batch() const { return max_batch_; }
  // Prefix reuse: gives an empty sequence the cached blocks that hold the longest prefix of
  // `prompt` that earlier sequences computed (whole blocks, leaving at least the prompt's last
  // token to evaluate), and returns how many positions they hold; the caller then steps only
  // the rest of the prompt. 0 where nothing matches, or where the model has sliding-window
  // layers (their rings are per sequence).
  uint32_t reuse_prefix(SequenceId seq, std::span<const int32_t> prompt);
  // Positions reuse_prefix() has supplied so far.
  uint64_t reused_positions() const { return reused_positions_; }
  // One submission: every entry's ids appended to its sequence (each sequence at most once;
  // max_batch() tokens in all, at most that many of one sequence). Returns the logits of the
  // entries with output, in order ([outputs][n_vocab]). Throws KvCacheFull, having run
  // nothing, when the pool lacks the blocks the step needs.
  std::vector<float> step(std::span<const SequenceStep> batch);
  // Same, the k best logits of each output selected on the device (k <= CompiledGraph::kMaxTopK).
  std::vector<std::vector<TopLogit>> step_top(std::span<const SequenceStep> batch, uint32_t k);
  // Device time spent in eval() so far (from GPU timestamps; 0 where the device has none).
  double device_seconds() const { return device_seconds_; }
  // With ModelOptions::profile: device seconds per kernel name, summed over every eval().
  const std::map<std::string, double>& profile() const { return profile_; }
  // The decode graph (one token) as the plugin builds it, uncompiled: for analysis such as
  // weight_bytes_per_token (engine/weight_traffic.hpp).
  Graph decode_graph() const;
  // Bytes of KV cache one position of context takes: the cache's bytes over its capacity (for
  // sliding-window layers, whose ring is shorter than the context, the average over a full one).
  uint64_t kv_cache_bytes_per_token() const { return cache_->bytes_per_position(); }

 private:
  struct Sequence {
    bool open = false;
    uint32_t n_past = 0;
    std::vector<uint32_t> blocks;  // of the paged layers, one per KvCache::kBlockRows positions
    // With the prefix cache: the tokens of every position, and the serial (BlockPool) of each
    // full block.
    std::vector<int32_t> tokens;
    std::vector<uint64_t> serials;
  };
  const Sequence& sequence(SequenceId seq) const;
  Sequence& sequence(SequenceId seq) { return const_cast<Sequence&>(std::as_const(*this).sequence(seq)); }
  // Keeps the blocks of a sequence's first n positions, giving the rest back to the pool; a
  // kept block that the positions after n will overwrite is copied first where others share it.
  void shrink(SequenceId seq, uint32_t n);
  // After a step appended ids to a sequence: its tokens, and its blocks that are now full
  // published to the prefix cache.
  void appended(SequenceId seq, std::span<const int32_t> ids);
  // Checks a step and takes the blocks it needs; returns its segments.
  std::vector<BatchSegment> prepare(std::span<const SequenceStep> batch);
  // The graph of n_tokens rows with all logits, or with n_outputs output rows; `positions`:
  // positions_bound() of the step's segments.
  CompiledGraph& compiled(uint32_t n_tokens, bool all_logits, uint32_t positions, uint32_t top_k = 0,
                          uint32_t n_outputs = 1);
  // The most positions a row of the segments sees, rounded up to a power of two (at least
  // kMinPositionsBound), at most the cache's capacity: graphs are compiled per bound, so that a
  // short context in a large cache is not split for a long one (CompileOptions::positions).
  uint32_t positions_bound(std::span<const BatchSegment> segments) const;
  // Has the plugin describe its forward pass into graph; throws ModelError with the graph's
  // message (or the plugin's) naming the file and the plugin.
  void build(Graph& graph) const;
  // Adds a run's device time (and kernel split) to the totals.
  void account(const CompiledGraph& g);

  Runtime& runtime_;
  std::string architecture_;
  std::unique_ptr<ModelSource> source_;
  std::unique_ptr<Tokenizer> tokenizer_;
  const LoadedPlugin* plugin_ = nullptr;
  PluginModel model_;  // before the device objects, so it is freed after them
  rbee_model_info info_{};
  uint32_t max_batch_;
  bool profiling_;
  std::optional<KernelConfig> kernels_;
  std::unique_ptr<vk::Uploader> uploader_;
  std::unique_ptr<DeviceWeights> weights_;
  std::unique_ptr<KvCache> cache_;
  BlockPool pool_{0};
  std::vector<Sequence> sequences_;
  // By (tokens, all logits, device top-k, output rows), with the step each was last used at.
  // Below this many positions no device splits attention's keys: one graph serves them all.
  static constexpr uint32_t kMinPositionsBound = 256;
  using GraphKey = std::tuple<uint32_t, bool, uint32_t, uint32_t, uint32_t>;
  struct CachedGraph {
    std::unique_ptr<CompiledGraph> graph;
    uint64_t used;
  };
  std::map<GraphKey, CachedGraph> graphs_;
  uint64_t steps_ = 0;
  uint64_t reused_positions_ = 0;
  bool prefix_cache_ = false;  // every layer paged: blocks can be shared
  double device_seconds_ = 0;
  std::map<std::string, double> profile_;
};

}  // namespace rbee
