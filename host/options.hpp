#pragma once
#include <CLI/CLI.hpp>

#include "engine/model.hpp"
#include "engine/runtime.hpp"

namespace rbee::host {

// Options every command that loads a model shares.
struct ModelArgs {
  std::string path;
  uint32_t context = 0;
  std::string kv_type = "f16";
  std::string plugin;
  std::string quantize = "bf16";  // what FP8 safetensors weights become on load
  bool profile = false;  // set by commands that report kernel times
};

struct GlobalArgs {
  bool verbose = false;
  int device = -1;
  std::vector<std::string> plugin_dirs;
};

void add_model_args(CLI::App& cmd, ModelArgs& args);
RuntimeOptions runtime_options(const GlobalArgs& global);
// Loads the model with a progress display on stderr.
std::unique_ptr<Model> load_model(Runtime& runtime, const ModelArgs& args);

}  // namespace rbee::host
