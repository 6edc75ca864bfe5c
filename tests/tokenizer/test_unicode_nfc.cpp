// to_nfc on the examples of Unicode Standard Annex #15 (Unicode Normalization Forms), figures
// 3 to 6 and section 1.3, and on bytes that are not UTF-8.
#include <gtest/gtest.h>

#include "tokenizer/unicode_nfc.hpp"

namespace rbee {
namespace {

TEST(UnicodeNfc, ComposesCanonicalEquivalents) {
  EXPECT_EQ(to_nfc("A\u030A"), "\u00C5");          // A + ring above -> Å
  EXPECT_EQ(to_nfc("\u212B"), "\u00C5");           // Angstrom sign (singleton) -> Å
  EXPECT_EQ(to_nfc("\u2126"), "\u03A9");           // Ohm sign -> Omega
  EXPECT_EQ(to_nfc("\u1E0B\u0323"), "\u1E0D\u0307");  // d-dot-above + dot-below reorder
  EXPECT_EQ(to_nfc("q\u0307\u0323"), "q\u0323\u0307");  // no composite: marks reordered only
  EXPECT_EQ(to_nfc("\u1E9B\u0323"), "\u1E9B\u0323");  // long s with dot above stays
}

TEST(UnicodeNfc, LeavesCompatibilityCharactersAlone) {
  EXPECT_EQ(to_nfc("\uFB01"), "\uFB01");  // fi ligature: compatibility only
  EXPECT_EQ(to_nfc("\u2075"), "\u2075");  // superscript five
}

TEST(UnicodeNfc, ComposesHangulJamo) {
  EXPECT_EQ(to_nfc("\u1100\u1161"), "\uAC00");        // L + V -> 가
  EXPECT_EQ(to_nfc("\u1100\u1161\u11A8"), "\uAC01");  // L + V + T -> 각
  EXPECT_EQ(to_nfc("\uAC00\u11A8"), "\uAC01");        // LV + T -> 각
}

TEST(UnicodeNfc, PassesAsciiAndInvalidBytes) {
  EXPECT_EQ(to_nfc("plain ascii"), "plain ascii");
  EXPECT_EQ(to_nfc("a\xFF\xC3" "b"), "a\xFF\xC3" "b");
  EXPECT_EQ(to_nfc("\xFF\u0301"), "\xFF\u0301");  // a stray byte is no starter to join
}

}  // namespace
}  // namespace rbee
