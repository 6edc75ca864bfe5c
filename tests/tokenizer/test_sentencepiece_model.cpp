// tiny/llama/tokenizer.model against the ids Google's SentencePiece gives
// (tests/fixtures/tokenizer/make_spm_expected.py wrote spm_expected.json).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/vocab_loaders.hpp"
#include "vocab_test_cases.hpp"

namespace rbee {
namespace {

TEST(SentencePieceModel, MatchesSentencePieceOnVariedTexts) {
  const Tokenizer tok(vocab_from_sentencepiece_model(test::fixtures() / "tiny/llama/tokenizer.model"));
  std::ifstream in(test::fixtures() / "tokenizer/spm_expected.json");
  const auto expected = nlohmann::json::parse(in);
  ASSERT_GE(expected.at("cases").size(), 30u);
  for (const auto& c : expected.at("cases")) {
    const std::string text = c.at("text");
    EXPECT_EQ(tok.encode(text, false, false), c.at("ids").get<std::vector<int32_t>>())
        << "text: '" << text << "'";
  }
}

TEST(SentencePieceModel, ReadsPiecesAndSpecialIds) {
  const Tokenizer tok(vocab_from_sentencepiece_model(test::fixtures() / "tiny/llama/tokenizer.model"));
  EXPECT_EQ(tok.vocab_size(), 512u);
  EXPECT_EQ(tok.bos(), 1);
  EXPECT_EQ(tok.eos(), 2);
  EXPECT_TRUE(tok.add_bos());
  EXPECT_TRUE(tok.is_end_of_generation(2));
  EXPECT_EQ(tok.encode("Hello", true, false).front(), 1);
  EXPECT_EQ(tok.encode("<s>", false, true), std::vector<int32_t>{1});
}

TEST(SentencePieceModel, PiecesDecodeBackToText) {
  const Tokenizer tok(vocab_from_sentencepiece_model(test::fixtures() / "tiny/llama/tokenizer.model"));
  const std::string text = "Hello wörld 🦙 日本";
  std::string decoded;
  for (int32_t id : tok.encode(text, false, false)) decoded += tok.token_to_piece(id);
  EXPECT_EQ(decoded, " " + text);  // SentencePiece's dummy prefix
}

}  // namespace
}  // namespace rbee

namespace rbee {
namespace {

// Llama 2's own tokenizer.model is the vocabulary of ggml-vocab-llama-spm.gguf, so read through
// the protobuf it must give llama.cpp's llama-spm vectors too.
TEST(SentencePieceModel, Llama2ModelMatchesLlamaSpmVectors) {
  const auto model = test::shared_fixtures() / "third-party/tokenizers/llama2/tokenizer.model";
  const auto base = test::shared_fixtures() / "third-party/vocab/ggml-vocab-llama-spm.gguf";
  if (!std::filesystem::exists(model) || !std::filesystem::exists(base.string() + ".inp"))
    GTEST_SKIP() << model << " or " << base << ".inp is absent (shared third-party fixtures)";
  const Tokenizer tok(vocab_from_sentencepiece_model(model));
  EXPECT_EQ(tok.vocab_size(), 32000u);
  const auto cases = test::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases)
    EXPECT_EQ(tok.encode(c.text, false, false), c.ids) << "text: '" << c.text << "'";
}

}  // namespace
}  // namespace rbee
