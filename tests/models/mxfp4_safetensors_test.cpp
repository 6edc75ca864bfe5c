// MXFP4 safetensors as gpt-oss is released: the experts' `*_blocks` and `*_scales` planes load as
// one MXFP4 tensor each (regrouped, never decoded), and the model run on them matches the same
// model run in float32 on the dequantized weights. Fixtures: tools/mxfp4/pack_gpt_oss_experts.py
// packs the tiny gpt-oss's float experts (tests/fixtures/tiny/gpt_oss_mxfp4, whose config.json is
// spelled as the released one's, and its _dequant twin, spelled as transformers 5 writes it).
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "models/model_test_util.hpp"
#include "quant/quant.hpp"

namespace rbee::test {
namespace {

const std::filesystem::path kPacked = fixtures() / "tiny" / "gpt_oss_mxfp4";
const std::filesystem::path kDequant = fixtures() / "tiny" / "gpt_oss_mxfp4_dequant";

// The joined tensor decodes to exactly the dequantized float experts ([E, in, out] there,
// [E, out, in] here), and its planes are gone.
TEST(Mxfp4Safetensors, PlanesJoinIntoMxfp4TensorsOfTheSameValues) {
  auto packed = ModelSource::open(kPacked);
  auto dequant = ModelSource::open(kDequant);
  for (const char* name : {"model.layers.0.mlp.experts.gate_up_proj", "model.layers.1.mlp.experts.down_proj"}) {
    const TensorView* q = packed->tensor(name);
    const TensorView* f = dequant->tensor(name);
    ASSERT_NE(q, nullptr) << name;
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(packed->tensor(std::string(name) + "_blocks"), nullptr);
    EXPECT_EQ(packed->tensor(std::string(name) + "_scales"), nullptr);
    ASSERT_EQ(q->dtype, DType::MXFP4);
    ASSERT_EQ(f->shape.size(), 3u);
    const uint64_t experts = f->shape[0], in = f->shape[1], out = f->shape[2];
    ASSERT_EQ(q->shape, (std::vector<uint64_t>{experts, out, in}));
    std::vector<float> got(q->elements());
    quant::dequantize(DType::MXFP4, {q->data, q->nbytes}, got);
    const auto* want = reinterpret_cast<const float*>(f->data);
    size_t differ = 0;
    for (uint64_t e = 0; e < experts; ++e)
      for (uint64_t o = 0; o < out; ++o)
        for (uint64_t i = 0; i < in; ++i) differ += got[(e * out + o) * in + i] != want[(e * in + i) * out + o];
    EXPECT_EQ(differ, 0u) << name;
  }
}

TEST(Mxfp4Safetensors, LogitsMatchTheFloatModelOnTheDequantizedWeights) {
  auto g = nlohmann::json::parse(std::ifstream(kPacked / "input_ids.json"));
  std::vector<int32_t> ids = g["input_ids"].get<std::vector<int32_t>>();
  Model packed(runtime(), kPacked, {});
  Model dequant(runtime(), kDequant, {});
  std::vector<float> got = packed.eval(ids, true), want = dequant.eval(ids, true);
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, 1e-4f) << "max abs difference over " << ids.size() << " positions";
}

}  // namespace
}  // namespace rbee::test
