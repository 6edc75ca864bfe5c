#include "plugin_host/source_api.hpp"

#include <cstring>
#include <string>

#include <gtest/gtest.h>

#include "fixtures_path.hpp"

namespace rbee {
namespace {

using nlohmann::json;

// A source with metadata and tensors made up by the test.
class FakeSource : public ModelSource {
 public:
  FakeSource(json meta, std::vector<TensorView> tensors)
      : meta_(std::move(meta)), tensors_(std::move(tensors)) {
    index_tensors();
  }
  Format format() const override { return Format::Safetensors; }
  const std::filesystem::path& path() const override { return path_; }
  const json* meta(std::string_view key) const override {
    const auto it = meta_.find(std::string(key));
    return it == meta_.end() ? nullptr : &*it;
  }
  const std::vector<TensorView>& tensors() const override { return tensors_; }

 private:
  std::filesystem::path path_ = "fake";
  json meta_;
  std::vector<TensorView> tensors_;
};

class SourceApiTest : public ::testing::Test {
 protected:
  FakeSource source_{json{{"int", 7},
                          {"big", 18446744073709551615ull},
                          {"neg", -3},
                          {"whole_float", 10000.0},
                          {"frac", 0.5},
                          {"huge_float", 1e300},
                          {"flag", true},
                          {"name", "llama"},
                          {"nothing", nullptr},
                          {"floats", {1.5, 2, 3}},
                          {"mixed", {1, "two"}}},
                     {TensorView{"w", DType::Q8_0, {32, 64}, nullptr, 0},
                      TensorView{"t5", DType::F32, {1, 2, 3, 4, 5}, nullptr, 0}}};
  const rbee_source* src_ = to_handle(source_);
  const rbee_source_api& api_ = *source_api();
};

TEST_F(SourceApiTest, Format) {
  EXPECT_EQ(api_.struct_size, sizeof(rbee_source_api));
  EXPECT_EQ(api_.format(src_), RBEE_FORMAT_SAFETENSORS);
}

TEST_F(SourceApiTest, GetInt) {
  int64_t v = 0;
  EXPECT_EQ(api_.get_int(src_, "int", &v), RBEE_OK);
  EXPECT_EQ(v, 7);
  EXPECT_EQ(api_.get_int(src_, "neg", &v), RBEE_OK);
  EXPECT_EQ(v, -3);
  EXPECT_EQ(api_.get_int(src_, "whole_float", &v), RBEE_OK);
  EXPECT_EQ(v, 10000);
  EXPECT_EQ(api_.get_int(src_, "frac", &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_int(src_, "huge_float", &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_int(src_, "big", &v), RBEE_ERROR_TYPE_MISMATCH);  // does not fit int64
  EXPECT_EQ(api_.get_int(src_, "flag", &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_int(src_, "name", &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_int(src_, "absent", &v), RBEE_ERROR_NOT_FOUND);
  EXPECT_EQ(api_.get_int(src_, "nothing", &v), RBEE_ERROR_NOT_FOUND);
}

TEST_F(SourceApiTest, GetFloat) {
  double v = 0;
  EXPECT_EQ(api_.get_float(src_, "frac", &v), RBEE_OK);
  EXPECT_EQ(v, 0.5);
  EXPECT_EQ(api_.get_float(src_, "int", &v), RBEE_OK);
  EXPECT_EQ(v, 7.0);
  EXPECT_EQ(api_.get_float(src_, "flag", &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_float(src_, "nothing", &v), RBEE_ERROR_NOT_FOUND);
}

TEST_F(SourceApiTest, GetBoolAndString) {
  uint32_t flag = 0;
  EXPECT_EQ(api_.get_bool(src_, "flag", &flag), RBEE_OK);
  EXPECT_EQ(flag, 1);
  EXPECT_EQ(api_.get_bool(src_, "int", &flag), RBEE_ERROR_TYPE_MISMATCH);
  const char* s = nullptr;
  EXPECT_EQ(api_.get_string(src_, "name", &s), RBEE_OK);
  EXPECT_STREQ(s, "llama");
  EXPECT_EQ(api_.get_string(src_, "int", &s), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_string(src_, "absent", &s), RBEE_ERROR_NOT_FOUND);
}

TEST_F(SourceApiTest, Arrays) {
  uint64_t n = 0;
  EXPECT_EQ(api_.get_array_len(src_, "floats", &n), RBEE_OK);
  EXPECT_EQ(n, 3u);
  EXPECT_EQ(api_.get_array_len(src_, "int", &n), RBEE_ERROR_TYPE_MISMATCH);
  double v = 0;
  EXPECT_EQ(api_.get_array_float(src_, "floats", 0, &v), RBEE_OK);
  EXPECT_EQ(v, 1.5);
  EXPECT_EQ(api_.get_array_float(src_, "floats", 1, &v), RBEE_OK);
  EXPECT_EQ(v, 2.0);
  EXPECT_EQ(api_.get_array_float(src_, "floats", 3, &v), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(api_.get_array_float(src_, "mixed", 1, &v), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_array_float(src_, "absent", 0, &v), RBEE_ERROR_NOT_FOUND);
}

TEST_F(SourceApiTest, ArraysOfStrings) {
  const char* s = nullptr;
  EXPECT_EQ(api_.get_array_string(src_, "mixed", 1, &s), RBEE_OK);
  EXPECT_STREQ(s, "two");
  EXPECT_EQ(api_.get_array_string(src_, "mixed", 0, &s), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_array_string(src_, "mixed", 2, &s), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(api_.get_array_string(src_, "name", 0, &s), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api_.get_array_string(src_, "absent", 0, &s), RBEE_ERROR_NOT_FOUND);
}

TEST_F(SourceApiTest, TensorInfo) {
  rbee_tensor_info info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(api_.tensor_info(src_, "w", &info), RBEE_OK);
  EXPECT_EQ(info.struct_size, sizeof info);
  EXPECT_EQ(info.dtype, static_cast<uint32_t>(RBEE_DTYPE_Q8_0));
  EXPECT_EQ(info.n_dims, 2u);
  EXPECT_EQ(info.shape[0], 32u);
  EXPECT_EQ(info.shape[1], 64u);
  EXPECT_EQ(api_.tensor_info(src_, "absent", &info), RBEE_ERROR_NOT_FOUND);
  EXPECT_EQ(api_.tensor_info(src_, "t5", &info), RBEE_ERROR_UNSUPPORTED);  // over RBEE_MAX_DIMS
}

TEST_F(SourceApiTest, TensorInfoWritesOnlyWhatTheCallerKnows) {
  // A caller whose rbee_tensor_info ends after n_dims: shape must stay untouched.
  rbee_tensor_info info{};
  std::memset(info.shape, 0xAB, sizeof info.shape);
  info.struct_size = offsetof(rbee_tensor_info, shape);
  ASSERT_EQ(api_.tensor_info(src_, "w", &info), RBEE_OK);
  EXPECT_EQ(info.n_dims, 2u);
  EXPECT_EQ(info.shape[0], 0xABABABABABABABABull);
}

TEST_F(SourceApiTest, NullArgumentsAreRejected) {
  int64_t v = 0;
  EXPECT_EQ(api_.get_int(nullptr, "int", &v), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(api_.get_int(src_, nullptr, &v), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(api_.get_int(src_, "int", nullptr), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(api_.tensor_info(src_, "w", nullptr), RBEE_ERROR_INVALID_ARGUMENT);
}

TEST(SourceApiGguf, ReadsARealFile) {
  const auto source = ModelSource::open(test::fixtures() / "tiny" / "llama" / "model-f32.gguf");
  const rbee_source* src = to_handle(*source);
  const rbee_source_api& api = *source_api();
  EXPECT_EQ(api.format(src), RBEE_FORMAT_GGUF);

  const char* arch = nullptr;
  ASSERT_EQ(api.get_string(src, "general.architecture", &arch), RBEE_OK);
  EXPECT_STREQ(arch, "llama");
  int64_t n = 0;
  EXPECT_EQ(api.get_int(src, "llama.block_count", &n), RBEE_OK);
  EXPECT_EQ(n, 2);
  EXPECT_EQ(api.get_int(src, "llama.embedding_length", &n), RBEE_OK);
  EXPECT_EQ(n, 64);
  double eps = 0;
  EXPECT_EQ(api.get_float(src, "llama.attention.layer_norm_rms_epsilon", &eps), RBEE_OK);
  EXPECT_NEAR(eps, 1e-6, 1e-9);
  uint64_t n_tokens = 0;
  EXPECT_EQ(api.get_array_len(src, "tokenizer.ggml.tokens", &n_tokens), RBEE_OK);
  EXPECT_EQ(n_tokens, 512u);
  EXPECT_EQ(api.get_int(src, "general.architecture", &n), RBEE_ERROR_TYPE_MISMATCH);
  EXPECT_EQ(api.get_int(src, "llama.no_such_key", &n), RBEE_ERROR_NOT_FOUND);

  rbee_tensor_info info{};
  info.struct_size = sizeof info;
  ASSERT_EQ(api.tensor_info(src, "token_embd.weight", &info), RBEE_OK);
  EXPECT_EQ(info.dtype, static_cast<uint32_t>(RBEE_DTYPE_F32));
  EXPECT_EQ(info.n_dims, 2u);
  EXPECT_EQ(info.shape[0], 512u);  // [vocab, dim], outermost first
  EXPECT_EQ(info.shape[1], 64u);
}

}  // namespace
}  // namespace rbee
