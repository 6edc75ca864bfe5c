#include "synth/synth.hpp"

#include <stdexcept>

#include "synth/gguf_writer.hpp"
#include "synth/weights.hpp"

namespace rbee::synth {

SynthResult write_model(const SynthOptions& options) {
  const Preset* preset = find_preset(options.preset);
  if (!preset) {
    std::string names;
    for (const auto& p : presets()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw std::invalid_argument("unknown preset '" + options.preset + "' (known: " + names + ")");
  }
  return write_plan(plan_model(*preset, options.type, options.plan), options);
}

SynthResult write_plan(const ModelPlan& plan, const SynthOptions& options) {
  GgufWriter writer;
  add_metadata(writer, plan);
  for (const auto& t : plan.tensors) writer.add_tensor(t.name, t.ne, t.type);
  const uint64_t total = writer.file_size();

  writer.open(options.output);
  uint64_t done = 0;
  for (const auto& t : plan.tensors) {
    encode_tensor(t, options.seed, options.threads, [&](std::span<const uint8_t> bytes) {
      writer.write(bytes);
      done += bytes.size();
    });
    if (options.progress) options.progress(done, total);
  }
  writer.finish();
  return SynthResult{.bytes = std::filesystem::file_size(options.output), .tensors = plan.tensors.size()};
}

}  // namespace rbee::synth
