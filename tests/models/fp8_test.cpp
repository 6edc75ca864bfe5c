// FP8 checkpoints (DeepSeek-V3 style: float8 e4m3 weights with 128x128 block scales) load as
// they are: an FP8 copy of a tiny fixture must run like the same folder holding the exact
// dequantized weights in float32, whatever type the weights become on load.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "formats/fp8_fixture.hpp"
#include "models/model_test_util.hpp"
#include "quant/quant.hpp"
#include "temp_dir.hpp"
#include "util/half.hpp"

namespace rbee::test {
namespace {

// Copies folder `from` into `to` with each FP8 weight's float values passed through `round`.
void derive(const std::filesystem::path& from, const std::filesystem::path& to,
            const std::function<std::vector<float>(const std::vector<float>&, const TensorView&)>& round) {
  std::filesystem::create_directories(to);
  for (const auto& e : std::filesystem::directory_iterator(from))
    if (e.path().filename() != "model.safetensors") std::filesystem::copy_file(e.path(), to / e.path().filename());
  const MappedFile file = MappedFile::open(from / "model.safetensors");
  std::vector<StTensor> out;
  for (const TensorView& t : parse_safetensors(file)) {
    StTensor copy{t.name, t.dtype == DType::F32 ? "F32" : "BF16", t.shape, std::vector<uint8_t>(t.data, t.data + t.nbytes)};
    if (is_fp8_linear(t)) copy.bytes = float_bytes(round(to_floats(t), t));
    out.push_back(std::move(copy));
  }
  write_safetensors(to / "model.safetensors", out);
}

struct Fp8Case {
  std::string family;
  float fp8_vs_original;  // observed max |logit diff| of the FP8 weights against the originals, with margin
};

class Fp8Model : public testing::TestWithParam<Fp8Case> {};

TEST_P(Fp8Model, LogitsMatchTheDequantizedFloatModel) {
  const auto original = fixtures() / "tiny" / GetParam().family;
  const TempDir dir;
  const float weight_error = write_fp8_fixture(original, dir / "fp8", dir / "dequantized");
  const auto ids = nlohmann::json::parse(std::ifstream(original / "golden.json"))["input_ids"].get<std::vector<int32_t>>();
  auto logits = [&](const std::filesystem::path& path, DType fp8_type) {
    ModelOptions o;
    o.fp8_type = fp8_type;
    Model model(runtime(), path, o);
    return model.eval(ids, true);
  };
  // The float path: the same folder with every FP8 weight replaced by its exact value in F32.
  const std::vector<float> reference = logits(dir / "dequantized", DType::BF16);  // no FP8 there

  // --quantize f32: every weight is its exact value rounded once, as in the reference folder.
  EXPECT_LT(max_abs_diff(logits(dir / "fp8", DType::F32), reference), 1e-4f);

  // BF16, the default: each weight is its exact value correctly rounded to bf16, so the model
  // must run like the float model of those values.
  auto as_bf16 = [](const std::vector<float>& w, const TensorView&) {
    std::vector<float> r(w.size());
    for (size_t i = 0; i < w.size(); ++i) r[i] = bf16_to_f32(quant::f32_to_bf16(w[i]));
    return r;
  };
  derive(dir / "dequantized", dir / "as_bf16", as_bf16);
  const std::vector<float> bf16 = logits(dir / "fp8", DType::BF16);
  EXPECT_LT(max_abs_diff(bf16, logits(dir / "as_bf16", DType::BF16)), 1e-4f);

  // --quantize q8_0: the weights are rbee::quant's Q8_0 of the exact values; the Q8_0 kernels
  // must land within 2e-2 of the float model of those Q8_0 values (as the TinyQuant suite).
  // Weights whose rows are not whole blocks of 32 stay BF16.
  derive(dir / "dequantized", dir / "as_q8_0", [&](const std::vector<float>& w, const TensorView& t) {
    if (t.shape[1] % 32) return as_bf16(w, t);
    std::vector<uint8_t> q(quant::bytes_for(DType::Q8_0, w.size()));
    quant::quantize(DType::Q8_0, w, q);
    std::vector<float> r(w.size());
    quant::dequantize(DType::Q8_0, q, r);
    return r;
  });
  const std::vector<float> q8 = logits(dir / "fp8", DType::Q8_0);
  EXPECT_LT(max_abs_diff(q8, logits(dir / "as_q8_0", DType::BF16)), 2e-2f);

  // What the rounding of each step costs on these tiny (and touchy) models, for the record.
  const float fp8 = max_abs_diff(reference, logits(original, DType::BF16));
  EXPECT_LT(fp8, GetParam().fp8_vs_original);
  std::cout << GetParam().family << ": max |weight - FP8 weight| " << weight_error
            << "; max |logit diff| against the dequantized float model: bf16 " << max_abs_diff(bf16, reference)
            << ", q8_0 " << max_abs_diff(q8, reference) << "; dequantized FP8 against the original " << fp8 << "\n";
}

// Mixtral's and DeepSeek's routers pick other experts for some tokens once the weights are FP8, hence more.
INSTANTIATE_TEST_SUITE_P(Tiny, Fp8Model,
                         testing::Values(Fp8Case{"llama", 0.75f}, Fp8Case{"qwen2", 0.75f}, Fp8Case{"mixtral", 3.f},
                                         Fp8Case{"deepseek_v3", 3.f}),
                         [](const testing::TestParamInfo<Fp8Case>& info) { return info.param.family; });

}  // namespace
}  // namespace rbee::test
