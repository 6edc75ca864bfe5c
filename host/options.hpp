#pragma once
#include <CLI/CLI.hpp>

#include "engine/model.hpp"
#include "engine/next_token.hpp"
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
  uint32_t sequences = 1;  // set by commands that run several sequences at once
  uint64_t kv_budget_bytes = 0;  // serve's --kv-budget (ModelOptions::kv_budget_bytes)
};

struct GlobalArgs {
  bool verbose = false;
  int device = -1;
  std::vector<std::string> plugin_dirs;
};

// Whether a command needs a model named, or runs the demo model without one (demo_model.hpp).
enum class ModelArg { Required, DemoByDefault };
void add_model_args(CLI::App& cmd, ModelArgs& args, ModelArg model = ModelArg::Required);
// --temp, --top-k, ... --seed: how the next token is chosen.
void add_sampling_args(CLI::App& cmd, SamplerParams& params);
// "5,17,300", "5 17 300" or one id a line -> {5, 17, 300}; throws std::invalid_argument naming
// the first item that is not a token id.
std::vector<int32_t> parse_ids(const std::string& text);
RuntimeOptions runtime_options(const GlobalArgs& global);
// Loads the model with a progress display on stderr.
std::unique_ptr<Model> load_model(Runtime& runtime, const ModelArgs& args);

}  // namespace rbee::host
