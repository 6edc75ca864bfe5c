// Stop strings found across the pieces generated text arrives in, and never in the output.
#include <gtest/gtest.h>

#include "server/stop_matcher.hpp"

namespace rbee::host::server {
namespace {

// Feeds pieces; returns what came out and whether it stopped.
std::pair<std::string, bool> run(std::vector<std::string> stops, std::vector<std::string> pieces) {
  StopMatcher m(std::move(stops));
  std::string out;
  for (const auto& p : pieces) out += m.push(p);
  out += m.finish();
  return {out, m.stopped()};
}

TEST(StopMatcher, NoStopsPassesEverythingAtOnce) {
  StopMatcher m({});
  EXPECT_EQ(m.push("abc"), "abc");
  EXPECT_EQ(m.finish(), "");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, FindsAStopSplitAcrossPieces) {
  EXPECT_EQ(run({"END"}, {"hello E", "N", "D and more"}), std::make_pair(std::string("hello "), true));
  EXPECT_EQ(run({"\n\n"}, {"a\n", "\nb"}), std::make_pair(std::string("a"), true));
}

TEST(StopMatcher, HoldsBackOnlyWhatMayStartAStop) {
  StopMatcher m({"STOP"});
  EXPECT_EQ(m.push("abcST"), "abc");
  EXPECT_EQ(m.push("x"), "STx");  // not a stop after all: released
  EXPECT_EQ(m.push("S"), "");
  EXPECT_EQ(m.finish(), "S");
  EXPECT_FALSE(m.stopped());
}

TEST(StopMatcher, TheEarliestOfSeveralStopsWins) {
  EXPECT_EQ(run({"cd", "bcde"}, {"abcdef"}), std::make_pair(std::string("a"), true));  // bcde starts first
  EXPECT_EQ(run({"xyz", "b"}, {"a", "bxyz"}), std::make_pair(std::string("a"), true));
}

TEST(StopMatcher, NothingAfterTheStop) {
  StopMatcher m({"."});
  EXPECT_EQ(m.push("one. two"), "one");
  EXPECT_EQ(m.push("three"), "");
  EXPECT_EQ(m.finish(), "");
  EXPECT_TRUE(m.stopped());
}

TEST(StopMatcher, MultibyteStops) {
  EXPECT_EQ(run({"ü!"}, {"gr\xc3", "\xbc", "!"}), std::make_pair(std::string("gr"), true));
}

}  // namespace
}  // namespace rbee::host::server
