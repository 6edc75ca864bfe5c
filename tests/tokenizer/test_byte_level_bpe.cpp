// Byte-level BPE: tiny/llama/tokenizer.json round-trips, and the real GPT-2 and Llama-3
// vocabularies (encoder.json + vocab.bpe) reproduce llama.cpp's gpt-2 / llama-bpe vectors.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "tokenizer/tokenizer.hpp"
#include "vocab_test_cases.hpp"

namespace rbee {
namespace {

const char* const kTexts[] = {
    "Hello world",
    " Hello, world!",
    "It's 2024; they'll pay $1,234.56 (net).",
    "   leading and trailing spaces   ",
    "tabs\tnewlines\n\n\r\nand   runs",
    "café naïve résumé",
    "日本語のテキスト、中文，한국어",
    "emoji 🦙🚀 👩‍👩‍👧 ✅",
    "def f(x):\n    return x ** 2  # comment",
    "<s>special-looking</s>",
    "\xC3\x28 invalid utf-8 \xFF bytes",
};

TEST(ByteLevelBpe, TinyTokenizerJsonRoundTrips) {
  const auto tok = Tokenizer::from_hf_folder(test::fixtures() / "tiny/llama");
  ASSERT_EQ(tok->vocab().model, VocabModel::ByteLevelBpe);
  EXPECT_EQ(tok->vocab_size(), 512u);
  EXPECT_EQ(tok->bos(), 1);
  EXPECT_EQ(tok->eos(), 2);
  for (const std::string text : kTexts) {
    const auto ids = tok->encode(text, false, false);
    std::string decoded;
    for (int32_t id : ids) decoded += tok->token_to_piece(id);
    EXPECT_EQ(decoded, text);
    EXPECT_LT(ids.size(), text.size() + 1) << text;
  }
}

TEST(ByteLevelBpe, TinyTokenizerJsonSpecialTokens) {
  const auto tok = Tokenizer::from_hf_folder(test::fixtures() / "tiny/llama");
  EXPECT_EQ(tok->encode("<s>hi</s>", false, true).front(), 1);
  EXPECT_EQ(tok->encode("<s>hi</s>", false, true).back(), 2);
  EXPECT_NE(tok->encode("<s>", false, false), std::vector<int32_t>{1});
  EXPECT_TRUE(tok->is_end_of_generation(2));
  EXPECT_EQ(tok->token_to_piece(2), "");  // control tokens render as nothing
}

// GPT-2's original release format: encoder.json (mapped text -> id) and vocab.bpe (merges).
Vocab vocab_from_encoder_json(const std::filesystem::path& dir, const std::string& pre) {
  Vocab v;
  v.model = VocabModel::ByteLevelBpe;
  v.pre = pre;
  std::ifstream enc(dir / "encoder.json");
  const auto encoder = nlohmann::json::parse(enc);
  for (const auto& [text, id] : encoder.items()) {
    if (id.get<size_t>() >= v.tokens.size()) v.tokens.resize(id.get<size_t>() + 1);
    v.tokens[id.get<size_t>()] = text;
  }
  std::ifstream bpe(dir / "vocab.bpe");
  for (std::string line; std::getline(bpe, line);)
    if (!line.empty() && !line.starts_with("#version")) v.merges.push_back(line);
  return v;
}

class EncoderJsonVectors
    : public ::testing::TestWithParam<std::tuple<const char*, const char*, const char*, bool>> {};

TEST_P(EncoderJsonVectors, EveryCaseMatches) {
  const auto [dir_name, vectors, pre, ignore_merges] = GetParam();
  const auto dir = test::shared_fixtures() / "third-party/tokenizers" / dir_name;
  const auto base = test::shared_fixtures() / "third-party/vocab" / vectors;
  if (!std::filesystem::exists(dir / "encoder.json") || !std::filesystem::exists(base.string() + ".inp"))
    GTEST_SKIP() << dir << " or " << base << ".inp is absent (shared third-party fixtures)";
  Vocab vocab = vocab_from_encoder_json(dir, pre);
  vocab.ignore_merges = ignore_merges;
  const Tokenizer tok(std::move(vocab));
  const auto cases = test::read_vocab_cases(base.string() + ".inp", base.string() + ".out");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    const auto ids = tok.encode(c.text, false, false);
    EXPECT_EQ(ids, c.ids) << "text: '" << c.text << "'";
    std::string decoded;
    for (int32_t id : ids) decoded += tok.token_to_piece(id);
    EXPECT_EQ(decoded, c.text);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Real, EncoderJsonVectors,
    ::testing::Values(std::make_tuple("gpt2", "ggml-vocab-gpt-2.gguf", "gpt2", false),
                      std::make_tuple("llama3", "ggml-vocab-llama-bpe.gguf", "llama-bpe", true)),
    [](const auto& info) { return std::string(std::get<0>(info.param)); });

}  // namespace
}  // namespace rbee
