#include "formats/mxfp4_planes.hpp"

#include <algorithm>
#include <map>
#include <string>

#include "util/format_error.hpp"

namespace rbee {

namespace {

constexpr std::string_view kBlocks = "_blocks", kScales = "_scales";

bool ends_with(const std::string& s, std::string_view tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

}  // namespace

void mxfp4_block_from_planes(const uint8_t* codes, uint8_t scale, uint8_t* block) {
  block[0] = scale;
  // Element e sits in byte e / 2 of the codes (low nibble when e is even); GGML's byte j holds
  // elements j and j + 16.
  auto code = [&](unsigned e) { return (codes[e / 2] >> (4 * (e % 2))) & 0xF; };
  for (unsigned j = 0; j < 16; ++j) block[1 + j] = uint8_t(code(j) | (code(j + 16) << 4));
}

void join_mxfp4_planes(std::vector<TensorView>& tensors, std::vector<std::unique_ptr<uint8_t[]>>& owned) {
  std::map<std::string, size_t> blocks, scales;  // stem -> index
  for (size_t i = 0; i < tensors.size(); ++i) {
    const std::string& name = tensors[i].name;
    if (tensors[i].dtype != DType::U8) continue;
    if (ends_with(name, kBlocks)) blocks[name.substr(0, name.size() - kBlocks.size())] = i;
    else if (ends_with(name, kScales)) scales[name.substr(0, name.size() - kScales.size())] = i;
    else throw FormatError("tensor '" + name + "': uint8 is read only as MXFP4 planes (X_blocks with X_scales)");
  }
  for (const auto& [stem, i] : scales)
    if (!blocks.count(stem)) throw FormatError("tensor '" + tensors[i].name + "' has no '" + stem + "_blocks' beside it");
  std::vector<bool> drop(tensors.size(), false);
  std::vector<TensorView> joined;
  for (const auto& [stem, bi] : blocks) {
    const TensorView& b = tensors[bi];
    const auto si = scales.find(stem);
    if (si == scales.end()) throw FormatError("tensor '" + b.name + "' has no '" + stem + "_scales' beside it");
    const TensorView& s = tensors[si->second];
    const auto& bs = b.shape;
    if (bs.size() < 2 || bs.back() != 16 || s.shape.size() != bs.size() - 1 ||
        !std::equal(s.shape.begin(), s.shape.end(), bs.begin()))
      throw FormatError("MXFP4 planes of '" + stem + "': blocks " + shape_text(bs) + " and scales " + shape_text(s.shape) +
                        " are not [..., n, 16] and [..., n]");
    const uint64_t n_blocks = s.elements();
    if (n_blocks == 0 || s.shape.back() > UINT64_MAX / 32 || n_blocks > UINT64_MAX / 17)
      throw FormatError("MXFP4 planes of '" + stem + "': " + shape_text(s.shape) + " blocks");
    auto data = std::make_unique<uint8_t[]>(n_blocks * 17);
    for (uint64_t k = 0; k < n_blocks; ++k) mxfp4_block_from_planes(b.data + 16 * k, s.data[k], data.get() + 17 * k);
    TensorView t{.name = stem, .dtype = DType::MXFP4, .shape = s.shape, .data = data.get(), .nbytes = n_blocks * 17};
    t.shape.back() *= 32;
    joined.push_back(std::move(t));
    owned.push_back(std::move(data));
    drop[bi] = drop[si->second] = true;
  }
  std::vector<TensorView> kept;
  for (size_t i = 0; i < tensors.size(); ++i)
    if (!drop[i]) kept.push_back(std::move(tensors[i]));
  for (auto& t : joined) kept.push_back(std::move(t));
  tensors = std::move(kept);
}

}  // namespace rbee
