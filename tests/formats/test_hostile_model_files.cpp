// Model files that must be refused with an error naming the file and the field: FIFOs where a
// file belongs (refused at once, not waited on) and metadata that contradicts the tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "fifo_deadline.hpp"
#include "fixtures_path.hpp"
#include "formats/fp8_fixture.hpp"
#include "formats/gguf_writer.hpp"
#include "formats/hyperparameter_checks.hpp"
#include "formats/model_source.hpp"
#include "formats/test_util.hpp"
#include "temp_dir.hpp"
#include "util/read_file.hpp"

namespace rbee {
namespace {

namespace fs = std::filesystem;
using test::expect_format_error;
using test::TempDir;

void expect_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << "lacks \"" << part << "\": " << message;
}

// A tiny HF folder: the llama fixture's files, each replaceable.
void copy_llama_folder(const fs::path& to) {
  for (const char* name : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"})
    fs::copy_file(test::fixtures() / "tiny" / "llama" / name, to / name);
}

TEST(HostileModelFiles, FifoAsTheModelFile) {
  TempDir dir;
  const auto fifo = test::make_fifo(dir / "model.gguf");
  expect_mentions(test::error_within(fifo, [&] { ModelSource::open(fifo); }), {"model.gguf", "is a FIFO, not a regular file"});
}

TEST(HostileModelFiles, FifoInAModelFolder) {
  for (const char* name : {"config.json", "model.safetensors", "model.safetensors.index.json"}) {
    SCOPED_TRACE(name);
    TempDir dir;
    copy_llama_folder(dir.path());
    fs::remove(dir / name);
    if (std::string(name) == "model.safetensors.index.json") fs::remove(dir / "model.safetensors");
    const auto fifo = test::make_fifo(dir / name);
    expect_mentions(test::error_within(fifo, [&] { ModelSource::open(dir.path()); }),
                    {name, "is a FIFO, not a regular file"});
  }
}

TEST(HostileModelFiles, FifoShard) {
  TempDir dir;
  copy_llama_folder(dir.path());
  fs::rename(dir / "model.safetensors", dir / "other.safetensors");
  dir.write("model.safetensors.index.json", R"({"weight_map": {"model.norm.weight": "shard.safetensors"}})");
  const auto fifo = test::make_fifo(dir / "shard.safetensors");
  expect_mentions(test::error_within(fifo, [&] { ModelSource::open(dir.path()); }),
                  {"shard.safetensors", "is a FIFO, not a regular file"});
}

TEST(HostileModelFiles, ReadRegularFileNamesWhatItGot) {
  TempDir dir;
  expect_format_error([&] { read_regular_file(dir.path()); }, {"is a directory, not a regular file"});
  expect_format_error([&] { read_regular_file(dir / "absent.json"); }, {"absent.json", "cannot open"});
  EXPECT_EQ(read_regular_file(dir.write("a.txt", std::string("abc"))), "abc");
  EXPECT_EQ(read_regular_file(dir.write("empty.txt", std::string())), "");
}

// Every tiny fixture, both formats, states hyperparameters its tensors agree with.
TEST(HyperparameterChecks, EveryFixturePasses) {
  int checked = 0;
  for (const fs::path& root : {test::fixtures() / "tiny", test::shared_fixtures() / "tiny", test::shared_fixtures() / "tiny-quant"}) {
    if (!fs::is_directory(root)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
      const fs::path& p = entry.path();
      const bool gguf = p.extension() == ".gguf";
      const bool folder = p.filename() == "config.json" && (fs::exists(p.parent_path() / "model.safetensors") ||
                                                            fs::exists(p.parent_path() / "model.safetensors.index.json"));
      if (!gguf && !folder) continue;
      SCOPED_TRACE(p.string());
      const auto source = ModelSource::open(gguf ? p : p.parent_path(), SourceOptions{.convert_fp8 = false});
      EXPECT_NO_THROW(check_hyperparameters(*source));
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
}

// The llama folder with config.json edited.
void expect_config_refused(const std::function<void(nlohmann::json&)>& edit, std::initializer_list<std::string_view> parts) {
  TempDir dir;
  copy_llama_folder(dir.path());
  nlohmann::json config = nlohmann::json::parse(read_regular_file(dir / "config.json"));
  edit(config);
  dir.write("config.json", config.dump());
  const auto source = ModelSource::open(dir.path());
  expect_format_error([&] { check_hyperparameters(*source); }, parts);
}

TEST(HyperparameterChecks, ConfigContradictingTheTensors) {
  expect_config_refused([](nlohmann::json& c) { c["hidden_size"] = 48; },
                        {"config.json", "hidden_size is 48", "model.embed_tokens.weight has 64 columns"});
  expect_config_refused([](nlohmann::json& c) { c["vocab_size"] = 500; },
                        {"config.json", "vocab_size is 500", "model.embed_tokens.weight has 512 rows"});
  expect_config_refused([](nlohmann::json& c) { c["intermediate_size"] = c["intermediate_size"].get<int>() + 1; },
                        {"config.json", "intermediate_size", "model.layers.0.mlp.down_proj.weight", "columns"});
}

TEST(HyperparameterChecks, FloatsThatMustBePositive) {
  expect_config_refused([](nlohmann::json& c) { c["rms_norm_eps"] = -1e-5; },
                        {"config.json", "rms_norm_eps is -1e-05", "expected a finite number > 0"});
  expect_config_refused([](nlohmann::json& c) { c["rms_norm_eps"] = 0; }, {"rms_norm_eps is 0"});
  expect_config_refused([](nlohmann::json& c) { c["rope_theta"] = -10000; }, {"rope_theta is -10000"});
}

TEST(HyperparameterChecks, MoreExpertsUsedThanThereAre) {
  expect_config_refused([](nlohmann::json& c) { c["num_local_experts"] = 4, c["num_experts_per_tok"] = 6; },
                        {"config.json", "num_experts_per_tok is 6", "more than the 4 of num_local_experts"});
  expect_config_refused([](nlohmann::json& c) { c["n_group"] = 2, c["topk_group"] = 3; },
                        {"config.json", "topk_group is 3", "more than the 2 of n_group"});
}

// A llama GGUF of the given metadata (beyond the architecture) and a 512 x 64 token embedding.
fs::path llama_gguf(const TempDir& dir, const std::function<void(test::GgufWriter&)>& metadata) {
  test::GgufWriter w;
  w.string("general.architecture", "llama");
  metadata(w);
  w.tensor("token_embd.weight", {64, 512}, 0 /* F32 */, std::vector<uint8_t>(64 * 512 * 4));
  return dir.write("model.gguf", w.bytes());
}

TEST(HyperparameterChecks, GgufMetadataContradictingTheTensors) {
  TempDir dir;
  auto refused = [&](const std::function<void(test::GgufWriter&)>& metadata, std::initializer_list<std::string_view> parts) {
    const auto source = ModelSource::open(llama_gguf(dir, metadata));
    expect_format_error([&] { check_hyperparameters(*source); }, parts);
  };
  refused([](auto& w) { w.template scalar<uint32_t>("llama.embedding_length", test::kU32, 48); },
          {"model.gguf", "llama.embedding_length is 48", "token_embd.weight has 64 columns"});
  refused([](auto& w) { w.template scalar<float>("llama.attention.layer_norm_rms_epsilon", test::kF32, -1e-5f); },
          {"model.gguf", "llama.attention.layer_norm_rms_epsilon", "expected a finite number > 0"});
  refused([](auto& w) { w.template scalar<float>("llama.attention.layer_norm_rms_epsilon", test::kF32, NAN); },
          {"llama.attention.layer_norm_rms_epsilon is nan"});
  refused([](auto& w) {
    w.template scalar<uint32_t>("llama.expert_group_count", test::kU32, 1);
    w.template scalar<uint32_t>("llama.expert_group_used_count", test::kU32, 4);
  }, {"llama.expert_group_used_count is 4", "more than the 1 of llama.expert_group_count"});

  const auto fine = ModelSource::open(llama_gguf(dir, [](auto& w) { w.template scalar<uint32_t>("llama.embedding_length", test::kU32, 64); }));
  EXPECT_NO_THROW(check_hyperparameters(*fine));
}

}  // namespace
}  // namespace rbee
