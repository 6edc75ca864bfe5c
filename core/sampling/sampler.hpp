#pragma once
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include "sampling/penalty_window.hpp"
#include "sampling/truncation.hpp"

namespace rbee {

// Out-of-range values are not errors; each field says how it is read.
struct SamplerParams {
  float temperature = 0.8f;      // <= 0 (or NaN): greedy, the argmax after penalties
  int32_t top_k = 40;            // <= 0 or >= n_vocab: disabled
  float top_p = 0.95f;           // >= 1 (or NaN): disabled; <= 0: only the most likely token
  float min_p = 0.05f;           // <= 0 (or NaN): disabled; >= 1: only the most likely tokens
  float repeat_penalty = 1.0f;   // 1: none; <= 0 (or NaN): none
  float presence_penalty = 0;    // subtracted once from every token in the window
  float frequency_penalty = 0;   // subtracted once per occurrence in the window
  int32_t penalty_last_n = 64;   // window of accepted tokens; 0: penalties off; < 0: all since reset()
  uint64_t seed = 0;             // 0: a random seed
};

// Picks the next token from a row of logits, in llama.cpp's common-sampler order: penalties,
// top-k, top-p, min-p, temperature, then a draw. Not thread-safe; one per sequence.
class Sampler {
 public:
  // Throws std::invalid_argument when n_vocab is 0 or above INT32_MAX.
  explicit Sampler(SamplerParams params, size_t n_vocab);

  // Throws std::invalid_argument when logits.size() != n_vocab, BadLogits (logit_check.hpp)
  // when no token can be drawn from them (NaN or +inf among them, or all -inf).
  int32_t sample(std::span<const float> logits);
  // How many of the best logits sample_top() needs to give exactly what sample() would: 1 when
  // greedy, top_k when it is active, 0 (the whole row is needed) when penalties apply, top_k
  // is off, or it exceeds max_k.
  uint32_t candidates_needed(uint32_t max_k) const;
  // sample() from only the best candidates_needed() logits, best first with equal logits in id
  // order (as a device top-k delivers them). Throws BadLogits as sample() does.
  int32_t sample_top(std::span<const Candidate> best);
  // Records a token the sequence now contains (sampled or from the prompt) for the penalties.
  // Throws std::out_of_range when id is not a vocabulary id.
  void accept(int32_t id);
  // Forgets the accepted tokens; the random generator keeps its state.
  void reset();

  const SamplerParams& params() const { return params_; }

 private:
  void apply_penalties();
  int32_t draw();

  SamplerParams params_;
  size_t n_vocab_;
  PenaltyWindow window_;
  std::mt19937_64 rng_;
  std::vector<Candidate> candidates_;  // reused between calls to avoid reallocating
};

}  // namespace rbee
