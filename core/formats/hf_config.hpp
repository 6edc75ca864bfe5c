#pragma once
#include <filesystem>

#include <nlohmann/json.hpp>

namespace rbee {

// Reads a Hugging Face config.json and normalizes its RoPE keys (see normalize_rope).
// Throws FormatError naming the file when it is missing or not a JSON object.
nlohmann::json load_hf_config(const std::filesystem::path& file);

// Makes both RoPE spellings available, keeping the original keys:
//  - transformers 5: "rope_parameters": {"rope_theta", "rope_type", "factor", ...}
//  - older:          "rope_theta" and "rope_scaling": {"type" or "rope_type", "factor", ...}
//                    ("partial_rotary_factor" too sits at the top level)
// After the call, "rope_theta", "partial_rotary_factor", "rope_scaling" (with both "rope_type"
// and "type"; null when the RoPE is unscaled) and "rope_parameters" are present wherever either
// spelling gave them.
// rope_parameters nested per layer type (gemma3: {"full_attention": {...}, ...}) is left as is.
void normalize_rope(nlohmann::json& config);

}  // namespace rbee
