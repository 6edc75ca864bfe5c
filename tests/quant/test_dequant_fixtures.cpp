// Dequantization against gguf-py's float32 output for the tensors listed in
// tiny-quant/dequant/index.json: every value must be bit-identical.
#include <gtest/gtest.h>

#include <cctype>

#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "quant_test_util.hpp"

namespace rbee::quant::test {
namespace {

TEST(DequantFixtures, BitExactWithGgufPy) {
  const auto dir = rbee::test::shared_fixtures() / "tiny-quant";
  if (!std::filesystem::exists(dir / "dequant/index.json"))
    GTEST_SKIP() << "shared fixtures absent: " << dir;
  const auto index = nlohmann::json::parse(read_bytes(dir / "dequant/index.json"));
  ASSERT_FALSE(index.empty());
  for (const auto& entry : index) {
    const std::string file = entry["file"], tensor = entry["tensor"], type = entry["ggml_type"];
    SCOPED_TRACE(file + " " + tensor + " " + type);
    auto source = ModelSource::open(dir / file);
    const TensorView* t = source->tensor(tensor);
    ASSERT_NE(t, nullptr);
    std::string name(dtype_name(t->dtype));
    for (char& c : name) c = char(std::toupper(c));
    ASSERT_EQ(name, type);
    ASSERT_TRUE(supported(t->dtype));
    uint64_t n = 1;
    for (uint64_t d : entry["shape_ggml_ne"]) n *= d;
    ASSERT_EQ(t->elements(), n);

    const auto ref_bytes = read_bytes(dir / std::string(entry["values"]));
    ASSERT_EQ(ref_bytes.size(), n * 4);
    std::vector<float> ref(n);
    std::memcpy(ref.data(), ref_bytes.data(), ref_bytes.size());

    const auto got = decode(t->dtype, {t->data, t->nbytes}, n);
    size_t mismatches = 0, first = n;
    for (size_t i = 0; i < n; ++i)
      if (!bit_equal(got[i], ref[i]) && mismatches++ == 0) first = i;
    EXPECT_EQ(mismatches, 0u) << "first at " << first << ": " << got[first] << " vs "
                              << ref[first];
  }
}

}  // namespace
}  // namespace rbee::quant::test
