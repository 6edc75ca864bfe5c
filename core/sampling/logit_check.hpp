#pragma once
#include <span>
#include <stdexcept>

#include "sampling/truncation.hpp"

namespace rbee {

// Logits no token can be drawn from: a NaN or +inf among them, or every one -inf. A broken
// model (NaN weights, a negative norm epsilon) gives them; picking token 0 would hide it.
class BadLogits : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throw BadLogits saying what is wrong ("the model produced NaN logits").
void check_logits(std::span<const float> logits);
// The same for the best candidates a device top-k returned: a row of NaN puts NaN first.
void check_candidates(std::span<const Candidate> best);

}  // namespace rbee
