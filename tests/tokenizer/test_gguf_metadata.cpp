// from_gguf on the committed tiny GGUF (converted by llama.cpp's convert_hf_to_gguf.py).
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee {
namespace {

TEST(GgufTokenizer, TinyLlamaVocabAndSpecialIds) {
  const auto source = ModelSource::open(test::fixtures() / "tiny/llama/model-f32.gguf");
  const auto tok = Tokenizer::from_gguf(*source);
  EXPECT_EQ(tok->vocab_size(), 512u);
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->eos(), 2);
  EXPECT_TRUE(tok->is_end_of_generation(2));
  const std::string text = "Hello wörld 🦙";
  const auto ids = tok->encode(text, true, false);
  ASSERT_FALSE(ids.empty());
  EXPECT_EQ(ids.front() == tok->bos(), tok->add_bos());
  std::string decoded;
  for (int32_t id : ids) decoded += tok->token_to_piece(id);
  EXPECT_NE(decoded.find(text), std::string::npos) << decoded;
}

}  // namespace
}  // namespace rbee
