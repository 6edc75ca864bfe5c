#include "options.hpp"

#include <algorithm>
#include <cctype>

#include "option_checks.hpp"
#include "progress.hpp"

namespace rbee::host {

namespace {

// Types FP8 weights may become (--quantize), by lower-case name.
constexpr DType kFp8Targets[] = {DType::BF16, DType::F16,  DType::F32,  DType::Q8_0,   DType::Q6_K,
                                 DType::Q5_K, DType::Q5_1, DType::Q5_0, DType::Q4_K,   DType::Q4_1,
                                 DType::Q4_0, DType::Q3_K, DType::Q2_K, DType::IQ4_NL, DType::MXFP4};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return out;
}

DType fp8_target(const std::string& name) {
  for (DType t : kFp8Targets)
    if (lower(dtype_name(t)) == lower(name)) return t;
  return DType::BF16;  // unreachable: the option is checked against kFp8Targets
}

}  // namespace

void add_model_args(CLI::App& cmd, ModelArgs& args, ModelArg model) {
  const std::string what = "GGUF file or Hugging Face folder (config.json + *.safetensors)";
  if (model == ModelArg::Required)
    cmd.add_option("model", args.path, what)->required();
  else
    cmd.add_option("model", args.path, what + "; default: rbee's demo model, a tiny Llama trained on fortune cookies");
  cmd.add_option("--ctx,--ctx-size", args.context,
                 "context length in tokens, per sequence (0 or unset: the model's, at most 4096)")
      ->check(integer_in(0, kNoLimit));
  cmd.add_option("--kv-type", args.kv_type, "KV cache element type")->check(CLI::IsMember({"f16", "f32"}));
  cmd.add_option("--plugin", args.plugin, "use this plugin (by name) whatever the priorities");
  std::vector<std::string> targets;
  for (DType t : kFp8Targets) targets.push_back(lower(dtype_name(t)));
  cmd.add_option("--quantize", args.quantize,
                 "type that FP8 (e4m3, block-scaled) safetensors weights become on load; other "
                 "tensors stay as stored")
      ->check(CLI::IsMember(targets, CLI::ignore_case))
      ->default_str("bf16");
}

void add_sampling_args(CLI::App& cmd, SamplerParams& params) {
  // The ranges llama.cpp and transformers give them; the penalties' are the OpenAI API's, which
  // serve's requests are held to as well.
  cmd.add_option("--temp", params.temperature, "temperature; 0 = greedy")->check(number_in(0, kNoLimit));
  cmd.add_option("--top-k", params.top_k, "keep the k most likely tokens (0 = off)")->check(integer_in(0, kNoLimit));
  cmd.add_option("--top-p", params.top_p, "nucleus sampling threshold (1 = off)")->check(number_above(0, 1));
  cmd.add_option("--min-p", params.min_p, "drop tokens below min_p x the top probability (0 = off)")
      ->check(number_in(0, 1));
  cmd.add_option("--repeat-penalty", params.repeat_penalty, "penalty for repeated tokens (1 = off)")
      ->check(number_above(0));
  cmd.add_option("--presence-penalty", params.presence_penalty, "subtracted once per seen token")
      ->check(number_in(-2, 2));
  cmd.add_option("--frequency-penalty", params.frequency_penalty, "subtracted per occurrence")->check(number_in(-2, 2));
  cmd.add_option("--repeat-last-n", params.penalty_last_n,
                 "tokens the penalties look back over (0 = penalties off, -1 = the whole context)")
      ->check(integer_in(-1, kNoLimit));
  cmd.add_option("--seed", params.seed, "random seed (0 = random); same seed, same output")
      ->check(integer_in(0, UINT64_MAX));
}

std::vector<int32_t> parse_ids(const std::string& text) {
  std::vector<int32_t> out;
  const char* separators = ", \t\r\n";
  for (size_t at = text.find_first_not_of(separators); at != std::string::npos;) {
    size_t end = std::min(text.find_first_of(separators, at), text.size());
    std::string item = text.substr(at, end - at);
    try {
      size_t used = 0;
      long v = std::stol(item, &used);
      if (used != item.size() || v < 0 || v > INT32_MAX) throw std::out_of_range(item);
      out.push_back(static_cast<int32_t>(v));
    } catch (const std::exception&) {
      throw std::invalid_argument("--ids: \"" + item + "\" is not a token id (expected e.g. 5,17,300)");
    }
    at = text.find_first_not_of(separators, end);
  }
  if (out.empty()) throw std::invalid_argument("--ids: no token ids given (expected e.g. 5,17,300)");
  return out;
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
  o.fp8_type = fp8_target(args.quantize);
  o.profile = args.profile;
  o.sequences = args.sequences;
  o.kv_budget_bytes = args.kv_budget_bytes;
  Progress progress("loading");
  o.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  auto model = std::make_unique<Model>(runtime, args.path, o);
  progress.finish();
  return model;
}

}  // namespace rbee::host
