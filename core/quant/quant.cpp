#include "quant/quant.hpp"

#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "quant/codec.hpp"

namespace rbee::quant {
namespace {

const detail::Codec* codec_of(DType type) {
  if (auto* c = detail::float_codec(type)) return c;
  if (auto* c = detail::legacy_codec(type)) return c;
  if (auto* c = detail::k_quant_codec(type)) return c;
  return detail::nonlinear_codec(type);
}

struct Plan {
  const detail::Codec* codec;
  uint64_t block_elems, block_bytes, blocks;
};

// Checks type and sizes; n elements in bytes bytes.
Plan plan(DType type, uint64_t n, uint64_t bytes, const char* what) {
  const detail::Codec* codec = codec_of(type);
  if (!codec)
    throw std::invalid_argument(std::string(what) + ": unsupported type " +
                                std::string(dtype_name(type)));
  const DTypeTraits t = *dtype_traits(uint32_t(type));
  if (n % t.block_elems != 0)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(n) +
                                " elements are not a whole number of " + std::string(t.name) +
                                " blocks of " + std::to_string(t.block_elems));
  const uint64_t blocks = n / t.block_elems;
  if (bytes != blocks * t.block_bytes)
    throw std::invalid_argument(std::string(what) + ": " + std::to_string(n) + " " +
                                std::string(t.name) + " elements take " +
                                std::to_string(blocks * t.block_bytes) + " bytes, not " +
                                std::to_string(bytes));
  return {codec, t.block_elems, t.block_bytes, blocks};
}

}  // namespace

bool supported(DType type) { return codec_of(type) != nullptr; }

uint64_t bytes_for(DType type, uint64_t n) {
  const auto t = dtype_traits(uint32_t(type));
  if (!t || n % t->block_elems != 0)
    throw std::invalid_argument("bytes_for: " + std::to_string(n) + " elements of type " +
                                std::to_string(uint32_t(type)) + " are not whole blocks");
  return n / t->block_elems * t->block_bytes;
}

void quantize(DType type, std::span<const float> src, std::span<uint8_t> dst) {
  const Plan p = plan(type, src.size(), dst.size(), "quantize");
  p.codec->quantize(src.data(), dst.data(), p.blocks);
}

void dequantize(DType type, std::span<const uint8_t> src, std::span<float> dst) {
  const Plan p = plan(type, dst.size(), src.size(), "dequantize");
  p.codec->dequantize(src.data(), dst.data(), p.blocks);
}

void quantize_parallel(DType type, std::span<const float> src, std::span<uint8_t> dst,
                       unsigned threads) {
  const Plan p = plan(type, src.size(), dst.size(), "quantize");
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Blocks are independent, so any split on block boundaries gives the same bytes.
  const uint64_t per = std::max<uint64_t>((p.blocks + threads - 1) / threads, 1024);
  std::vector<std::jthread> workers;
  for (uint64_t b = per; b < p.blocks; b += per)
    workers.emplace_back([&p, &src, &dst, b, per] {
      p.codec->quantize(src.data() + b * p.block_elems, dst.data() + b * p.block_bytes,
                        std::min(per, p.blocks - b));
    });
  p.codec->quantize(src.data(), dst.data(), std::min(per, p.blocks));
}

}  // namespace rbee::quant
