// `rbee tokenize` and `rbee detokenize`: options, input sources and errors. Expected ids come
// from llama.cpp's vocabulary vectors (made with Hugging Face tokenizers); elsewhere the
// commands are checked against each other (round trips, one option against another).
#include <gtest/gtest.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "rbee_process.hpp"
#include "tokenizer/vocab_test_cases.hpp"

namespace rbee::test {
namespace {

const std::filesystem::path kTinyQwen3 = fixtures() / "tiny/qwen3";

std::filesystem::path third_party_vocab(const std::string& name) {
  return shared_fixtures() / "third-party/vocab" / ("ggml-vocab-" + name + ".gguf");
}

std::vector<int32_t> ids_of(const RunResult& r) {
  EXPECT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_TRUE(r.out.ends_with("\n")) << r.describe();
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "expected one line\n" << r.describe();
  std::vector<int32_t> ids;
  std::istringstream in(r.out);
  for (int32_t id; in >> id;) ids.push_back(id);
  return ids;
}

std::string joined(const std::vector<int32_t>& ids) {
  std::string s;
  for (int32_t id : ids) s += (s.empty() ? "" : " ") + std::to_string(id);
  return s;
}

TEST(TokenizeCommand, HelpNamesTheOptions) {
  const auto t = run_rbee({"tokenize", "--help"});
  for (const char* option : {"--tokenizer", "--prompt", "--file", "--add-special", "--no-parse-special", "--pieces", "--jsonl"})
    EXPECT_NE(t.out.find(option), std::string::npos) << option << "\n" << t.describe();
  const auto d = run_rbee({"detokenize", "--help"});
  for (const char* option : {"--tokenizer", "--ids", "--file", "--skip-special", "--jsonl"})
    EXPECT_NE(d.out.find(option), std::string::npos) << option << "\n" << d.describe();
}

// llama.cpp's test-tokenizer-0 vectors through the command (add_special off, special tokens
// as text): every case in one --jsonl run, and the first few as plain files.
TEST(TokenizeCommand, MatchesThirdPartyVectors) {
  for (const char* name : {"llama-spm", "gpt-2"}) {
    const auto vocab = third_party_vocab(name);
    if (!std::filesystem::exists(vocab)) GTEST_SKIP() << vocab << " is absent";
    const auto cases = read_vocab_cases(vocab.string() + ".inp", vocab.string() + ".out");
    ASSERT_FALSE(cases.empty()) << vocab;

    TempDir dir;
    std::string lines;
    for (const auto& c : cases) lines += nlohmann::json(c.text).dump() + "\n";
    write_text(dir.path() / "texts.jsonl", lines);
    const auto r = run_rbee({"tokenize", "--tokenizer", vocab.string(), "--no-parse-special", "--jsonl", "-f",
                             (dir.path() / "texts.jsonl").string()});
    ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
    std::istringstream out(r.out);
    for (const auto& c : cases) {
      std::string line;
      ASSERT_TRUE(std::getline(out, line)) << "fewer output lines than texts\n" << r.describe();
      EXPECT_EQ(nlohmann::json::parse(line).get<std::vector<int32_t>>(), c.ids) << name << " text: '" << c.text << "'";
    }
    for (size_t i = 0; i < 3 && i < cases.size(); ++i) {
      write_text(dir.path() / "text.txt", cases[i].text);
      EXPECT_EQ(ids_of(run_rbee({"tokenize", vocab.string(), "--no-parse-special", "-f", (dir.path() / "text.txt").string()})),
                cases[i].ids)
          << name << " text: '" << cases[i].text << "'";
    }
  }
}

// Llama 2's BOS is 1 and "Hello world" is 15043 3186 (the llama-spm vectors above); decoding
// shows "<s>" and drops the space SentencePiece put before "Hello", as transformers does.
TEST(TokenizeCommand, AddSpecialAndSkipSpecial) {
  const auto vocab = third_party_vocab("llama-spm");
  if (!std::filesystem::exists(vocab)) GTEST_SKIP() << vocab << " is absent";
  EXPECT_EQ(ids_of(run_rbee({"tokenize", vocab.string(), "-p", "Hello world"})), (std::vector<int32_t>{15043, 3186}));
  EXPECT_EQ(ids_of(run_rbee({"tokenize", vocab.string(), "-p", "Hello world", "--add-special"})),
            (std::vector<int32_t>{1, 15043, 3186}));
  const auto shown = run_rbee({"detokenize", vocab.string(), "--ids", "1 15043 3186"});
  EXPECT_EQ(shown.out, "<s> Hello world") << shown.describe();
  const auto skipped = run_rbee({"detokenize", vocab.string(), "--ids", "1,15043, 3186", "--skip-special"});
  EXPECT_EQ(skipped.out, "Hello world") << skipped.describe();
}

TEST(TokenizeCommand, SpecialTokensInTheTextUnlessNoParseSpecial) {
  const auto parsed = ids_of(run_rbee({"tokenize", "--tokenizer", kTinyQwen3.string(), "-p", "a<s>b"}));
  const auto as_text = ids_of(run_rbee({"tokenize", "--tokenizer", kTinyQwen3.string(), "-p", "a<s>b", "--no-parse-special"}));
  const auto s_alone = ids_of(run_rbee({"tokenize", "--tokenizer", kTinyQwen3.string(), "-p", "<s>"}));
  ASSERT_EQ(s_alone.size(), 1u);
  EXPECT_NE(std::find(parsed.begin(), parsed.end(), s_alone[0]), parsed.end());
  EXPECT_EQ(std::find(as_text.begin(), as_text.end(), s_alone[0]), as_text.end());
  EXPECT_GT(as_text.size(), parsed.size());
}

TEST(TokenizeCommand, PiecesAreOneIdAndJsonStringPerLine) {
  const std::string text = "Hi \"there\"\n\tagain <s>";
  const auto ids = ids_of(run_rbee({"tokenize", kTinyQwen3.string(), "-p", text}));
  const auto r = run_rbee({"tokenize", kTinyQwen3.string(), "-p", text, "--pieces"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  std::istringstream lines(r.out);
  std::vector<int32_t> piece_ids;
  for (std::string line; std::getline(lines, line);) {
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    piece_ids.push_back(std::stoi(line.substr(0, tab)));
    EXPECT_TRUE(nlohmann::json::parse(line.substr(tab + 1)).is_string()) << line;
  }
  EXPECT_EQ(piece_ids, ids);
  EXPECT_NE(r.out.find("\t\"<s>\"\n"), std::string::npos) << r.describe();
}

TEST(TokenizeCommand, RoundTripKeepsEveryByte) {
  TempDir dir;
  const std::string text = "  tabs\tand\r\nnewlines, ünïcödé, 漢字, 🦀\n\n";
  write_text(dir.path() / "text.txt", text);
  // (A tokenizer.model that removes extra whitespace, as the tiny ones do, cannot give it back.)
  for (const char* model : {"tiny/qwen3", "tiny/llama/model-f32.gguf", "tiny/gemma/tokenizer.json"}) {
    const auto source = (fixtures() / model).string();
    const auto ids = ids_of(run_rbee({"tokenize", "--tokenizer", source, "-f", (dir.path() / "text.txt").string()}));
    const auto back = run_rbee({"detokenize", "--tokenizer", source, "--ids", joined(ids)});
    EXPECT_EQ(back.out, text) << model << "\n" << back.describe();
  }
}

TEST(TokenizeCommand, ReadsStdin) {
  TempDir dir;
  write_text(dir.path() / "text.txt", "line one\nline two\n");
  const auto ids_file = dir.path() / "ids.txt", text_file = dir.path() / "back.txt";
  const std::string rbee = rbee_binary().string(), model = kTinyQwen3.string();
  ASSERT_EQ(std::system((rbee + " tokenize " + model + " < " + (dir.path() / "text.txt").string() + " > " +
                         ids_file.string()).c_str()), 0);
  ASSERT_EQ(std::system((rbee + " detokenize " + model + " < " + ids_file.string() + " > " + text_file.string()).c_str()), 0);
  EXPECT_EQ(read_text(text_file), "line one\nline two\n");
}

// The tokenizer is all that is read: no Vulkan device is needed.
TEST(TokenizeCommand, ModelNeedsNoDevice) {
  for (const char* model : {"tiny/llama/model-f32.gguf", "tiny/llama"}) {
    const std::vector<std::string> args = {"tokenize", (fixtures() / model).string(), "-p", "no device needed"};
    EXPECT_EQ(ids_of(run_rbee(args, {{"VK_ICD_FILENAMES", "/nonexistent.json"}})), ids_of(run_rbee(args))) << model;
  }
}

TEST(TokenizeCommand, JsonlDetokenizes) {
  TempDir dir;
  const auto a = ids_of(run_rbee({"tokenize", kTinyQwen3.string(), "-p", "first"}));
  const auto b = ids_of(run_rbee({"tokenize", kTinyQwen3.string(), "-p", "second\n"}));
  write_text(dir.path() / "ids.jsonl", nlohmann::json(a).dump() + "\n\n" + nlohmann::json(b).dump() + "\n");
  const auto r = run_rbee({"detokenize", kTinyQwen3.string(), "--jsonl", "-f", (dir.path() / "ids.jsonl").string()});
  EXPECT_EQ(r.out, "\"first\"\n\"second\\n\"\n") << r.describe();
}

TEST(TokenizeCommand, OutOfRangeIdIsAClearError) {
  const auto r = run_rbee({"detokenize", kTinyQwen3.string(), "--ids", "5 999999"});
  expect_clean_error(r, {"999999", "out of range", "512"});
}

TEST(TokenizeCommand, BadIdIsAClearError) {
  const auto r = run_rbee({"detokenize", kTinyQwen3.string(), "--ids", "5 x7"});
  EXPECT_NE(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find("x7"), std::string::npos) << r.describe();
}

TEST(TokenizeCommand, BadJsonlLineIsNamed) {
  TempDir dir;
  const auto file = dir.path() / "texts.jsonl";
  write_text(file, "\"fine\"\n[1, 2]\n");
  expect_clean_error(run_rbee({"tokenize", kTinyQwen3.string(), "--jsonl", "-f", file.string()}),
                     {file.string() + " line 2", "JSON string"});
  write_text(file, "[1]\nnot json\n");
  expect_clean_error(run_rbee({"detokenize", kTinyQwen3.string(), "--jsonl", "-f", file.string()}),
                     {file.string() + " line 2", "not JSON"});
}

TEST(TokenizeCommand, TokenizerSourceMustBeOneExistingPath) {
  const auto both = run_rbee({"tokenize", kTinyQwen3.string(), "--tokenizer", kTinyQwen3.string(), "-p", "x"});
  EXPECT_NE(both.status, 0) << both.describe();
  EXPECT_NE(both.err.find("exactly one"), std::string::npos) << both.describe();
  const auto neither = run_rbee({"tokenize", "-p", "x"});
  EXPECT_NE(neither.status, 0) << neither.describe();
  EXPECT_NE(neither.err.find("exactly one"), std::string::npos) << neither.describe();
  expect_clean_error(run_rbee({"tokenize", "--tokenizer", "/nonexistent/tokenizer.json", "-p", "x"}),
                     {"/nonexistent/tokenizer.json", "no such file"});
  expect_clean_error(run_rbee({"tokenize", "--tokenizer", (fixtures() / "tiny/llama/golden.json").string(), "-p", "x"}),
                     {"golden.json"});
}

TEST(TokenizeCommand, PromptExcludesFile) {
  const auto r = run_rbee({"tokenize", kTinyQwen3.string(), "-p", "x", "-f", "/dev/null"});
  EXPECT_NE(r.status, 0) << r.describe();
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace rbee::test
