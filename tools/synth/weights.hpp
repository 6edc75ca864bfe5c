#pragma once
#include <cstdint>
#include <functional>
#include <span>

#include "synth/model_plan.hpp"

namespace rbee::synth {

// Produces a tensor's values row by row, encodes them in its type on `threads` threads (0: the
// hardware's) and hands the bytes to sink in file order, a few megabytes at a time.
// Init::Random rows are normal(0, 0.02)-like (a sum of four uniforms), fixed by seed, the
// tensor's name and the row alone: any split over threads gives the same bytes, and a model
// with fewer layers shares its tensors with the full one.
void encode_tensor(const TensorPlan& t, uint64_t seed, unsigned threads,
                   const std::function<void(std::span<const uint8_t>)>& sink);

}  // namespace rbee::synth
