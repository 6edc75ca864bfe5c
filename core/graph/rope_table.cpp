#include "graph/rope_table.hpp"

#include <cmath>
#include <numbers>

namespace rbee {

std::vector<float> rope_frequencies(const rbee_rope_params& p) {
  std::vector<float> freq(p.n_rot / 2);
  for (size_t j = 0; j < freq.size(); ++j) {
    double inv = 1.0 / std::pow(double(p.theta), double(2 * j) / double(p.n_rot));
    if (p.scaling == RBEE_ROPE_SCALING_LINEAR) {
      inv /= p.factor;
    } else if (p.scaling == RBEE_ROPE_SCALING_LLAMA3) {
      // Llama 3.1: long wavelengths slowed by `factor`, short ones kept, a smooth blend between.
      double old_ctx = p.original_max_positions;
      double low_wavelen = old_ctx / p.low_freq_factor;
      double high_wavelen = old_ctx / p.high_freq_factor;
      double wavelen = 2.0 * std::numbers::pi / inv;
      if (wavelen > low_wavelen) {
        inv /= p.factor;
      } else if (wavelen >= high_wavelen) {
        double smooth = (old_ctx / wavelen - p.low_freq_factor) / (p.high_freq_factor - p.low_freq_factor);
        inv = (1.0 - smooth) * inv / p.factor + smooth * inv;
      }
    }
    freq[j] = static_cast<float>(inv);
  }
  return freq;
}

}  // namespace rbee
