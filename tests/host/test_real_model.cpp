// The real stories260K model from the shared fixtures: greedy text, word for word.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

TEST(RealModel, Stories260KGreedyText) {
  const auto model = shared_fixtures() / "third-party" / "models" / "stories260K.gguf";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " is absent";
  const auto r = run_rbee({"run", model.string(), "-p", "Once upon a time", "-n", "64", "--temp", "0"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const std::string expected =
      "Once upon a time, there was a little girl named Lily. She loved to play outside in the park. One day, she saw "
      "a big, red ball. She wanted to play with it, but it was too high.";
  EXPECT_NE(r.out.find(expected), std::string::npos) << "stdout was:\n" << r.out << "\n" << r.describe();
}

}  // namespace
}  // namespace rbee::test
