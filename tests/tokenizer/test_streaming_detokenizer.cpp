#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "tokenizer/streaming_detokenizer.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/vocab_loaders.hpp"

namespace rbee {
namespace {

// The tiny SentencePiece model has the byte tokens <0x00>..<0xFF> at ids 4..259.
class StreamingDetokenizerTest : public ::testing::Test {
 protected:
  StreamingDetokenizerTest()
      : tok_(vocab_from_sentencepiece_model(test::fixtures() / "tiny/llama/tokenizer.model")) {}
  Tokenizer tok_;
};

TEST_F(StreamingDetokenizerTest, ByteTokensMapToTheirByte) {
  EXPECT_EQ(tok_.vocab().tokens[4 + 0xE6], "<0xE6>");
  EXPECT_EQ(tok_.token_to_piece(4 + 0xE6), "\xE6");
}

TEST_F(StreamingDetokenizerTest, HoldsASplitCharacterUntilComplete) {
  StreamingDetokenizer detok(tok_);
  // "日" = E6 97 A5, then "!" (a normal token)
  EXPECT_EQ(detok.push(4 + 0xE6), "");
  EXPECT_EQ(detok.push(4 + 0x97), "");
  EXPECT_EQ(detok.push(4 + 0xA5), "日");
  EXPECT_EQ(detok.push(4 + '!'), "!");
  EXPECT_EQ(detok.flush(), "");
}

TEST_F(StreamingDetokenizerTest, FourByteEmojiAcrossTokens) {
  StreamingDetokenizer detok(tok_);
  std::string out;
  for (uint8_t b : {0xF0, 0x9F, 0xA6, 0x99}) out += detok.push(4 + b);  // 🦙
  EXPECT_EQ(out, "🦙");
}

TEST_F(StreamingDetokenizerTest, EncodedTextStreamsBackUnchanged) {
  StreamingDetokenizer detok(tok_);
  std::string out;
  for (int32_t id : tok_.encode("naïve 日本 🦙!", false, false)) out += detok.push(id);
  out += detok.flush();
  EXPECT_EQ(out, " naïve 日本 🦙!");
}

TEST_F(StreamingDetokenizerTest, InvalidBytesBecomeReplacementCharacters) {
  StreamingDetokenizer detok(tok_);
  EXPECT_EQ(detok.push(4 + 0x80), "\xEF\xBF\xBD");  // stray continuation byte
  EXPECT_EQ(detok.push(4 + 0xE6), "");
  EXPECT_EQ(detok.push(4 + 'a'), "\xEF\xBF\xBD" "a");  // lead byte cut short
  EXPECT_EQ(detok.push(4 + 0xE6), "");
  EXPECT_EQ(detok.push(4 + 0x97), "");
  EXPECT_EQ(detok.flush(), "\xEF\xBF\xBD");  // unfinished at the end
}

}  // namespace
}  // namespace rbee
