#include "engine/model.hpp"

#include <algorithm>
#include <bit>
#include <exception>

#include <spdlog/spdlog.h>

#include "engine/device_memory.hpp"
#include "formats/hyperparameter_checks.hpp"
#include "graph/graph.hpp"
#include "plugin_host/plugin_answers.hpp"
#include "plugin_host/plugin_error.hpp"
#include "plugin_host/source_api.hpp"
#include "quant/quant.hpp"

namespace rbee {
namespace {

std::string architecture_of(const ModelSource& source) {
  const char* key = source.format() == ModelSource::Format::Gguf ? "general.architecture" : "model_type";
  const nlohmann::json* v = source.meta(key);
  if (v == nullptr || !v->is_string())
    throw ModelError(source.path().string() + ": " + key + " is missing or not a string; cannot tell the architecture");
  return v->get<std::string>();
}

// What a failed call into the plugin reports: the file, the plugin's message, the plugin.
ModelError plugin_failure(const std::filesystem::path& file, const std::string& message, const LoadedPlugin& plugin) {
  return ModelError(file.string() + ": " + message + " (plugin " + plugin.name() + ", " + plugin.path().string() + ")");
}

// The pairs describe() emits. An exception (out of memory) must not unwind through the plugin:
// it is kept and rethrown once describe() has returned.
struct Hyperparameters {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::exception_ptr error;

  static void collect(void* ctx, const char* key, const char* value) noexcept {
    auto* self = static_cast<Hyperparameters*>(ctx);
    if (self->error) return;
    try {
      self->pairs.emplace_back(key != nullptr ? key : "", value != nullptr ? value : "");
    } catch (...) {
      self->error = std::current_exception();
    }
  }
};

}  // namespace

Model::Model(Runtime& runtime, const std::filesystem::path& path, const ModelOptions& options)
    : runtime_(runtime), max_batch_(std::max<uint32_t>(options.max_batch, 1)),
      profiling_(options.profile),
      kernels_(options.kernels) {
  if (!quant::supported(options.fp8_type) || !kernel_weight_type(options.fp8_type))
    throw ModelError("cannot convert FP8 weights to " + std::string(dtype_name(options.fp8_type)) +
                     ": not a weight type rbee can both encode and run");
  source_ = ModelSource::open(path, SourceOptions{.fp8_type = options.fp8_type, .encode = quant::quantize});
  architecture_ = architecture_of(*source_);
  plugin_ = runtime.plugins().find(architecture_, options.plugin);
  if (plugin_ == nullptr)
    throw ModelError(path.string() + ": no plugin handles architecture \"" + architecture_ +
                     "\" (`rbee plugins` lists what is loaded)");
  const rbee_plugin& p = plugin_->instance();

  rbee_error err = empty_error();
  rbee_model* model = nullptr;
  plugin_->announce("create_model");  // with -v: a crash inside is attributed
  rbee_status s = p.create_model(&p, to_handle(*source_), &model, &err);
  if (s != RBEE_OK) {
    // The plugin names the metadata key; say which file holds it.
    auto where = source_->format() == ModelSource::Format::Gguf ? path : path / "config.json";
    throw plugin_failure(where, error_message(err, s), *plugin_);
  }
  if (model == nullptr) throw plugin_failure(path, "create_model returned no model", *plugin_);
  model_ = PluginModel(model, PluginModelDeleter{plugin_});
  info_.struct_size = sizeof info_;
  plugin_->announce("model_info");
  s = p.model_info(&p, model, &info_, &err);
  if (s != RBEE_OK) throw plugin_failure(path, "model_info failed: " + error_message(err, s), *plugin_);
  if (auto why = implausible_model_info(info_); !why.empty())
    throw plugin_failure(path, "model_info answered nonsense: " + why, *plugin_);
  check_hyperparameters(*source_);  // after the plugin's own checks of the keys it reads

  std::vector<rbee_kv_layout> layers(info_.n_layers);
  plugin_->announce("kv_layout");
  for (uint32_t l = 0; l < info_.n_layers; ++l) {
    layers[l].struct_size = sizeof(rbee_kv_layout);
    s = p.kv_layout(&p, model, l, &layers[l], &err);
    if (s != RBEE_OK)
      throw plugin_failure(path, "no KV layout for layer " + std::to_string(l) + ": " + error_message(err, s), *plugin_);
    if (auto why = implausible_kv_layout(layers[l]); !why.empty())
      throw plugin_failure(path, "kv_layout of layer " + std::to_string(l) + " answered nonsense: " + why, *plugin_);
  }

  tokenizer_ = source_->format() == ModelSource::Format::Gguf ? Tokenizer::from_gguf(*source_)
                                                              : Tokenizer::from_hf_folder(path);

  uint32_t ctx = options.context ? options.context : std::min<uint32_t>(info_.n_ctx_train ? info_.n_ctx_train : 4096, 4096);
  const vk::Device& device = runtime.device();
  uploader_ = std::make_unique<vk::Uploader>(device);
  weights_ = std::make_unique<DeviceWeights>(device, *uploader_);
  if (options.progress) {
    uint64_t total = 0;
    for (const auto& t : source_->tensors()) total += t.nbytes;
    weights_->on_upload([total, progress = options.progress](uint64_t done) { progress(std::min(done, total), total); });
  }
  if (options.sequences == 0) throw ModelError("a model needs at least one sequence");
  const KvCacheShape kv_shape{.context = ctx, .sequences = options.sequences, .blocks = options.kv_blocks,
                              .max_batch = max_batch_, .budget_bytes = options.kv_budget_bytes};
  check_model_fits(device, *source_, plan_kv_cache(layers, kv_shape, options.kv_type).bytes);  // before allocating either
  cache_ = std::make_unique<KvCache>(device, layers, kv_shape, options.kv_type);
  if (cache_->has_paged_layers()) pool_ = BlockPool(cache_->blocks());
  prefix_cache_ = cache_->has_paged_layers() && !cache_->has_ring_layers();
  sequences_.resize(options.sequences);
  sequences_[0].open = true;
  compiled(1, false, positions_bound({}));  // uploads every weight the pass uses
  spdlog::debug("{}: {} MiB of weights on the device, KV cache of {} tokens in {} MiB", path.string(),
                weights_->bytes_uploaded() >> 20, ctx, cache_->bytes() >> 20);
}

Model::~Model() = default;  // the compiled graphs go before the plugin's model (members' order)

void PluginModelDeleter::operator()(rbee_model* model) const {
  plugin->announce("destroy_model");
  const rbee_plugin& p = plugin->instance();
  p.destroy_model(&p, model);
}

std::vector<std::pair<std::string, std::string>> Model::hyperparameters() const {
  const rbee_plugin& p = plugin_->instance();
  if (p.describe == nullptr) return {};
  Hyperparameters out;
  rbee_error err = empty_error();
  plugin_->announce("describe");
  const rbee_status s = p.describe(&p, model_.get(), Hyperparameters::collect, &out, &err);
  if (out.error) std::rethrow_exception(out.error);
  if (s != RBEE_OK) throw plugin_failure(source_->path(), "describe failed: " + error_message(err, s), *plugin_);
  return std::move(out.pairs);
}

void Model::build(Graph& graph) const {
  const rbee_plugin& p = plugin_->instance();
  rbee_error err = empty_error();
  // Announced for the first graph only: later ones (other batch shapes) are built mid-generation,
  // where a log line would cut into the streamed text.
  if (graphs_.empty()) plugin_->announce("build_graph");
  const rbee_status s = p.build_graph(&p, model_.get(), reinterpret_cast<rbee_graph*>(&graph), &err);
  // The graph's own message says which op failed; the plugin's err is for what it found itself.
  if (graph.failed())
    throw plugin_failure(source_->path(), graph.error().empty() ? rbee_status_name(graph.status()) : graph.error(),
                         *plugin_);
  if (s != RBEE_OK) throw plugin_failure(source_->path(), error_message(err, s), *plugin_);
  if (graph.output() == RBEE_TENSOR_NONE) throw plugin_failure(source_->path(), "build_graph set no output", *plugin_);
}

uint32_t Model::positions_bound(std::span<const BatchSegment> segments) const {
  uint64_t end = 0;
  for (const BatchSegment& s : segments) end = std::max<uint64_t>(end, uint64_t(s.position) + s.count);
  const uint64_t bound = std::bit_ceil(std::max<uint64_t>(end, kMinPositionsBound));
  return static_cast<uint32_t>(std::min<uint64_t>(bound, cache_->capacity()));
}

CompiledGraph& Model::compiled(uint32_t n_tokens, bool all_logits, uint32_t positions, uint32_t top_k,
                               uint32_t n_outputs) {
  const GraphKey key{n_tokens, all_logits, top_k, all_logits ? n_tokens : n_outputs, positions};
  ++steps_;
  if (auto it = graphs_.find(key); it != graphs_.end()) {
    it->second.used = steps_;
    return *it->second.graph;
  }
  // Keep the shapes used last: batches of several sequences come in many.
  constexpr size_t kKeptGraphs = 12;
  if (graphs_.size() >= kKeptGraphs)
    graphs_.erase(std::min_element(graphs_.begin(), graphs_.end(),
                                   [](const auto& a, const auto& b) { return a.second.used < b.second.used; }));

  Graph graph(*source_, n_tokens, all_logits, cache_->capacity(), n_outputs);
  build(graph);
  const Node& out = graph.node(graph.output());
  if (out.cols != info_.n_vocab)
    throw ModelError(source_->path().string() + ": the graph's logits have " + std::to_string(out.cols) +
                     " columns, the model's vocabulary " + std::to_string(info_.n_vocab));
  CompileOptions options{
      .top_k = top_k, .profile = profiling_, .kernels = kernels_ ? &*kernels_ : nullptr, .positions = positions};
  auto compiled = std::make_unique<CompiledGraph>(runtime_.device(), runtime_.pipelines(), *weights_, *cache_, graph, options);
  return *graphs_.emplace(key, CachedGraph{std::move(compiled), steps_}).first->second.graph;
}

void Model::account(const CompiledGraph& g) {
  device_seconds_ += g.last_device_seconds();
  for (const auto& [kernel, seconds] : g.last_profile()) profile_[kernel] += seconds;
}

const Model::Sequence& Model::sequence(SequenceId seq) const {
  if (seq >= sequences_.size() || !sequences_[seq].open)
    throw std::invalid_argument("sequence " + std::to_string(seq) + " is not open");
  return sequences_[seq];
}

SequenceId Model::open_sequence() {
  for (SequenceId s = 0; s < sequences_.size(); ++s)
    if (!sequences_[s].open) {
      sequences_[s] = Sequence{.open = true};
      return s;
    }
  throw ModelError("all " + std::to_string(sequences_.size()) + " sequences of the KV cache are in use");
}

void Model::close_sequence(SequenceId seq) {
  shrink(seq, 0);
  sequences_[seq] = Sequence{};
}

uint32_t Model::open_sequences() const {
  return static_cast<uint32_t>(std::count_if(sequences_.begin(), sequences_.end(), [](const Sequence& s) { return s.open; }));
}

void Model::reset(SequenceId seq) {
  shrink(seq, 0);
  sequence(seq).n_past = 0;
}

bool Model::truncate(SequenceId seq, uint32_t n) {
  Sequence& s = sequence(seq);
  if (n > s.n_past)
    throw std::invalid_argument("truncate: " + std::to_string(n) + " positions kept of " + std::to_string(s.n_past));
  const bool kept = cache_->can_truncate(s.n_past, n);
  shrink(seq, kept ? n : 0);
  s.n_past = kept ? n : 0;
  return kept;
}

void Model::shrink(SequenceId seq, uint32_t n) {
  Sequence& s = sequence(seq);
  constexpr uint32_t kRows = KvCache::kBlockRows;
  const size_t keep = (uint64_t(n) + kRows - 1) / kRows;
  while (s.blocks.size() > keep) {  // last first: a cached prefix is evicted from its end
    pool_.release(s.blocks.back());
    s.blocks.pop_back();
  }
  if (s.tokens.size() > n) s.tokens.resize(n);
  if (s.serials.size() > n / kRows) s.serials.resize(n / kRows);
  if (n % kRows == 0 || keep == 0 || keep > s.blocks.size()) return;
  // The partly kept last block is about to be written past n.
  const uint32_t last = s.blocks.back();
  if (pool_.users(last) == 1) {
    pool_.forget(last);
    return;
  }
  if (pool_.available() == 0)
    throw KvCacheFull("the KV cache has no free block to copy the shared block that position " + std::to_string(n) +
                      " of sequence " + std::to_string(seq) + " is in");
  const uint32_t copy = pool_.take();
  cache_->copy_block(last, copy);
  pool_.release(last);
  s.blocks.back() = copy;
  cache_->set_blocks(seq, static_cast<uint32_t>(s.blocks.size() - 1), std::span(&copy, 1));
}

void Model::appended(SequenceId seq, std::span<const int32_t> ids) {
  Sequence& s = sequence(seq);
  s.n_past += static_cast<uint32_t>(ids.size());
  if (!prefix_cache_) return;
  s.tokens.insert(s.tokens.end(), ids.begin(), ids.end());
  constexpr uint32_t kRows = KvCache::kBlockRows;
  while (s.serials.size() < s.n_past / kRows) {
    const size_t i = s.serials.size();
    BlockPool::Tokens tokens;
    std::copy_n(s.tokens.begin() + i * kRows, kRows, tokens.begin());
    s.serials.push_back(pool_.publish(s.blocks[i], i ? s.serials[i - 1] : 0, tokens));
  }
}

uint32_t Model::reuse_prefix(SequenceId seq, std::span<const int32_t> prompt) {
  Sequence& s = sequence(seq);
  if (s.n_past != 0) throw std::invalid_argument("reuse_prefix: sequence " + std::to_string(seq) + " is not empty");
  if (!prefix_cache_) return 0;
  constexpr uint32_t kRows = KvCache::kBlockRows;
  // Whole blocks, leaving the prompt's last token to evaluate (its logits are wanted).
  while ((s.blocks.size() + 1) * kRows < prompt.size()) {
    BlockPool::Tokens tokens;
    std::copy_n(prompt.begin() + s.blocks.size() * kRows, kRows, tokens.begin());
    const std::optional<uint32_t> block = pool_.find(s.serials.empty() ? 0 : s.serials.back(), tokens);
    if (!block) break;
    pool_.share(*block);
    s.blocks.push_back(*block);
    s.serials.push_back(pool_.serial(*block));
  }
  if (!s.blocks.empty()) cache_->set_blocks(seq, 0, s.blocks);
  s.n_past = static_cast<uint32_t>(s.blocks.size()) * kRows;
  s.tokens.assign(prompt.begin(), prompt.begin() + s.n_past);
  reused_positions_ += s.n_past;
  return s.n_past;
}

uint32_t Model::blocks_needed(SequenceId seq, uint32_t n) const {
  const Sequence& s = sequence(seq);
  if (!cache_->has_paged_layers()) return 0;
  const uint64_t blocks = (uint64_t(s.n_past) + n + KvCache::kBlockRows - 1) / KvCache::kBlockRows;
  return blocks > s.blocks.size() ? static_cast<uint32_t>(blocks - s.blocks.size()) : 0;
}

void Model::check_ids(std::span<const int32_t> ids) const { check_ids(0, ids); }

void Model::check_ids(SequenceId seq, std::span<const int32_t> ids) const {
  if (ids.empty()) throw std::invalid_argument("eval: no tokens");
  for (int32_t id : ids)
    if (id < 0 || static_cast<uint32_t>(id) >= info_.n_vocab)
      throw std::invalid_argument("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                                  std::to_string(info_.n_vocab - 1) + ")");
  const uint32_t n_past = sequence(seq).n_past;
  if (uint64_t(n_past) + ids.size() > cache_->capacity())
    throw std::runtime_error("context full: " + std::to_string(n_past) + " + " + std::to_string(ids.size()) +
                             " tokens exceed the context of " + std::to_string(cache_->capacity()) + " (--ctx)");
}

std::vector<BatchSegment> Model::prepare(std::span<const SequenceStep> batch) {
  if (batch.empty()) throw std::invalid_argument("step: no sequences");
  uint64_t tokens = 0, blocks = 0;
  std::vector<bool> seen(sequences_.size());
  for (const SequenceStep& e : batch) {
    check_ids(e.sequence, e.ids);
    if (seen[e.sequence]) throw std::invalid_argument("step: sequence " + std::to_string(e.sequence) + " twice");
    seen[e.sequence] = true;
    tokens += e.ids.size();
    blocks += blocks_needed(e.sequence, static_cast<uint32_t>(e.ids.size()));
  }
  if (tokens > max_batch_)
    throw std::invalid_argument("step: " + std::to_string(tokens) + " tokens, more than the batch of " +
                                std::to_string(max_batch_));
  if (blocks > pool_.available())
    throw KvCacheFull("the KV cache has " + std::to_string(pool_.available()) + " free blocks of " +
                      std::to_string(KvCache::kBlockRows) + " positions, the step needs " + std::to_string(blocks));
  std::vector<BatchSegment> segments;
  for (const SequenceStep& e : batch) {
    Sequence& s = sequence(e.sequence);
    const size_t first = s.blocks.size();
    for (uint32_t b = blocks_needed(e.sequence, static_cast<uint32_t>(e.ids.size())); b > 0; --b)
      s.blocks.push_back(pool_.take());
    if (s.blocks.size() > first) cache_->set_blocks(e.sequence, static_cast<uint32_t>(first), std::span(s.blocks).subspan(first));
    segments.push_back({.slot = e.sequence, .position = s.n_past, .count = static_cast<uint32_t>(e.ids.size()), .output = e.output});
  }
  return segments;
}

namespace {
// The ids of a step, sequence after sequence.
std::vector<int32_t> step_ids(std::span<const SequenceStep> batch) {
  std::vector<int32_t> ids;
  for (const SequenceStep& e : batch) ids.insert(ids.end(), e.ids.begin(), e.ids.end());
  return ids;
}
uint32_t outputs(std::span<const SequenceStep> batch) {
  return static_cast<uint32_t>(std::count_if(batch.begin(), batch.end(), [](const SequenceStep& e) { return e.output; }));
}
// Output rows a graph is compiled for: a power of two, so that few shapes serve every step.
uint32_t output_rows_for(uint32_t outputs, uint32_t tokens) {
  return std::min(std::bit_ceil(std::max(outputs, 1u)), tokens);
}
}  // namespace

std::vector<float> Model::step(std::span<const SequenceStep> batch) {
  const std::vector<BatchSegment> segments = prepare(batch);
  const std::vector<int32_t> ids = step_ids(batch);
  const uint32_t n = static_cast<uint32_t>(ids.size()), wanted = outputs(batch);
  CompiledGraph& g = compiled(n, false, positions_bound(segments), 0, output_rows_for(wanted, n));
  std::vector<float> logits(uint64_t(wanted) * info_.n_vocab);
  g.run(ids, segments, logits);
  for (const SequenceStep& e : batch) appended(e.sequence, e.ids);
  account(g);
  return logits;
}

std::vector<std::vector<TopLogit>> Model::step_top(std::span<const SequenceStep> batch, uint32_t k) {
  if (k == 0 || k > CompiledGraph::kMaxTopK)
    throw std::invalid_argument("step_top: k must be 1.." + std::to_string(CompiledGraph::kMaxTopK));
  const std::vector<BatchSegment> segments = prepare(batch);
  const std::vector<int32_t> ids = step_ids(batch);
  const uint32_t n = static_cast<uint32_t>(ids.size());
  CompiledGraph& g = compiled(n, false, positions_bound(segments), k, output_rows_for(outputs(batch), n));
  std::vector<std::vector<TopLogit>> top = g.run_top(ids, segments);
  for (const SequenceStep& e : batch) appended(e.sequence, e.ids);
  account(g);
  return top;
}

std::vector<TopLogit> Model::eval_top(std::span<const int32_t> ids, uint32_t k) {
  check_ids(ids);
  // Everything before the last batch only fills the KV cache.
  size_t head = ids.size() > max_batch_ ? (ids.size() - 1) / max_batch_ * max_batch_ : 0;
  if (head) eval(ids.first(head), false);
  const SequenceStep last{.sequence = 0, .ids = ids.subspan(head)};
  return std::move(step_top(std::span(&last, 1), k).front());
}

std::vector<float> Model::eval(std::span<const int32_t> ids, bool all_logits) {
  check_ids(ids);
  std::vector<float> logits;
  std::vector<float> chunk_logits;
  // All logits of a batch are one activation: a batch has no more rows than one binding holds.
  uint64_t binding = kernels_ ? kernels_->max_binding_bytes : runtime_.device().info().max_storage_buffer_range;
  uint64_t batch = all_logits ? std::clamp<uint64_t>(binding / (uint64_t(info_.n_vocab) * 4), 1, max_batch_) : max_batch_;
  for (size_t done = 0; done < ids.size();) {
    const uint32_t n = static_cast<uint32_t>(std::min<size_t>(ids.size() - done, batch));
    const SequenceStep chunk{.sequence = 0, .ids = ids.subspan(done, n)};
    const std::vector<BatchSegment> segments = prepare(std::span(&chunk, 1));
    CompiledGraph& g = compiled(n, all_logits, positions_bound(segments));
    chunk_logits.resize(uint64_t(all_logits ? n : 1) * g.output_cols());
    g.run(chunk.ids, segments, chunk_logits);
    account(g);
    appended(0, chunk.ids);
    done += n;
    if (all_logits) logits.insert(logits.end(), chunk_logits.begin(), chunk_logits.end());
  }
  if (!all_logits) logits = std::move(chunk_logits);
  return logits;
}

Graph Model::decode_graph() const {
  Graph graph(*source_, 1, false, cache_->capacity());
  build(graph);
  return graph;
}

}  // namespace rbee
