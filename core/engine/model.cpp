#include "engine/model.hpp"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

#include "graph/graph.hpp"
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
  return ModelError(file.string() + ": " + message + " (plugin " + plugin.name() + ")");
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
  rbee_status s = p.create_model(&p, to_handle(*source_), &model, &err);
  if (s != RBEE_OK) {
    // The plugin names the metadata key; say which file holds it.
    auto where = source_->format() == ModelSource::Format::Gguf ? path : path / "config.json";
    throw plugin_failure(where, error_message(err, s), *plugin_);
  }
  if (model == nullptr) throw plugin_failure(path, "create_model returned no model", *plugin_);
  model_ = PluginModel(model, PluginModelDeleter{&p});
  info_.struct_size = sizeof info_;
  s = p.model_info(&p, model, &info_, &err);
  if (s != RBEE_OK) throw plugin_failure(path, "model_info failed: " + error_message(err, s), *plugin_);

  std::vector<rbee_kv_layout> layers(info_.n_layers);
  for (uint32_t l = 0; l < info_.n_layers; ++l) {
    layers[l].struct_size = sizeof(rbee_kv_layout);
    s = p.kv_layout(&p, model, l, &layers[l], &err);
    if (s != RBEE_OK)
      throw plugin_failure(path, "no KV layout for layer " + std::to_string(l) + ": " + error_message(err, s), *plugin_);
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
  cache_ = std::make_unique<KvCache>(device, layers, ctx, options.kv_type, max_batch_);
  compiled(1, false);  // uploads every weight the pass uses
  spdlog::debug("{}: {} MiB of weights on the device, KV cache of {} tokens in {} MiB", path.string(),
                weights_->bytes_uploaded() >> 20, ctx, cache_->bytes() >> 20);
}

Model::~Model() = default;  // the compiled graphs go before the plugin's model (members' order)

void PluginModelDeleter::operator()(rbee_model* model) const { plugin->destroy_model(plugin, model); }

std::vector<std::pair<std::string, std::string>> Model::hyperparameters() const {
  const rbee_plugin& p = plugin_->instance();
  if (p.describe == nullptr) return {};
  Hyperparameters out;
  rbee_error err = empty_error();
  const rbee_status s = p.describe(&p, model_.get(), Hyperparameters::collect, &out, &err);
  if (out.error) std::rethrow_exception(out.error);
  if (s != RBEE_OK) throw plugin_failure(source_->path(), "describe failed: " + error_message(err, s), *plugin_);
  return std::move(out.pairs);
}

void Model::build(Graph& graph) const {
  const rbee_plugin& p = plugin_->instance();
  rbee_error err = empty_error();
  const rbee_status s = p.build_graph(&p, model_.get(), reinterpret_cast<rbee_graph*>(&graph), &err);
  // The graph's own message says which op failed; the plugin's err is for what it found itself.
  if (graph.failed())
    throw plugin_failure(source_->path(), graph.error().empty() ? rbee_status_name(graph.status()) : graph.error(),
                         *plugin_);
  if (s != RBEE_OK) throw plugin_failure(source_->path(), error_message(err, s), *plugin_);
  if (graph.output() == RBEE_TENSOR_NONE) throw plugin_failure(source_->path(), "build_graph set no output", *plugin_);
}

CompiledGraph& Model::compiled(uint32_t n_tokens, bool all_logits, uint32_t top_k) {
  auto key = std::make_tuple(n_tokens, all_logits, top_k);
  if (auto it = graphs_.find(key); it != graphs_.end()) return *it->second;
  // Keep the decode graphs (one token) and a few prompt shapes.
  if (graphs_.size() >= 6) std::erase_if(graphs_, [](const auto& kv) { return std::get<0>(kv.first) != 1; });

  Graph graph(*source_, n_tokens, all_logits, cache_->capacity());
  build(graph);
  const Node& out = graph.node(graph.output());
  if (out.cols != info_.n_vocab)
    throw ModelError(source_->path().string() + ": the graph's logits have " + std::to_string(out.cols) +
                     " columns, the model's vocabulary " + std::to_string(info_.n_vocab));
  CompileOptions options{.top_k = top_k, .profile = profiling_, .kernels = kernels_ ? &*kernels_ : nullptr};
  auto compiled = std::make_unique<CompiledGraph>(runtime_.device(), runtime_.pipelines(), *weights_, *cache_, graph, options);
  return *graphs_.emplace(key, std::move(compiled)).first->second;
}

void Model::account(const CompiledGraph& g) {
  device_seconds_ += g.last_device_seconds();
  for (const auto& [kernel, seconds] : g.last_profile()) profile_[kernel] += seconds;
}

void Model::check_ids(std::span<const int32_t> ids) const {
  if (ids.empty()) throw std::invalid_argument("eval: no tokens");
  for (int32_t id : ids)
    if (id < 0 || static_cast<uint32_t>(id) >= info_.n_vocab)
      throw std::invalid_argument("token id " + std::to_string(id) + " is outside the vocabulary (0.." +
                                  std::to_string(info_.n_vocab - 1) + ")");
  if (uint64_t(n_past_) + ids.size() > cache_->capacity())
    throw std::runtime_error("context full: " + std::to_string(n_past_) + " + " + std::to_string(ids.size()) +
                             " tokens exceed the context of " + std::to_string(cache_->capacity()) + " (--ctx)");
}

std::vector<TopLogit> Model::eval_top(std::span<const int32_t> ids, uint32_t k) {
  check_ids(ids);
  if (k == 0 || k > CompiledGraph::kMaxTopK)
    throw std::invalid_argument("eval_top: k must be 1.." + std::to_string(CompiledGraph::kMaxTopK));
  // Everything before the last batch only fills the KV cache.
  size_t head = ids.size() > max_batch_ ? (ids.size() - 1) / max_batch_ * max_batch_ : 0;
  if (head) eval(ids.first(head), false);
  CompiledGraph& g = compiled(static_cast<uint32_t>(ids.size() - head), false, k);
  std::vector<TopLogit> top = g.run_top(ids.subspan(head), n_past_);
  n_past_ += static_cast<uint32_t>(ids.size() - head);
  account(g);
  return top;
}

std::vector<float> Model::eval(std::span<const int32_t> ids, bool all_logits) {
  check_ids(ids);
  std::vector<float> logits;
  std::vector<float> chunk_logits;
  // All logits of a batch are one activation: a batch has no more rows than one binding holds.
  uint64_t binding = kernels_ ? kernels_->max_binding_bytes : runtime_.device().info().max_storage_buffer_range;
  uint64_t batch = all_logits ? std::clamp<uint64_t>(binding / (uint64_t(info_.n_vocab) * 4), 1, max_batch_) : max_batch_;
  for (size_t done = 0; done < ids.size();) {
    uint32_t n = static_cast<uint32_t>(std::min<size_t>(ids.size() - done, batch));
    CompiledGraph& g = compiled(n, all_logits);
    chunk_logits.resize(uint64_t(g.output_rows()) * g.output_cols());
    g.run(ids.subspan(done, n), n_past_, chunk_logits);
    account(g);
    n_past_ += n;
    done += n;
    if (all_logits) logits.insert(logits.end(), chunk_logits.begin(), chunk_logits.end());
  }
  if (!all_logits) logits = std::move(chunk_logits);
  return logits;
}

bool Model::truncate(uint32_t n) {
  if (n > n_past_)
    throw std::invalid_argument("truncate: " + std::to_string(n) + " positions kept of " + std::to_string(n_past_));
  bool kept = cache_->can_truncate(n_past_, n);
  n_past_ = kept ? n : 0;
  return kept;
}

Graph Model::decode_graph() const {
  Graph graph(*source_, 1, false, cache_->capacity());
  build(graph);
  return graph;
}

}  // namespace rbee
