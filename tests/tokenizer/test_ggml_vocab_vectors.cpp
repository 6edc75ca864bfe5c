// llama.cpp's vocab-only GGUFs against their .inp/.out vectors (ids from HF tokenizers),
// encoded with add_special=false, parse_special=false as llama.cpp's test-tokenizer-0 does.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "tokenizer/tokenizer.hpp"
#include "vocab_test_cases.hpp"

namespace rbee {
namespace {

class GgmlVocabVectors : public ::testing::TestWithParam<const char*> {};

TEST_P(GgmlVocabVectors, EveryCaseMatches) {
  const auto base = test::shared_fixtures() / "third-party/vocab" /
                    (std::string("ggml-vocab-") + GetParam() + ".gguf");
  if (!std::filesystem::exists(base))
    GTEST_SKIP() << base << " is absent (shared third-party fixtures not available)";
  const auto cases = test::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  ASSERT_FALSE(cases.empty()) << "could not read the .inp/.out pair of " << base;

  const auto source = ModelSource::open(base);
  const auto tok = Tokenizer::from_gguf(*source);
  for (const auto& c : cases)
    EXPECT_EQ(tok->encode(c.text, false, false), c.ids) << "text: '" << c.text << "'";
}

INSTANTIATE_TEST_SUITE_P(Vocabs, GgmlVocabVectors,
                         ::testing::Values("llama-spm", "gpt-2", "falcon", "deepseek-coder",
                                           "deepseek-llm", "starcoder", "refact", "mpt",
                                           "phi-3"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!isalnum(uint8_t(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace rbee
