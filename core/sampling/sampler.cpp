#include "sampling/sampler.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "sampling/logit_check.hpp"

namespace rbee {

namespace {
uint64_t seed_or_random(uint64_t seed) {
  if (seed != 0) return seed;
  std::random_device rd;
  return (static_cast<uint64_t>(rd()) << 32) ^ rd();
}
}  // namespace

Sampler::Sampler(SamplerParams params, size_t n_vocab)
    : params_(params), n_vocab_(n_vocab), window_(params.penalty_last_n),
      rng_(seed_or_random(params.seed)) {
  if (n_vocab == 0 || n_vocab > static_cast<size_t>(std::numeric_limits<int32_t>::max()))
    throw std::invalid_argument("sampler: vocabulary size " + std::to_string(n_vocab) +
                                " is out of range");
}

void Sampler::accept(int32_t id) {
  if (id < 0 || static_cast<size_t>(id) >= n_vocab_)
    throw std::out_of_range("sampler: token id " + std::to_string(id) + " is not below n_vocab " +
                            std::to_string(n_vocab_));
  window_.push(id);
}

void Sampler::reset() { window_.clear(); }

// Same arithmetic as llama.cpp's penalties sampler; candidates_ is still indexed by id here.
void Sampler::apply_penalties() {
  const float repeat = params_.repeat_penalty > 0.0f ? params_.repeat_penalty : 1.0f;
  for (const auto& [id, count] : window_.counts()) {
    float& logit = candidates_[static_cast<size_t>(id)].logit;
    logit = logit > 0 ? logit / repeat : logit * repeat;
    logit -= static_cast<float>(count) * params_.frequency_penalty + params_.presence_penalty;
  }
}

int32_t Sampler::sample(std::span<const float> logits) {
  if (logits.size() != n_vocab_)
    throw std::invalid_argument("sampler: got " + std::to_string(logits.size()) +
                                " logits for a vocabulary of " + std::to_string(n_vocab_));
  check_logits(logits);
  candidates_.resize(n_vocab_);
  for (size_t i = 0; i < n_vocab_; ++i) candidates_[i] = {static_cast<int32_t>(i), logits[i]};
  apply_penalties();

  if (!(params_.temperature > 0.0f)) {  // greedy; also NaN
    const Candidate* best = &candidates_[0];
    for (const auto& c : candidates_)
      if (c.logit > best->logit) best = &c;  // strict: the lowest id wins ties
    return best->id;
  }

  top_k(candidates_, params_.top_k);
  top_p(candidates_, params_.top_p);
  min_p(candidates_, params_.min_p);
  softmax(candidates_, params_.temperature);
  return draw();
}

uint32_t Sampler::candidates_needed(uint32_t max_k) const {
  const bool penalties = params_.penalty_last_n != 0 &&
                         ((params_.repeat_penalty > 0.0f && params_.repeat_penalty != 1.0f) ||
                          params_.presence_penalty != 0.0f || params_.frequency_penalty != 0.0f);
  if (penalties) return 0;
  if (!(params_.temperature > 0.0f)) return 1;
  if (params_.top_k <= 0 || static_cast<uint32_t>(params_.top_k) > max_k) return 0;
  return static_cast<uint32_t>(std::min<size_t>(params_.top_k, n_vocab_));
}

int32_t Sampler::sample_top(std::span<const Candidate> best) {
  if (best.empty()) throw std::invalid_argument("sampler: no candidates");
  check_candidates(best);
  if (!(params_.temperature > 0.0f)) return best.front().id;
  // top_k() keeps these (they already are the k best, in its order); the rest is as sample().
  candidates_.assign(best.begin(), best.end());
  top_k(candidates_, params_.top_k);
  top_p(candidates_, params_.top_p);
  min_p(candidates_, params_.min_p);
  softmax(candidates_, params_.temperature);
  return draw();
}

// Inverse-CDF draw with our own uniform so a seed gives the same tokens on every standard library.
int32_t Sampler::draw() {
  const double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;  // [0, 1)
  double mass = 0;
  for (const auto& c : candidates_) {
    mass += c.p;
    if (u < mass) return c.id;
  }
  return candidates_.back().id;  // rounding left u above the total mass
}

}  // namespace rbee
