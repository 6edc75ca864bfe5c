#pragma once
#include <vector>

#include "rbee/graph.h"

namespace rbee {

// The angle per position of each rotation pair (n_rot / 2 values), with the scaling of
// params folded in, as transformers computes inv_freq.
std::vector<float> rope_frequencies(const rbee_rope_params& params);

}  // namespace rbee
