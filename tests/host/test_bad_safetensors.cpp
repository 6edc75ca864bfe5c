// `rbee run` on broken Hugging Face folders: exit 1 with one error line naming the file.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

using nlohmann::json;

class BadSafetensors : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = fixtures() / "tiny" / "llama";
    for (const auto& e : std::filesystem::directory_iterator(source_)) {
      const std::string name = e.path().filename().string();
      if (name == "config.json" || name.rfind("tokenizer", 0) == 0 || name == "model.safetensors")
        std::filesystem::copy_file(e.path(), dir_ / name);
    }
    const auto st = read_bytes(source_ / "model.safetensors");
    uint64_t n = 0;
    std::memcpy(&n, st.data(), 8);
    header_ = json::parse(st.begin() + 8, st.begin() + 8 + static_cast<long>(n));
    data_.assign(st.begin() + 8 + static_cast<long>(n), st.end());
  }
  // Writes model.safetensors with `header` (its length prefix valid) followed by the original data.
  void write_safetensors(const json& header, const std::string& name = "model.safetensors") {
    const std::string text = header.dump();
    std::vector<uint8_t> b(8);
    const uint64_t n = text.size();
    std::memcpy(b.data(), &n, 8);
    b.insert(b.end(), text.begin(), text.end());
    b.insert(b.end(), data_.begin(), data_.end());
    write_bytes(dir_ / name, b);
  }
  std::vector<std::string> tensor_names() const {
    std::vector<std::string> names;
    for (const auto& [k, v] : header_.items())
      if (k != "__metadata__") names.push_back(k);
    return names;
  }
  void edit_config(const std::function<void(json&)>& f) {
    json c = json::parse(read_text(dir_ / "config.json"));
    f(c);
    write_text(dir_ / "config.json", c.dump(2));
  }
  RunResult run() const { return run_rbee({"run", dir_.path().string(), "-p", "Hello", "-n", "4"}); }

  TempDir dir_;
  std::filesystem::path source_;
  json header_;
  std::vector<uint8_t> data_;
};

TEST_F(BadSafetensors, CopyLoads) {  // the unmodified copy runs: the failures below are the edits
  const auto r = run();
  EXPECT_TRUE(r.exited && r.status == 0) << r.describe();
}

TEST_F(BadSafetensors, ShapeDisagreesWithByteRange) {
  json h = header_;
  auto& shape = h["model.norm.weight"]["shape"];
  ASSERT_TRUE(shape.is_array());
  shape[0] = shape[0].get<uint64_t>() * 2;
  write_safetensors(h);
  expect_clean_error_any(run(), "model.safetensors", {"model.norm.weight"});
}

TEST_F(BadSafetensors, ShapeDisagreesInspect) {
  json h = header_;
  h["model.embed_tokens.weight"]["shape"] = json::array({512, 63});
  write_safetensors(h);
  expect_clean_error_any(run_rbee({"inspect", dir_.path().string()}), "model.safetensors",
                         {"model.embed_tokens.weight"});
}

TEST_F(BadSafetensors, HeaderLengthLargerThanFile) {
  auto b = read_bytes(dir_ / "model.safetensors");
  const uint64_t n = b.size() + 100;
  std::memcpy(b.data(), &n, 8);
  write_bytes(dir_ / "model.safetensors", b);
  expect_clean_error_any(run(), "model.safetensors", {"header length", "exceeds"});
}

TEST_F(BadSafetensors, MissingShard) {
  std::filesystem::remove(dir_ / "model.safetensors");
  write_safetensors(header_, "model-00001-of-00002.safetensors");
  json index = {{"metadata", json::object()}, {"weight_map", json::object()}};
  const auto names = tensor_names();
  for (size_t i = 0; i < names.size(); ++i)
    index["weight_map"][names[i]] = i % 2 ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors";
  write_text(dir_ / "model.safetensors.index.json", index.dump(2));
  expect_clean_error_any(run(), "model-00002-of-00002.safetensors", {"missing", "no such"});
}

TEST_F(BadSafetensors, ConfigWithoutHiddenSize) {
  edit_config([](json& c) { c.erase("hidden_size"); });
  expect_clean_error(run(), {(dir_ / "config.json").string(), "hidden_size", "missing"});
}

TEST_F(BadSafetensors, ConfigWithoutNumHiddenLayers) {
  edit_config([](json& c) { c.erase("num_hidden_layers"); });
  expect_clean_error(run(), {(dir_ / "config.json").string(), "num_hidden_layers", "missing"});
}

TEST_F(BadSafetensors, NoConfigJson) {
  std::filesystem::remove(dir_ / "config.json");
  expect_clean_error_any(run(), "config.json", {"no such", "missing", "needs"});
}

}  // namespace
}  // namespace rbee::test
