#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "synth/file_type.hpp"
#include "synth/presets.hpp"
#include "util/dtype.hpp"

namespace rbee::synth {

class GgufWriter;

// How a tensor's values are made.
enum class Init { Random, Ones, Values };

struct TensorPlan {
  std::string name;           // llama.cpp's name ("blk.3.attn_v.weight")
  std::vector<uint64_t> ne;   // GGML order: row length first
  rbee_tensor_id role;        // names it (the SDK's table of llama.cpp's names)
  int layer = -1;             // block index, -1 outside blocks
  DType type = DType::F32;
  Init init = Init::Random;
  std::vector<float> values;  // Init::Values

  uint64_t row_length() const { return ne[0]; }
  uint64_t rows() const {
    uint64_t n = 1;
    for (size_t i = 1; i < ne.size(); ++i) n *= ne[i];
    return n;
  }
};

struct PlanOptions {
  std::optional<uint32_t> layers;  // fewer (or more) blocks than the preset
  std::optional<uint32_t> vocab;   // a smaller vocabulary (tests)
};

struct ModelPlan {
  Preset preset;  // with the overrides applied
  FileType file_type;
  std::vector<TensorPlan> tensors;
};

// The tensors of the preset's architecture, in the order llama.cpp's converter writes them,
// with the per-tensor type llama-quantize would choose. Throws std::invalid_argument for an
// architecture synth does not know yet or bad overrides.
ModelPlan plan_model(const Preset& preset, FileType type, const PlanOptions& options = {});

// llama.cpp's convert_hf_to_gguf rope_freqs for "llama3" RoPE scaling: head_dim/2 factors.
std::vector<float> llama3_rope_factors(uint32_t head_dim, float theta, const Llama3Rope& rope);

// Every metadata key llama.cpp's loader reads for the plan's architecture, and the vocabulary.
void add_metadata(GgufWriter& writer, const ModelPlan& plan);

}  // namespace rbee::synth
