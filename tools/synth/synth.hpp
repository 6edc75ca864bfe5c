#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "synth/model_plan.hpp"

namespace rbee::synth {

struct SynthOptions {
  std::string preset;  // a name from presets()
  FileType type = FileType::F16;
  std::filesystem::path output;
  PlanOptions plan;  // --layers; a smaller vocabulary for tests
  uint64_t seed = 1;
  unsigned threads = 0;  // 0: hardware_concurrency
  // Called after each tensor with (bytes written, bytes in all).
  std::function<void(uint64_t, uint64_t)> progress;
};

struct SynthResult {
  uint64_t bytes = 0;  // file size
  size_t tensors = 0;
};

// Writes a GGUF v3 file of the preset's shape with random weights in the requested type:
// to output + ".tmp" first, renamed to output once complete. Throws std::invalid_argument for
// an unknown preset or bad options, std::runtime_error on I/O failure.
SynthResult write_model(const SynthOptions& options);

// Writes a plan as write_model does (options' output, seed, threads and progress; its preset and
// plan are not read): a preset with changed dimensions (tests shrink a preset's shape, e.g. a
// qwen3-30b-a3b of 2 small layers and 16 experts, through plan_model on a copy of the Preset).
SynthResult write_plan(const ModelPlan& plan, const SynthOptions& options);

}  // namespace rbee::synth
