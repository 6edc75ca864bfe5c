// `rbee` on files that are hostile rather than truncated: FIFOs where files belong, token ids out
// of range, metadata contradicting the tensors, weights that make NaN logits. Each must end in
// one error line naming the file and the field, exit 1, promptly.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

namespace fs = std::filesystem;

constexpr int kPromptly = 60;  // seconds; a FIFO left waiting for a writer would never return

RunResult run(const fs::path& model) { return run_rbee({"run", model.string(), "-p", "Hello", "-n", "4"}, {}, kPromptly); }
RunResult inspect(const fs::path& model) { return run_rbee({"inspect", model.string()}, {}, kPromptly); }

// A copy of the tiny llama HF folder, in which a test breaks one file.
class HostileFolder : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
      fs::copy_file(fixtures() / "tiny" / "llama" / name, dir_ / name);
  }
  void fifo(const char* name) {
    fs::remove(dir_ / name);
    ASSERT_EQ(::mkfifo((dir_ / name).c_str(), 0600), 0);
  }
  void edit_json(const char* name, const std::function<void(nlohmann::json&)>& edit) {
    auto j = nlohmann::json::parse(read_text(dir_ / name));
    edit(j);
    write_text(dir_ / name, j.dump());
  }
  TempDir dir_;
};

TEST(HostileFiles, FifoAsTheModel) {
  TempDir dir;
  const auto fifo = dir / "model.gguf";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_clean_error(run(fifo), {"model.gguf", "is a FIFO, not a regular file"});
  expect_clean_error(inspect(fifo), {"model.gguf", "is a FIFO, not a regular file"});
}

TEST_F(HostileFolder, FifoAsConfigJson) {
  fifo("config.json");
  expect_clean_error(inspect(dir_.path()), {"config.json", "is a FIFO, not a regular file"});
}

TEST_F(HostileFolder, FifoAsModelSafetensors) {
  fifo("model.safetensors");
  expect_clean_error(run(dir_.path()), {"model.safetensors", "is a FIFO, not a regular file"});
}

TEST_F(HostileFolder, FifoAsTokenizerJson) {
  fifo("tokenizer.json");
  expect_clean_error(run(dir_.path()), {"tokenizer.json", "is a FIFO, not a regular file"});
}

TEST_F(HostileFolder, AddedTokenWithIdMinusOne) {
  edit_json("tokenizer.json", [](nlohmann::json& t) { t["added_tokens"][0]["id"] = -1; });
  expect_clean_error(inspect(dir_.path()), {"tokenizer.json", "added_tokens[0].id", "-1", "out of range"});
}

TEST_F(HostileFolder, VocabEntryWithAHugeId) {
  edit_json("tokenizer.json", [](nlohmann::json& t) { t["model"]["vocab"]["a"] = 1'000'000'000'000; });
  expect_clean_error(run(dir_.path()), {"tokenizer.json", "model.vocab[\"a\"]", "out of range"});
}

TEST_F(HostileFolder, HiddenSizeContradictingTheEmbedding) {
  edit_json("config.json", [](nlohmann::json& c) { c["hidden_size"] = 48; });
  expect_clean_error(inspect(dir_.path()), {"config.json", "hidden_size is 48", "model.embed_tokens.weight", "64"});
}

TEST_F(HostileFolder, IntermediateSizeContradictingTheFfn) {
  edit_json("config.json", [](nlohmann::json& c) { c["intermediate_size"] = 100; });
  expect_clean_error(inspect(dir_.path()), {"config.json", "intermediate_size is 100", "down_proj.weight"});
}

TEST_F(HostileFolder, NegativeRmsNormEps) {
  edit_json("config.json", [](nlohmann::json& c) { c["rms_norm_eps"] = -1e-6; });
  expect_clean_error(run(dir_.path()), {"config.json", "rms_norm_eps", "expected a finite number > 0"});
}

// A weight of NaN makes every logit NaN: generation stops with an error instead of printing
// token 0 as if all were well.
TEST(HostileFiles, NanWeightsStopGeneration) {
  const auto original = fixtures() / "tiny" / "llama" / "model-f32.gguf";
  auto bytes = read_bytes(original);
  {
    const GgufSource source(original);
    const TensorView* norm = source.tensor("output_norm.weight");
    ASSERT_NE(norm, nullptr);
    ASSERT_EQ(norm->dtype, DType::F32);
    const uint64_t at = uint64_t(norm->data - source.file().data());
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (uint64_t i = 0; i < norm->nbytes; i += 4) std::memcpy(&bytes[at + i], &nan, 4);
  }
  TempDir dir;
  write_bytes(dir / "nan.gguf", bytes);
  for (const char* temp : {"0", "0.8"}) {
    SCOPED_TRACE(std::string("--temp ") + temp);
    const auto r = run_rbee({"run", (dir / "nan.gguf").string(), "-p", "Hello", "-n", "4", "--temp", temp}, {}, 300);
    expect_clean_error(r, {"nan.gguf", "the model produced NaN logits at position"});
  }
}

}  // namespace
}  // namespace rbee::test
