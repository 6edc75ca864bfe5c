#include "engine/next_token.hpp"

#include <string>
#include <vector>

#include "sampling/logit_check.hpp"

namespace rbee {

namespace {

int32_t sample_next(Model& model, Sampler& sampler, std::span<const int32_t> ids) {
  uint32_t k = sampler.candidates_needed(CompiledGraph::kMaxTopK);
  if (k == 0) return sampler.sample(model.eval(ids, false));
  std::vector<Candidate> best;
  for (const TopLogit& t : model.eval_top(ids, k)) best.push_back({t.id, t.logit});
  return sampler.sample_top(best);
}

}  // namespace

int32_t next_token(Model& model, Sampler& sampler, std::span<const int32_t> ids) {
  try {
    return sample_next(model, sampler, ids);
  } catch (const BadLogits& e) {
    // The logits are those of the last position evaluated.
    throw ModelError(model.source().path().string() + ": " + e.what() + " at position " +
                     std::to_string(model.n_past() - 1) + " (a broken weight or hyperparameter)");
  }
}

}  // namespace rbee
