#include "options.hpp"

#include "progress.hpp"

namespace rbee::host {

void add_model_args(CLI::App& cmd, ModelArgs& args) {
  cmd.add_option("model", args.path, "GGUF file or Hugging Face folder (config.json + *.safetensors)")->required();
  cmd.add_option("--ctx", args.context, "context length in tokens (default: the model's, at most 4096)");
  cmd.add_option("--kv-type", args.kv_type, "KV cache element type")->check(CLI::IsMember({"f16", "f32"}));
  cmd.add_option("--plugin", args.plugin, "use this plugin (by name) whatever the priorities");
}

RuntimeOptions runtime_options(const GlobalArgs& global) {
  RuntimeOptions o;
  o.device = global.device;
  for (const auto& d : global.plugin_dirs) o.plugin_dirs.emplace_back(d);
  return o;
}

std::unique_ptr<Model> load_model(Runtime& runtime, const ModelArgs& args) {
  ModelOptions o;
  o.context = args.context;
  o.kv_type = args.kv_type == "f32" ? KvType::F32 : KvType::F16;
  o.plugin = args.plugin;
  o.profile = args.profile;
  Progress progress("loading");
  o.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  auto model = std::make_unique<Model>(runtime, args.path, o);
  progress.finish();
  return model;
}

}  // namespace rbee::host
