#pragma once
#include <string>

#include "rbee/plugin.h"

namespace rbee {

// Why what a plugin answered cannot describe a real model, or "" when it may: the limits are far
// above any model's, so that a garbage value (n_vocab 0xFFFFFFFF) is refused with its name before
// the host sizes memory by it.
std::string implausible_model_info(const rbee_model_info& info);
std::string implausible_kv_layout(const rbee_kv_layout& layout);

}  // namespace rbee
