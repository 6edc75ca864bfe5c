#pragma once
#include <cstdlib>
#include <filesystem>

namespace rbee::test {

// Fixtures committed with the project (tests/fixtures).
inline std::filesystem::path fixtures() { return RBEE_TEST_FIXTURES; }

// ../shared/fixtures beside the checkout; may be absent (tests then GTEST_SKIP with a message).
inline std::filesystem::path shared_fixtures() {
  if (const char* env = std::getenv("RBEE_SHARED_FIXTURES")) return env;
  return RBEE_SHARED_FIXTURES;
}

}  // namespace rbee::test
