#include "graph/rope_table.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rbee {

namespace {

// transformers' YaRN: pairs rotating fewer than beta_slow times over the original context are
// interpolated (divided by factor), those rotating more than beta_fast times kept, a linear
// ramp between; the correction range is rounded outwards ("truncate") unless yarn_no_truncate.
double yarn_inv_freq(const rbee_rope_params& p, size_t j, double inv) {
  const double dim = p.n_rot, base = p.theta, ctx = p.original_max_positions;
  auto correction_dim = [&](double rotations) {
    return dim * std::log(ctx / (rotations * 2 * std::numbers::pi)) / (2 * std::log(base));
  };
  double low = correction_dim(p.beta_fast), high = correction_dim(p.beta_slow);
  if (!p.yarn_no_truncate) {
    low = std::floor(low);
    high = std::ceil(high);
  }
  low = std::max(low, 0.0);
  high = std::min(high, dim - 1);
  if (low == high) high += 0.001;
  double ramp = std::clamp((double(j) - low) / (high - low), 0.0, 1.0);
  double extrapolation = 1.0 - ramp;
  return inv / p.factor * (1.0 - extrapolation) + inv * extrapolation;
}

}  // namespace

std::vector<float> rope_frequencies(const rbee_rope_params& p) {
  std::vector<float> freq(p.n_rot / 2);
  for (size_t j = 0; j < freq.size(); ++j) {
    double inv = 1.0 / std::pow(double(p.theta), double(2 * j) / double(p.n_rot));
    if (p.scaling == RBEE_ROPE_SCALING_YARN) {
      inv = yarn_inv_freq(p, j, inv);
    } else if (p.scaling == RBEE_ROPE_SCALING_LINEAR) {
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
