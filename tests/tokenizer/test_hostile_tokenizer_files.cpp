// Tokenizer files with ids, counts or file types that must be refused with an error naming the
// file and the field, never corrupt memory, abort or block.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "fifo_deadline.hpp"
#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/gguf_writer.hpp"
#include "temp_dir.hpp"
#include "tokenizer/tokenizer.hpp"
#include "tokenizer/vocab_loaders.hpp"

namespace rbee {
namespace {

using test::GgufWriter;
using test::TempDir;

// A byte-level tokenizer.json of three tokens, with `vocab` and `added` spliced in.
std::string tokenizer_json(const std::string& vocab, const std::string& added) {
  return R"({"model": {"type": "BPE", "vocab": )" + vocab + R"(, "merges": ["a b"]},
             "pre_tokenizer": {"type": "ByteLevel"}, "added_tokens": )" + added + "}";
}
const std::string kVocab = R"({"a": 0, "b": 1, "ab": 2})";

std::string error_of(const std::filesystem::path& path) {
  try {
    vocab_from_tokenizer_json(path);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " was accepted";
  return "";
}

void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << "lacks \"" << part << "\": " << message;
}

TEST(HostileTokenizerJson, AddedTokenWithIdMinusOne) {
  TempDir dir;
  const auto path = dir.write("tokenizer.json", tokenizer_json(kVocab, R"([{"id": -1, "content": "<s>", "special": true}])"));
  expect_mentions(error_of(path), {"tokenizer.json", "added_tokens[0].id", "-1", "out of range"});
}

TEST(HostileTokenizerJson, VocabEntryWithIdMinusOne) {
  TempDir dir;
  const auto path = dir.write("tokenizer.json", tokenizer_json(R"({"a": 0, "b": -1, "ab": 2})", "[]"));
  expect_mentions(error_of(path), {"tokenizer.json", "model.vocab[\"b\"]", "-1"});
}

TEST(HostileTokenizerJson, HugeIdsAreOutOfRangeNotOutOfMemory) {
  TempDir dir;
  for (const std::string id : {"4000000000", "18446744073709551615", "1e300", "2.5", "\"7\""}) {
    SCOPED_TRACE(id);
    const auto path = dir.write("tokenizer.json", tokenizer_json(kVocab, R"([{"id": )" + id + R"(, "content": "<x>"}])"));
    expect_mentions(error_of(path), {"tokenizer.json", "added_tokens[0].id", "out of range"});
  }
}

TEST(HostileTokenizerJson, IdPastTheEntriesIsRefused) {
  TempDir dir;
  const auto path = dir.write("tokenizer.json", tokenizer_json(kVocab, R"([{"id": 4, "content": "<x>"}])"));
  expect_mentions(error_of(path), {"tokenizer.json", "added_tokens[0].id", "0 to 3"});
}

TEST(HostileTokenizerJson, AddedTokensOverTheVocabStillLoad) {
  TempDir dir;
  const auto path = dir.write("tokenizer.json", tokenizer_json(kVocab, R"([{"id": 2, "content": "ab", "special": true},
                                                                           {"id": 3, "content": "<x>"}])"));
  const Vocab v = vocab_from_tokenizer_json(path);
  ASSERT_EQ(v.tokens.size(), 4u);
  EXPECT_EQ(v.types[2], TokenType::Control);
  EXPECT_EQ(v.types[3], TokenType::UserDefined);
}

TEST(HostileTokenizerJson, MergeWithoutASpace) {
  TempDir dir;
  std::string text = tokenizer_json(kVocab, "[]");
  text.replace(text.find("\"a b\""), 5, "\"ab\"");
  expect_mentions(error_of(dir.write("tokenizer.json", text)), {"tokenizer.json", "model.merges[0]"});
}

TEST(HostileTokenizerFiles, SpecialIdsOutsideTheVocabularyReadAsNone) {
  Vocab v;
  v.tokens = {"a", "b"};
  v.unk = 7;  // would be handed out by the byte fallback before the fix
  v.bos = -5;
  const Tokenizer tok(std::move(v));
  EXPECT_EQ(tok.vocab().unk, -1);
  EXPECT_EQ(tok.bos(), -1);
  for (int32_t id : tok.encode("\xC3\xA9z", false, false)) EXPECT_TRUE(id >= 0 && id < 2) << id;
}

TEST(HostileTokenizerFiles, FifosAreRefusedAtOnce) {
  TempDir dir;
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    SCOPED_TRACE(name);
    const auto fifo = test::make_fifo(dir / name);
    expect_mentions(test::error_within(fifo, [&] { Tokenizer::from_path(fifo); }), {name, "is a FIFO, not a regular file"});
    expect_mentions(test::error_within(fifo, [&] { Tokenizer::from_hf_folder(dir.path()); }), {name, "FIFO"});
    std::filesystem::remove(fifo);
  }
}

// A GGUF vocabulary for `tokens` tokens beside a token embedding of `rows` rows.
std::vector<uint8_t> gguf_vocab(uint32_t tokens, uint64_t rows) {
  test::Bytes list;
  list.put<uint32_t>(test::kString).put<uint64_t>(tokens);
  for (uint32_t i = 0; i < tokens; ++i) list.str("t" + std::to_string(i));
  GgufWriter w;
  w.string("general.architecture", "llama").string("tokenizer.ggml.model", "llama").kv("tokenizer.ggml.tokens", test::kArray, list);
  w.tensor("token_embd.weight", {4, rows}, 0 /* F32 */, std::vector<uint8_t>(rows * 4 * 4));
  return w.bytes();
}

TEST(HostileGgufVocab, TokenListShorterThanTheEmbedding) {
  TempDir dir;
  const auto path = dir.write("short.gguf", gguf_vocab(500, 512));
  const GgufSource source(path);
  try {
    Tokenizer::from_gguf(source);
    ADD_FAILURE() << "a 500-token list for 512 embedding rows was accepted";
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {"short.gguf", "tokenizer.ggml.tokens", "500", "token_embd.weight", "512"});
  }
}

TEST(HostileGgufVocab, TokenListAsLongAsTheEmbeddingLoads) {
  TempDir dir;
  const GgufSource source(dir.write("ok.gguf", gguf_vocab(512, 512)));
  EXPECT_EQ(Tokenizer::from_gguf(source)->vocab_size(), 512u);
}

TEST(HostileGgufVocab, ScoresOfAnotherLengthAreNamed) {
  test::Bytes list, scores;
  list.put<uint32_t>(test::kString).put<uint64_t>(2).str("a").str("b");
  scores.put<uint32_t>(test::kF32).put<uint64_t>(1).put<float>(0.f);
  GgufWriter w;
  w.string("general.architecture", "llama").string("tokenizer.ggml.model", "llama");
  w.kv("tokenizer.ggml.tokens", test::kArray, list).kv("tokenizer.ggml.scores", test::kArray, scores);
  TempDir dir;
  const GgufSource source(dir.write("scores.gguf", w.bytes()));
  try {
    Tokenizer::from_gguf(source);
    ADD_FAILURE() << "accepted";
  } catch (const std::runtime_error& e) {
    expect_mentions(e.what(), {"scores.gguf", "tokenizer.ggml.scores", "1 entries for 2 tokens"});
  }
}

}  // namespace
}  // namespace rbee
