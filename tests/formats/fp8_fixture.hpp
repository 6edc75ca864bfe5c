#pragma once
// FP8 versions of tiny safetensors fixtures, made the way DeepSeek-V3's checkpoint is: each 2-D
// linear weight is cut into 128x128 blocks, each block gets scale = amax / 448 and its weights
// become float8 e4m3 codes of w / scale (round to nearest even), and `X.weight_scale_inv` stores
// the scales (float32). Embeddings, the output head, router gates and 1-D tensors stay as they are.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/fp8.hpp"
#include "formats/safetensors.hpp"
#include "formats/test_util.hpp"

namespace rbee::test {

// The e4m3 code nearest to x (ties to the even code), saturating at +-448; x is not NaN.
inline uint8_t e4m3_encode(float x) {
  const auto& table = fp8::e4m3_table();
  const uint8_t sign = std::signbit(x) ? 0x80 : 0;
  const double a = std::min(std::fabs(double(x)), 448.0);
  uint8_t best = 0;
  for (uint8_t c = 1; c < 0x7f; ++c) {
    const double d = std::fabs(double(table[c]) - a), bd = std::fabs(double(table[best]) - a);
    if (d < bd || (d == bd && (c & 1) == 0)) best = c;
  }
  return best | sign;
}

struct StTensor {
  std::string name;
  std::string dtype;  // safetensors name: "F32", "BF16", "F8_E4M3"
  std::vector<uint64_t> shape;
  std::vector<uint8_t> bytes;
};

inline void write_safetensors(const std::filesystem::path& file, const std::vector<StTensor>& tensors) {
  nlohmann::json header = nlohmann::json::object();
  uint64_t offset = 0;
  for (const auto& t : tensors) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {offset, offset + t.bytes.size()}}};
    offset += t.bytes.size();
  }
  std::string text = header.dump();
  text.resize((text.size() + 7) / 8 * 8, ' ');
  const uint64_t n = text.size();
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(&n), 8);
  out.write(text.data(), std::streamsize(text.size()));
  for (const auto& t : tensors) out.write(reinterpret_cast<const char*>(t.bytes.data()), std::streamsize(t.bytes.size()));
}

inline std::vector<uint8_t> float_bytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// The FP8 codes and block scales of w [rows][cols], as DeepSeek's quantizer makes them.
struct Fp8Weight {
  std::vector<uint8_t> codes;
  std::vector<float> scales;  // [ceil(rows/128)][ceil(cols/128)]
};
inline Fp8Weight fp8_quantize(const std::vector<float>& w, uint64_t rows, uint64_t cols, uint64_t block = 128) {
  const uint64_t sr = (rows + block - 1) / block, sc = (cols + block - 1) / block;
  Fp8Weight q{std::vector<uint8_t>(rows * cols), std::vector<float>(sr * sc)};
  for (uint64_t br = 0; br < sr; ++br)
    for (uint64_t bc = 0; bc < sc; ++bc) {
      float amax = 0;
      for (uint64_t r = br * block; r < std::min(rows, (br + 1) * block); ++r)
        for (uint64_t c = bc * block; c < std::min(cols, (bc + 1) * block); ++c) amax = std::max(amax, std::fabs(w[r * cols + c]));
      const float scale = amax > 0 ? amax / 448.f : 1.f;
      q.scales[br * sc + bc] = scale;
      for (uint64_t r = br * block; r < std::min(rows, (br + 1) * block); ++r)
        for (uint64_t c = bc * block; c < std::min(cols, (bc + 1) * block); ++c)
          q.codes[r * cols + c] = e4m3_encode(w[r * cols + c] / scale);
    }
  return q;
}

// The exact value of each FP8 weight, rounded once to float.
inline std::vector<float> fp8_dequantize_reference(const Fp8Weight& q, uint64_t rows, uint64_t cols, uint64_t block = 128) {
  const uint64_t sc = (cols + block - 1) / block;
  std::vector<float> out(rows * cols);
  for (uint64_t r = 0; r < rows; ++r)
    for (uint64_t c = 0; c < cols; ++c)
      out[r * cols + c] = float(double(fp8::e4m3_table()[q.codes[r * cols + c]]) * double(q.scales[r / block * sc + c / block]));
  return out;
}

inline bool is_fp8_linear(const TensorView& t) {
  auto ends = [&](std::string_view s) { return t.name.size() >= s.size() && t.name.compare(t.name.size() - s.size(), s.size(), s) == 0; };
  return t.shape.size() == 2 && ends(".weight") && t.name.find("embed") == std::string::npos &&
         t.name.find("lm_head") == std::string::npos && !ends("mlp.gate.weight");
}

// Copies the fixture folder `src` (all but its GGUF files) into `fp8` with model.safetensors in
// FP8 and config.json given DeepSeek's quantization_config, and, when `dequantized` is not empty,
// into `dequantized` with every FP8 weight replaced by its exact values in F32. Returns the
// largest |dequantized - original| over all FP8 weights.
inline float write_fp8_fixture(const std::filesystem::path& src, const std::filesystem::path& fp8,
                               const std::filesystem::path& dequantized = {}) {
  namespace fs = std::filesystem;
  for (const fs::path& dst : {fp8, dequantized}) {
    if (dst.empty()) continue;
    fs::create_directories(dst);
    for (const auto& e : fs::directory_iterator(src))
      if (e.is_regular_file() && e.path().extension() != ".gguf" && e.path().filename() != "model.safetensors")
        fs::copy_file(e.path(), dst / e.path().filename(), fs::copy_options::overwrite_existing);
  }
  auto config = nlohmann::json::parse(std::ifstream(src / "config.json"));
  config["quantization_config"] = {{"activation_scheme", "dynamic"}, {"fmt", "e4m3"},
                                   {"quant_method", "fp8"}, {"weight_block_size", {128, 128}}};
  std::ofstream(fp8 / "config.json") << config.dump(2);

  const MappedFile file = MappedFile::open(src / "model.safetensors");
  std::vector<StTensor> q8, deq;
  float worst = 0;
  for (const TensorView& t : parse_safetensors(file)) {
    const std::string dtype = t.dtype == DType::F32 ? "F32" : t.dtype == DType::BF16 ? "BF16" : "F16";
    StTensor same{t.name, dtype, t.shape, std::vector<uint8_t>(t.data, t.data + t.nbytes)};
    if (!is_fp8_linear(t)) {
      q8.push_back(same);
      deq.push_back(same);
      continue;
    }
    const std::vector<float> w = to_floats(t);
    const Fp8Weight q = fp8_quantize(w, t.shape[0], t.shape[1]);
    const std::vector<float> back = fp8_dequantize_reference(q, t.shape[0], t.shape[1]);
    for (size_t i = 0; i < w.size(); ++i) worst = std::max(worst, std::fabs(back[i] - w[i]));
    q8.push_back({t.name, "F8_E4M3", t.shape, q.codes});
    q8.push_back({t.name + "_scale_inv", "F32", {(t.shape[0] + 127) / 128, (t.shape[1] + 127) / 128}, float_bytes(q.scales)});
    deq.push_back({t.name, "F32", t.shape, float_bytes(back)});
  }
  write_safetensors(fp8 / "model.safetensors", q8);
  if (!dequantized.empty()) write_safetensors(dequantized / "model.safetensors", deq);
  return worst;
}

}  // namespace rbee::test
