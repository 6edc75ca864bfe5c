// Tokenizer::from_path and Tokenizer::decode on the committed tiny fixtures.
#include <gtest/gtest.h>

#include <stdexcept>

#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "temp_dir.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee {
namespace {

const std::string kText = "Hello world, héllo 123!\n  indented";

TEST(TokenizerFromPath, EveryKindOfPathGivesTheSameTokenizer) {
  const auto folder = test::fixtures() / "tiny/llama";
  const auto reference = Tokenizer::from_hf_folder(folder)->encode(kText, true, true);
  EXPECT_EQ(Tokenizer::from_path(folder)->encode(kText, true, true), reference);
  EXPECT_EQ(Tokenizer::from_path(folder / "tokenizer.json")->encode(kText, true, true), reference);
  const auto gguf = folder / "model-f32.gguf";
  EXPECT_EQ(Tokenizer::from_path(gguf)->encode(kText, true, true),
            Tokenizer::from_gguf(*ModelSource::open(gguf))->encode(kText, true, true));
}

TEST(TokenizerFromPath, SentencePieceModelReadsTheConfigBesideIt) {
  const auto folder = test::fixtures() / "tiny/gemma";
  const auto tok = Tokenizer::from_path(folder / "tokenizer.model");
  EXPECT_EQ(tok->bos(), Tokenizer::from_hf_folder(folder)->bos());
  EXPECT_EQ(tok->encode(kText, true, true).front(), tok->bos());
}

TEST(TokenizerFromPath, UnknownFileAndMissingPathAreNamed) {
  test::TempDir dir;
  const auto other = dir.path() / "weights.bin";
  std::ofstream(other) << "not a tokenizer";
  try {
    Tokenizer::from_path(other);
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(other.string()), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Tokenizer::from_path(dir.path() / "absent.json"), std::runtime_error);
  EXPECT_THROW(Tokenizer::from_path(dir.path()), std::runtime_error);  // a folder with neither file
}

TEST(TokenizerDecode, GivesBackTheText) {
  for (const char* name : {"llama", "gemma", "qwen3"}) {
    const auto tok = Tokenizer::from_path(test::fixtures() / "tiny" / name);
    EXPECT_EQ(tok->decode(tok->encode(kText, false, true), false), kText) << name;
    EXPECT_EQ(tok->decode(tok->encode(kText, true, true), true), kText) << name;
  }
}

TEST(TokenizerDecode, ShowsControlTokensUnlessSkipped) {
  const auto tok = Tokenizer::from_path(test::fixtures() / "tiny/gemma");
  const std::vector<int32_t> ids = {tok->bos()};
  EXPECT_EQ(tok->decode(ids, false), tok->vocab().tokens[tok->bos()]);
  EXPECT_EQ(tok->decode(ids, true), "");
}

TEST(TokenizerDecode, OutOfRangeIdIsNamed) {
  const auto tok = Tokenizer::from_path(test::fixtures() / "tiny/llama");
  const std::vector<int32_t> ids = {1, int32_t(tok->vocab_size())};
  try {
    tok->decode(ids, false);
    FAIL() << "expected an error";
  } catch (const std::out_of_range& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(tok->vocab_size())), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace rbee
