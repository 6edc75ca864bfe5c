// rbee synth: a GGUF of a real model's shape with random weights, in any supported type.
#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "option_checks.hpp"
#include "progress.hpp"
#include "synth/synth.hpp"

namespace rbee::host {
namespace {

constexpr uint32_t kMaxLayers = 1024;
constexpr unsigned kMaxThreads = 1024;

struct SynthArgs {
  std::string preset;
  std::string type = "f16";
  std::string output;
  uint32_t layers = 0;
  uint64_t seed = 1;
  unsigned threads = 0;
};

void synthesize(const SynthArgs& args) {
  synth::SynthOptions o;
  o.preset = args.preset;
  o.type = *synth::parse_file_type(args.type);  // checked by CLI11
  o.output = args.output;
  if (args.layers) o.plan.layers = args.layers;
  o.seed = args.seed;
  o.threads = args.threads;
  Progress progress("writing");
  o.progress = [&](uint64_t done, uint64_t total) { progress.update(done, total); };
  const auto start = std::chrono::steady_clock::now();
  const synth::SynthResult r = synth::write_model(o);
  progress.finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("wrote %s: %s %s, %zu tensors, %.1f MiB (%llu bytes) in %.1f s\n", args.output.c_str(),
              args.preset.c_str(), args.type.c_str(), r.tensors, r.bytes / 1048576.0,
              static_cast<unsigned long long>(r.bytes), seconds);
}

}  // namespace

void add_synth_command(CLI::App& app, const GlobalArgs&) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* cmd = app.add_subcommand(
      "synth", "write a GGUF of a real model's shape with random weights (loadable by rbee and llama.cpp)");
  std::vector<std::string> presets, types;
  for (const auto& p : synth::presets()) presets.emplace_back(p.name);
  for (const auto& t : synth::file_types()) types.emplace_back(t.name);
  cmd->add_option("--preset", args->preset, "model shape")->required()->check(CLI::IsMember(presets));
  cmd->add_option("--type", args->type, "file type, mixed per tensor as llama-quantize does (default f16)")
      ->check(CLI::IsMember(types, CLI::ignore_case));
  cmd->add_option("-o,--output", args->output, "GGUF file to write")->required();
  // Bounded before anything is planned or allocated: the largest real models have under 200 blocks.
  cmd->add_option("--layers", args->layers, "number of blocks, 1 to " + std::to_string(kMaxLayers) + " (default: the preset's)")
      ->check(integer_in(1, kMaxLayers));
  cmd->add_option("--seed", args->seed, "random seed of the weights (default 1)")->check(integer_in(0, UINT64_MAX));
  cmd->add_option("--threads", args->threads,
                  "encoding threads, 0 to " + std::to_string(kMaxThreads) + " (default 0: all cores)")
      ->check(integer_in(0, kMaxThreads));
  cmd->callback([args] { synthesize(*args); });
}

}  // namespace rbee::host
