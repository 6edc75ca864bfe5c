// The tiny models against their golden.json: logits, greedy ids (f16 and f32 KV cache), seeded sampling.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

using nlohmann::json;

std::string join_ids(const std::vector<int>& ids) {
  std::string s;
  for (int id : ids) s += (s.empty() ? "" : ",") + std::to_string(id);
  return s;
}

std::vector<int> parse_ids_line(const std::string& out) {
  std::vector<int> ids;
  std::istringstream in(out);
  for (int id; in >> id;) ids.push_back(id);
  return ids;
}

struct Case {
  std::string family;
  std::string model;  // "" = the folder (safetensors), else a file in it
  std::string kv_type;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  return info.param.family + (info.param.model.empty() ? "_safetensors" : "_gguf_f32") + "_kv_" + info.param.kv_type;
}

class Golden : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    folder_ = fixtures() / "tiny" / GetParam().family;
    golden_ = json::parse(read_text(folder_ / "golden.json"));
    model_ = GetParam().model.empty() ? folder_.string() : (folder_ / GetParam().model).string();
  }
  std::filesystem::path folder_;
  json golden_;
  std::string model_;
};

TEST_P(Golden, GreedyContinuation) {
  const auto prompt = golden_["greedy_prompt_ids"].get<std::vector<int>>();
  const auto expected = golden_["greedy_continuation_ids"].get<std::vector<int>>();
  const auto r = run_rbee({"run", model_, "--ids", join_ids(prompt), "-n", std::to_string(expected.size()), "--temp", "0",
                           "--ignore-eos", "--print-ids", "--kv-type", GetParam().kv_type});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << "ids should be on one line\n" << r.describe();
  EXPECT_EQ(parse_ids_line(r.out), expected) << r.describe();
}

TEST_P(Golden, Logits) {
  const auto ids = golden_["input_ids"].get<std::vector<int>>();
  const auto shape = golden_["logits_shape"].get<std::vector<size_t>>();
  ASSERT_EQ(shape.size(), 2u);
  ASSERT_EQ(shape[0], ids.size());
  TempDir dir;
  const auto out = dir / "logits.f32";
  const auto r = run_rbee({"logits", model_, "--ids", join_ids(ids), "-o", out.string(), "--kv-type", GetParam().kv_type});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const auto got = read_bytes(out);
  const auto want = read_bytes(folder_ / golden_["logits_file"].get<std::string>());
  ASSERT_EQ(want.size(), shape[0] * shape[1] * sizeof(float));
  ASSERT_EQ(got.size(), want.size()) << r.describe();
  const float* g = reinterpret_cast<const float*>(got.data());
  const float* w = reinterpret_cast<const float*>(want.data());
  size_t bad = 0, first_bad = 0;
  float worst = 0;
  for (size_t i = 0; i < want.size() / sizeof(float); ++i) {
    const float d = std::fabs(g[i] - w[i]);
    if (!(d <= 1e-2f)) {
      if (bad++ == 0) first_bad = i;
    }
    if (d > worst || std::isnan(d)) worst = std::isnan(d) ? NAN : d;
  }
  EXPECT_EQ(bad, 0u) << bad << " values differ by more than 1e-2; first at position " << first_bad / shape[1]
                     << " token " << first_bad % shape[1] << " (got " << g[first_bad] << ", want " << w[first_bad]
                     << "); largest difference " << worst;
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (std::string family : {"llama", "llama3", "mistral", "llama_bf16"})
    for (std::string model : {"", "model-f32.gguf"})
      for (std::string kv : {"f16", "f32"}) out.push_back({family, model, kv});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Tiny, Golden, ::testing::ValuesIn(cases()), case_name);

TEST(Sampling, SameSeedSameOutput) {
  const auto model = (fixtures() / "tiny" / "llama" / "model-f32.gguf").string();
  const std::vector<std::string> args{"run", model, "-p", "Hello", "-n", "16", "--temp", "0.9", "--seed", "42"};
  const auto a = run_rbee(args);
  const auto b = run_rbee(args);
  ASSERT_TRUE(a.exited && a.status == 0) << a.describe();
  ASSERT_TRUE(b.exited && b.status == 0) << b.describe();
  EXPECT_FALSE(a.out.empty()) << a.describe();
  EXPECT_EQ(a.out, b.out);
}

TEST(Sampling, SameSeedSameIdsRealModel) {
  const auto model = shared_fixtures() / "third-party" / "models" / "stories260K.gguf";
  if (!std::filesystem::exists(model)) GTEST_SKIP() << model << " is absent";
  const std::vector<std::string> args{"run", model.string(), "-p", "Hello", "-n", "16", "--temp", "0.9", "--seed", "42"};
  const auto a = run_rbee(args);
  const auto b = run_rbee(args);
  ASSERT_TRUE(a.exited && a.status == 0) << a.describe();
  EXPECT_EQ(a.out, b.out) << b.describe();
}

}  // namespace
}  // namespace rbee::test
