// Every model in the shared fixture set loads, in both formats, with the tensors golden.json
// lists. Skips where ../shared/fixtures is absent.
#include <gtest/gtest.h>

#include <fstream>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/safetensors.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

namespace fs = std::filesystem;

TEST(SharedFixtures, EveryFolderMatchesItsGolden) {
  const auto tiny = test::shared_fixtures() / "tiny";
  if (!fs::exists(tiny)) GTEST_SKIP() << tiny << " is absent";
  size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(tiny)) {
    if (!entry.is_directory()) continue;
    const auto src = ModelSource::open(entry.path());
    const auto golden = nlohmann::json::parse(std::ifstream(entry.path() / "golden.json"));
    EXPECT_EQ(src->tensors().size(), golden["tensors"].size()) << entry.path();
    for (const auto& [name, shape] : golden["tensors"].items()) {
      const auto* t = src->tensor(name);
      ASSERT_NE(t, nullptr) << entry.path() << ": " << name;
      EXPECT_EQ(t->shape, shape.get<std::vector<uint64_t>>()) << entry.path() << ": " << name;
    }
    ++folders;
  }
  EXPECT_GT(folders, 0u);
}

TEST(SharedFixtures, EveryGgufLoads) {
  const auto root = test::shared_fixtures();
  if (!fs::exists(root / "tiny")) GTEST_SKIP() << root / "tiny" << " is absent";
  size_t files = 0;
  for (const char* set : {"tiny", "tiny-quant"}) {
    if (!fs::exists(root / set)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root / set)) {
      if (entry.path().extension() != ".gguf") continue;
      const GgufSource src(entry.path());
      EXPECT_NE(src.meta("general.architecture"), nullptr) << entry.path();
      EXPECT_FALSE(src.tensors().empty()) << entry.path();
      ++files;
    }
  }
  EXPECT_GT(files, 0u);
}

}  // namespace
}  // namespace rbee
