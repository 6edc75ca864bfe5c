#pragma once
#include <cstdint>
#include <span>

#include "engine/model.hpp"
#include "sampling/sampler.hpp"

namespace rbee {

// Runs ids after the model's context and samples the next token. When the sampler needs only
// the best few logits (greedy, or top-k without penalties), they are selected on the device
// and only they come back; otherwise the whole row of logits does. Throws ModelError naming
// the model file and the position when the model produced logits no token can be drawn from
// (NaN, +inf, or all -inf).
int32_t next_token(Model& model, Sampler& sampler, std::span<const int32_t> ids);

}  // namespace rbee
