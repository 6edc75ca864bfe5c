// Model::truncate keeps a prefix of the context so a conversation re-evaluates only what
// changed: the positions evaluated again give the logits they gave the first time. A
// sliding-window layer whose ring has overwritten what the kept prefix needs refuses, forgetting
// everything, rather than attend to the wrong keys.
#include <gtest/gtest.h>

#include <numeric>

#include "models/model_test_util.hpp"

namespace rbee::test {
namespace {

std::vector<int32_t> prompt(size_t n) {
  std::vector<int32_t> ids(n);
  for (size_t i = 0; i < n; ++i) ids[i] = int32_t(3 + (i * 37) % 200);
  return ids;
}

// Evaluates 20 tokens, keeps `keep`, evaluates the rest again: their logits as before.
void expect_truncate_replays(const std::string& family, const ModelOptions& options, uint32_t keep) {
  Model model(runtime(), fixtures() / "tiny" / family, options);
  const auto ids = prompt(20);
  const std::vector<float> first = model.eval(ids, true);
  ASSERT_TRUE(model.truncate(keep));
  EXPECT_EQ(model.n_past(), keep);
  const std::vector<float> again = model.eval(std::span(ids).subspan(keep), true);
  const std::vector<float> tail(first.end() - again.size(), first.end());
  EXPECT_LT(max_abs_diff(again, tail), 1e-5f) << family;
}

TEST(Truncate, ReplaysTheForgottenPositions) {
  expect_truncate_replays("llama", {}, 12);
  ModelOptions ring;
  ring.max_batch = 4;  // gemma2's window is 8: its sliding-window layers keep a ring of 11 rows
  expect_truncate_replays("gemma2", ring, 17);
}

TEST(Truncate, RefusesWhereTheRingOverwroteKeptPositions) {
  ModelOptions options;
  options.max_batch = 2;  // gemma2's window is 8: a ring of 9 rows
  Model model(runtime(), fixtures() / "tiny" / "gemma2", options);
  const auto ids = prompt(30);
  model.eval(ids, false);
  EXPECT_FALSE(model.truncate(10));  // positions 2..9 are gone from the ring
  EXPECT_EQ(model.n_past(), 0u);
  model.eval(std::span(ids).first(20), false);
  EXPECT_TRUE(model.truncate(19));  // one position back: still in the ring
  EXPECT_THROW(model.truncate(25), std::invalid_argument);
}

}  // namespace
}  // namespace rbee::test
