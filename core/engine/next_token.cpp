#include "engine/next_token.hpp"

#include <vector>

namespace rbee {

int32_t next_token(Model& model, Sampler& sampler, std::span<const int32_t> ids) {
  uint32_t k = sampler.candidates_needed(CompiledGraph::kMaxTopK);
  if (k == 0) return sampler.sample(model.eval(ids, false));
  std::vector<Candidate> best;
  for (const TopLogit& t : model.eval_top(ids, k)) best.push_back({t.id, t.logit});
  return sampler.sample_top(best);
}

}  // namespace rbee
