// The demo model (models/demo, made by tools/demo-model/make.py) against the reference the script
// saved from torch (tests/fixtures/demo): the same logits and greedy text from its GGUF and its
// Hugging Face folder; `rbee run` and `rbee chat` given no model use it and say so; what it
// writes is mostly English words.
#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "fixtures_path.hpp"
#include "host/pty_session.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

using nlohmann::json;

const std::filesystem::path kDemo = fixtures().parent_path().parent_path() / "models" / "demo";
const std::string kSaysDemo = "rbee: no model given: using the demo model";
// Share of a sampled paragraph's words that must be in the system dictionary.
constexpr double kMinEnglish = 0.8;

json golden() { return json::parse(read_text(fixtures() / "demo" / "golden.json")); }

std::string join_ids(const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

// The model in each of its forms.
class DemoModel : public ::testing::TestWithParam<std::string> {
 protected:
  std::string model() const { return (kDemo / GetParam()).string(); }
};

INSTANTIATE_TEST_SUITE_P(Forms, DemoModel, ::testing::Values("rbee-demo-q8_0.gguf", ""), [](const auto& info) {
  return std::string(info.param.empty() ? "safetensors" : "gguf_q8_0");
});

TEST_P(DemoModel, LogitsMatchTorch) {
  const json g = golden();
  TempDir dir;
  const auto out = dir / "logits.f32";
  const auto r = run_rbee({"logits", model(), "--ids", join_ids(g["logits_ids"].get<std::vector<int>>()), "-o",
                           out.string(), "--kv-type", "f32"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const auto got = read_bytes(out), want = read_bytes(fixtures() / "demo" / g["logits_file"].get<std::string>());
  ASSERT_EQ(want.size(), g["logits_shape"][0].get<size_t>() * g["logits_shape"][1].get<size_t>() * sizeof(float));
  ASSERT_EQ(got.size(), want.size()) << r.describe();
  const float* a = reinterpret_cast<const float*>(got.data());
  const float* b = reinterpret_cast<const float*>(want.data());
  float worst = 0;
  for (size_t i = 0; i < want.size() / sizeof(float); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  EXPECT_LE(worst, 1e-3f) << "largest difference from torch's logits";
}

TEST_P(DemoModel, GreedyText) {
  const json g = golden();
  const auto r = run_rbee({"run", model(), "-p", g["prompt"].get<std::string>(), "-n",
                           std::to_string(g["greedy_ids"].size()), "--temp", "0"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_EQ(r.out, g["greedy_text"].get<std::string>() + "\n") << r.describe();
}

std::set<std::string> dictionary() {
  std::ifstream in("/usr/share/dict/words");
  std::set<std::string> words;
  for (std::string w; std::getline(in, w);) words.insert(w);
  return words;
}

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

TEST(DemoModelDefault, RunSaysSoAndWritesEnglish) {
  const auto words = dictionary();
  ASSERT_FALSE(words.empty()) << "/usr/share/dict/words is missing: install Debian's wamerican package";
  const auto r = run_rbee({"run", "-p", "The", "-n", "96", "--ignore-eos", "--seed", "7"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_NE(r.err.find(kSaysDemo + ", a tiny Llama trained on fortune cookies (" + kDemo.string()), std::string::npos)
      << r.describe();
  // Words: runs of letters and apostrophes, apostrophes at either end dropped.
  size_t total = 0, known = 0;
  std::string word;
  for (char c : r.out + " ") {
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '\'') {
      word += c;
      continue;
    }
    while (!word.empty() && word.back() == '\'') word.pop_back();
    while (!word.empty() && word.front() == '\'') word.erase(0, 1);
    if (!word.empty()) {
      ++total;
      known += words.count(word) || words.count(lower(word));
    }
    word.clear();
  }
  ASSERT_GE(total, 20u) << r.describe();
  EXPECT_GE(double(known) / double(total), kMinEnglish) << known << " of " << total << " words are English\n"
                                                        << r.describe();
}

TEST(DemoModelDefault, ChatFinishesTheUsersSentence) {
  const json g = golden();
  const std::string prompt = g["prompt"];
  PtySession chat({"chat", "--temp", "0", "-n", std::to_string(g["greedy_ids"].size())});
  ASSERT_TRUE(chat.started());
  const std::string banner = chat.read_until("\n> ");
  ASSERT_FALSE(banner.empty()) << chat.screen();
  EXPECT_NE(banner.find(kSaysDemo), std::string::npos) << chat.screen();
  chat.type(prompt + "\n");
  const std::string shown = chat.read_until("\n> ");
  ASSERT_FALSE(shown.empty()) << chat.screen();
  // The echo of the line, then the answer: the rest of the greedy text (then the prompt, or a
  // notice of the -n cut where the model did not end its turn there).
  const std::string answer = g["greedy_text"].get<std::string>().substr(prompt.size());
  EXPECT_EQ(shown.rfind(prompt + "\n" + answer + "\n", 0), 0u) << chat.screen();
  chat.type("/exit\n");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
}

}  // namespace
}  // namespace rbee::test
