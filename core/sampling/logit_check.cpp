#include "sampling/logit_check.hpp"

#include <cmath>
#include <limits>

namespace rbee {
namespace {

// Sorts one logit into what check() needs to know; true when it alone makes the row unusable.
struct LogitTally {
  bool nan = false, inf = false, finite = false;
  bool add(float x) {
    if (std::isnan(x)) nan = true;
    else if (x == std::numeric_limits<float>::infinity()) inf = true;
    else if (std::isfinite(x)) finite = true;
    return nan || inf;
  }
  void check() const {
    if (nan) throw BadLogits("the model produced NaN logits");
    if (inf) throw BadLogits("the model produced infinite logits");
    if (!finite) throw BadLogits("the model produced no finite logit (all are -inf)");
  }
};

}  // namespace

void check_logits(std::span<const float> logits) {
  LogitTally tally;
  for (float x : logits)
    if (tally.add(x)) break;
  tally.check();
}

void check_candidates(std::span<const Candidate> best) {
  LogitTally tally;
  for (const Candidate& c : best)
    if (tally.add(c.logit)) break;
  tally.check();
}

}  // namespace rbee
