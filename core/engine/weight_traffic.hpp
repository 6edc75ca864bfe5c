#pragma once
#include <cstdint>

#include "engine/model.hpp"

namespace rbee {

// Bytes of weights one generated token reads, from the model's decode graph (one token): every
// weight an op reads in full, one row of a weight only embedded from (the token embedding
// table, unless the output shares it), and n_used / n_expert of experts' weights. Times
// generation's tokens/s, it is the weight bandwidth generation achieves (rbee bench).
uint64_t weight_bytes_per_token(const Model& model);

}  // namespace rbee
