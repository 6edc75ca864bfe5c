#include "sampling/truncation.hpp"

#include <algorithm>
#include <cmath>

namespace rbee {

namespace {
bool better(const Candidate& a, const Candidate& b) {
  return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
}
}  // namespace

void softmax(std::vector<Candidate>& c, float temperature) {
  if (c.empty()) return;
  const float max_logit = std::max_element(c.begin(), c.end(), better)->logit;
  double sum = 0;
  for (auto& x : c) {
    x.p = std::exp((x.logit - max_logit) / temperature);
    sum += x.p;
  }
  for (auto& x : c) x.p = static_cast<float>(x.p / sum);
}

void top_k(std::vector<Candidate>& c, int32_t k) {
  if (k <= 0 || static_cast<size_t>(k) >= c.size()) {
    std::sort(c.begin(), c.end(), better);
    return;
  }
  const auto kth = c.begin() + k;
  std::partial_sort(c.begin(), kth, c.end(), better);
  c.erase(kth, c.end());
}

void top_p(std::vector<Candidate>& c, float p) {
  if (!(p < 1.0f)) return;  // also NaN
  softmax(c);
  double mass = 0;
  size_t keep = 0;
  while (keep < c.size()) {
    mass += c[keep++].p;
    if (mass >= p) break;
  }
  c.resize(std::max<size_t>(keep, 1));
}

void min_p(std::vector<Candidate>& c, float min_p) {
  if (!(min_p > 0.0f) || c.empty()) return;
  softmax(c);
  const float threshold = c.front().p * std::min(min_p, 1.0f);
  size_t keep = 1;
  while (keep < c.size() && c[keep].p >= threshold) ++keep;
  c.resize(keep);
}

}  // namespace rbee
