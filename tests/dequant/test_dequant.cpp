// GPU dequantization (shaders/quant.glsl through dequant.comp) of every GGML weight type:
// real tensors against gguf-py's float32 output (shared fixtures), and hand-built blocks
// against a CPU reference and against the formats' definitions.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "dequant/reference.hpp"
#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "graph/dispatch.hpp"
#include "vulkan/buffer.hpp"
#include "vulkan/commands.hpp"
#include "vulkan/device.hpp"
#include "vulkan/error.hpp"
#include "vulkan/pipeline.hpp"
#include "vulkan/uploader.hpp"
#include "vulkan/weight_kernels.hpp"

namespace rbee::test {
namespace {

struct Gpu {
  std::shared_ptr<vk::Instance> instance = std::make_shared<vk::Instance>();
  std::unique_ptr<vk::Device> device = std::make_unique<vk::Device>(instance, -1);
  std::unique_ptr<vk::PipelineSet> pipelines = std::make_unique<vk::PipelineSet>(*device);
  std::unique_ptr<vk::Uploader> uploader = std::make_unique<vk::Uploader>(*device, 4ull << 20);
  VkDescriptorPool pool = VK_NULL_HANDLE;
  Gpu() {
    VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 4};
    VkDescriptorPoolCreateInfo ci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
    ci.maxSets = 1;
    ci.poolSizeCount = 1;
    ci.pPoolSizes = &size;
    vk::check(vkCreateDescriptorPool(device->handle(), &ci, nullptr, &pool), "vkCreateDescriptorPool");
  }
  ~Gpu() {
    vkDestroyDescriptorPool(device->handle(), pool, nullptr);
    uploader.reset();
    pipelines.reset();
    device.reset();
  }
};
Gpu& gpu() {
  static Gpu g;
  return g;
}

enum class Path : uint32_t { Element = 0, Block16 = 1 };

// Records one dispatch of `shader` (binding i = buffers[i]) and waits for it.
void dispatch(const std::string& shader, const std::vector<const vk::Buffer*>& buffers, const void* push,
              uint32_t push_bytes, uint32_t wg, uint32_t gx, uint32_t gy = 1) {
  Gpu& g = gpu();
  auto n_buffers = static_cast<uint32_t>(buffers.size());
  const vk::Pipeline& p = g.pipelines->get(shader, n_buffers, 0, push_bytes, {wg});
  vk::check(vkResetDescriptorPool(g.device->handle(), g.pool, 0), "vkResetDescriptorPool");
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = g.pool;
  ai.descriptorSetCount = 1;
  VkDescriptorSetLayout layout = p.set_layout();
  ai.pSetLayouts = &layout;
  VkDescriptorSet set;
  vk::check(vkAllocateDescriptorSets(g.device->handle(), &ai, &set), "vkAllocateDescriptorSets");
  std::vector<VkDescriptorBufferInfo> infos(n_buffers);
  std::vector<VkWriteDescriptorSet> writes(n_buffers);
  for (uint32_t i = 0; i < n_buffers; ++i) {
    infos[i] = {buffers[i]->handle(), 0, VK_WHOLE_SIZE};
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = i;
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  vkUpdateDescriptorSets(g.device->handle(), n_buffers, writes.data(), 0, nullptr);

  vk::CommandBuffer cmd(*g.device);
  cmd.begin(true);
  vkCmdBindPipeline(cmd.handle(), VK_PIPELINE_BIND_POINT_COMPUTE, p.handle());
  vkCmdBindDescriptorSets(cmd.handle(), VK_PIPELINE_BIND_POINT_COMPUTE, p.layout(), 0, 1, &set, 0, nullptr);
  vkCmdPushConstants(cmd.handle(), p.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cmd.handle(), gx, gy, 1);
  cmd.barrier();
  cmd.end();
  cmd.submit_and_wait();
}

// A device buffer holding `bytes`, padded to whole 32-bit words and nothing more.
std::unique_ptr<vk::Buffer> device_buffer(const void* bytes, uint64_t nbytes, const char* what) {
  std::vector<uint8_t> padded((nbytes + 3) / 4 * 4, 0);
  std::memcpy(padded.data(), bytes, nbytes);
  auto b = std::make_unique<vk::Buffer>(*gpu().device, padded.size(), vk::MemoryKind::Device, what);
  gpu().uploader->upload(padded.data(), padded.size(), *b);
  return b;
}

std::vector<float> download(const vk::Buffer& b, uint64_t n) {
  std::vector<float> v(n);
  gpu().uploader->download(b, 0, v.data(), n * 4);
  return v;
}

// Runs dequant_<type> over `bytes` (a tight array of blocks) and returns n floats.
std::vector<float> gpu_dequant(const std::string& type, const uint8_t* bytes, uint64_t nbytes, uint32_t n, Path path) {
  auto weights = device_buffer(bytes, nbytes, "test weights");
  vk::Buffer out(*gpu().device, uint64_t(n) * 4, vk::MemoryKind::Device, "test output");
  const uint32_t wg = 64;
  struct { uint32_t n, mode; } push{n, static_cast<uint32_t>(path)};
  // Fewer workgroups than elements on purpose, so the grid-stride loop is exercised.
  uint32_t items = path == Path::Block16 ? n / 16 : n;
  uint32_t groups = std::clamp<uint32_t>((items + wg - 1) / wg, 1, 64);
  dispatch(vk::weight_kernel(vk::WeightKernel::Dequant, type), {weights.get(), &out}, &push, sizeof(push), wg, groups);
  return download(out, n);
}

struct Comparison {
  uint64_t n = 0;
  uint64_t exact = 0;       // bit-identical
  uint64_t max_ulps = 0;
  double max_abs = 0;
  double max_ref = 0;
  uint64_t first_bad = UINT64_MAX;
};

uint64_t ulps_apart(float a, float b) {
  if (a == b) return 0;  // also +0 == -0
  if (std::isnan(a) || std::isnan(b)) return UINT64_MAX;
  auto key = [](float f) {
    int32_t i = std::bit_cast<int32_t>(f);
    return i < 0 ? int64_t(INT32_MIN) - i : int64_t(i);
  };
  int64_t d = key(a) - key(b);
  return uint64_t(d < 0 ? -d : d);
}

Comparison compare(const std::vector<float>& got, const float* want, uint64_t n) {
  Comparison c;
  c.n = n;
  for (uint64_t i = 0; i < n; ++i) {
    if (std::bit_cast<uint32_t>(got[i]) == std::bit_cast<uint32_t>(want[i])) {
      ++c.exact;
    } else if (c.first_bad == UINT64_MAX) {
      c.first_bad = i;
    }
    c.max_ulps = std::max(c.max_ulps, ulps_apart(got[i], want[i]));
    c.max_abs = std::max(c.max_abs, double(std::fabs(got[i] - want[i])));
    c.max_ref = std::max(c.max_ref, double(std::fabs(want[i])));
  }
  return c;
}

std::string lower(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The kernel does ggml's float operations in ggml's order, so every element must be
// bit-identical; anything else is reported with where it first differs.
void expect_exact(const Comparison& c, const std::string& what, const std::vector<float>& got, const float* want) {
  EXPECT_EQ(c.exact, c.n) << what << ": " << (c.n - c.exact) << " of " << c.n << " elements differ, max "
                          << c.max_ulps << " ulp, max abs diff " << c.max_abs << "; first at " << c.first_bad
                          << ": got " << (c.first_bad < c.n ? got[c.first_bad] : 0.0f) << " want "
                          << (c.first_bad < c.n ? want[c.first_bad] : 0.0f);
}

// ---- real tensors from the shared fixtures ----------------------------------------------------

TEST(Dequant, FixtureTensorsMatchGgufPy) {
  auto root = shared_fixtures() / "tiny-quant";
  auto index_path = root / "dequant" / "index.json";
  if (!std::filesystem::exists(index_path)) GTEST_SKIP() << "no shared fixtures at " << index_path;
  nlohmann::json index = nlohmann::json::parse(std::ifstream(index_path));
  ASSERT_FALSE(index.empty());

  struct PerType {
    uint64_t tensors = 0, n = 0, exact = 0, max_ulps = 0;
    double max_abs = 0;
  };
  std::map<std::string, PerType> summary;
  std::map<std::string, std::unique_ptr<ModelSource>> sources;
  for (const auto& e : index) {
    std::string file = e.at("file"), name = e.at("tensor"), ggml_type = e.at("ggml_type");
    std::string type = lower(ggml_type);
    SCOPED_TRACE(file + " " + name + " " + ggml_type);
    auto& src = sources[file];
    if (!src) src = ModelSource::open(root / file);
    const TensorView* t = src->tensor(name);
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(lower(std::string(dtype_name(t->dtype))), type);
    uint64_t n = 1;
    for (const auto& d : e.at("shape_ggml_ne")) n *= d.get<uint64_t>();
    ASSERT_EQ(n, t->elements());

    std::ifstream vf(root / e.at("values").get<std::string>(), std::ios::binary);
    ASSERT_TRUE(vf) << "cannot read " << e.at("values");
    std::vector<float> want(n);
    vf.read(reinterpret_cast<char*>(want.data()), std::streamsize(n * 4));
    ASSERT_EQ(uint64_t(vf.gcount()), n * 4);

    for (Path path : {Path::Element, Path::Block16}) {
      std::vector<float> got = gpu_dequant(type, t->data, t->nbytes, static_cast<uint32_t>(n), path);
      Comparison c = compare(got, want.data(), n);
      expect_exact(c, path == Path::Element ? "dequant()" : "dequant16()", got, want.data());
      PerType& s = summary[ggml_type];
      s.n += n;
      s.exact += c.exact;
      s.max_ulps = std::max(s.max_ulps, c.max_ulps);
      s.max_abs = std::max(s.max_abs, c.max_abs);
      if (path == Path::Element) ++s.tensors;
    }
  }
  std::printf("%-8s %8s %10s %10s %8s %12s\n", "type", "tensors", "elements", "exact", "max ulp", "max |diff|");
  for (const auto& [type, s] : summary)
    std::printf("%-8s %8llu %10llu %10llu %8llu %12.3g  %s\n", type.c_str(), (unsigned long long)s.tensors,
                (unsigned long long)s.n, (unsigned long long)s.exact, (unsigned long long)s.max_ulps, s.max_abs,
                s.exact == s.n ? "bit-exact" : "NOT exact");
}

// ---- hand-built blocks -------------------------------------------------------------------------

using quant::BlockFormat;

// Random blocks (all bits random except the f16 scales, kept finite and moderate), plus
// one block of all-zero bytes and one of all-one bits (every scale and quant at its maximum).
std::vector<uint8_t> test_blocks(const BlockFormat& f, uint32_t n_random, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> bytes((n_random + 2) * f.bytes);
  for (auto& b : bytes) b = static_cast<uint8_t>(rng());
  auto halves = quant::half_fields(f.name);
  for (uint32_t b = 0; b < n_random + 2; ++b) {
    uint8_t* blk = bytes.data() + b * f.bytes;
    if (b == n_random) std::memset(blk, 0x00, f.bytes);
    if (b == n_random + 1) std::memset(blk, 0xff, f.bytes);
    for (uint32_t off : halves) {
      // sign random, exponent 2^-10 .. 2^1, mantissa random; 1.0 for the all-ones block
      uint16_t h = b == n_random + 1 ? 0x3c00 : static_cast<uint16_t>((rng() & 0x83ff) | ((5 + rng() % 12) << 10));
      if (b == n_random) h = 0;
      blk[off] = uint8_t(h);
      blk[off + 1] = uint8_t(h >> 8);
    }
    if (f.name == "mxfp4" && b < n_random) blk[0] = static_cast<uint8_t>(100 + rng() % 60);
    if (f.name == "mxfp4" && b == n_random + 1) blk[0] = 130;  // 0xff would be NaN in OCP MX
  }
  return bytes;
}

class DequantBlocks : public ::testing::TestWithParam<BlockFormat> {};

TEST_P(DequantBlocks, MatchCpuReferenceBitExact) {
  const BlockFormat& f = GetParam();
  const uint32_t n_random = 37;  // odd, so odd-sized blocks start at every byte alignment
  std::vector<uint8_t> bytes = test_blocks(f, n_random, 1234 + f.bytes);
  uint32_t n_blocks = n_random + 2, n = n_blocks * f.qk;
  std::vector<float> want(n);
  for (uint32_t b = 0; b < n_blocks; ++b) quant::dequant_block(f.name, bytes.data() + b * f.bytes, want.data() + b * f.qk);
  for (uint32_t i = (n_random)*f.qk; i < (n_random + 1) * f.qk; ++i) ASSERT_EQ(want[i], 0.0f) << "all-zero block";
  for (Path path : {Path::Element, Path::Block16}) {
    std::vector<float> got = gpu_dequant(f.name, bytes.data(), bytes.size(), n, path);
    Comparison c = compare(got, want.data(), n);
    expect_exact(c, f.name + (path == Path::Element ? " dequant()" : " dequant16()"), got, want.data());
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, DequantBlocks, ::testing::ValuesIn(quant::kFormats),
                         [](const auto& info) { return info.param.name; });

// Element values written out from the formats' definitions, independent of the reference.
std::vector<float> run_one(const std::string& type, const std::vector<uint8_t>& block, uint32_t qk, Path path) {
  return gpu_dequant(type, block.data(), block.size(), qk, path);
}

TEST(DequantBlocks, Mxfp4FollowsTheOcpSpec) {
  // E2M1 code -> value (OCP MX v1.0): sign bit 3, then exponent 2 bits (bias 1), mantissa 1 bit.
  const float e2m1[16] = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, -0.0f, -0.5f, -1, -1.5f, -2, -3, -4, -6};
  for (uint8_t e : {127, 128, 120, 140, 2}) {
    std::vector<uint8_t> block(17);
    block[0] = e;
    for (int j = 0; j < 16; ++j) block[1 + j] = static_cast<uint8_t>(j | ((15 - j) << 4));  // low: j, high: 15-j
    float scale = std::ldexp(1.0f, int(e) - 127);
    for (Path path : {Path::Element, Path::Block16}) {
      auto got = run_one("mxfp4", block, 32, path);
      for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(got[j], e2m1[j] * scale) << "e=" << int(e) << " code " << j;
        EXPECT_EQ(got[j + 16], e2m1[15 - j] * scale) << "e=" << int(e) << " code " << 15 - j;
      }
    }
  }
}

TEST(DequantBlocks, ExtremeNibblesAndScales) {
  for (Path path : {Path::Element, Path::Block16}) {
    // Q4_0, d = 1: nibble 15 -> 7, nibble 0 -> -8.
    std::vector<uint8_t> q4(18, 0);
    q4[1] = 0x3c;
    for (int j = 0; j < 16; ++j) q4[2 + j] = 0x0f;
    auto v = run_one("q4_0", q4, 32, path);
    for (int j = 0; j < 16; ++j) {
      EXPECT_EQ(v[j], 7.0f);
      EXPECT_EQ(v[16 + j], -8.0f);
    }
    // Q8_0, d = 0.5: -128 .. 127 halved.
    std::vector<uint8_t> q8(34, 0);
    q8[1] = 0x38;
    for (int j = 0; j < 32; ++j) q8[2 + j] = static_cast<uint8_t>(j * 8 - 128 + (j == 31 ? 7 : 0));
    v = run_one("q8_0", q8, 32, path);
    for (int j = 0; j < 32; ++j) EXPECT_EQ(v[j], float(j * 8 - 128 + (j == 31 ? 7 : 0)) * 0.5f);
    // Q6_K, d = 1, every scale -1, every quant 63 -> (63 - 32) * -1.
    std::vector<uint8_t> q6(210, 0xff);
    q6[208] = 0x00;
    q6[209] = 0x3c;
    v = run_one("q6_k", q6, 256, path);
    for (int j = 0; j < 256; ++j) EXPECT_EQ(v[j], -31.0f);
    // Q4_K, all-zero scales and mins: zero whatever the quants and d.
    std::vector<uint8_t> q4k(144, 0xab);
    std::memset(q4k.data() + 4, 0, 12);
    v = run_one("q4_k", q4k, 256, path);
    for (int j = 0; j < 256; ++j) EXPECT_EQ(v[j], 0.0f);
    // Q2_K, d = 1, dmin = 0.5, every scale byte 0xff (scale 15, min 15), quants 3: 45 - 7.5.
    std::vector<uint8_t> q2(84, 0xff);
    q2[80] = 0x00;
    q2[81] = 0x3c;
    q2[82] = 0x00;
    q2[83] = 0x38;
    v = run_one("q2_k", q2, 256, path);
    for (int j = 0; j < 256; ++j) EXPECT_EQ(v[j], 37.5f);
    // Q3_K, d = 1, every 6-bit scale 0b011111 = 31 (low nibbles 15, high bits 01), so the
    // signed scale is 31 - 32 = -1; every hmask bit clear and low bits 0: q = 0 - 4.
    std::vector<uint8_t> q3(110, 0);
    q3[108] = 0x00;
    q3[109] = 0x3c;
    for (int i = 0; i < 8; ++i) q3[96 + i] = 0xff;
    for (int i = 0; i < 4; ++i) q3[96 + 8 + i] = 0x55;
    v = run_one("q3_k", q3, 256, path);
    for (int j = 0; j < 256; ++j) EXPECT_EQ(v[j], 4.0f);  // -1 * -4
  }
}

// ---- the kernels that read weights through wload() work for every type unchanged -------------

class QuantKernels : public ::testing::TestWithParam<BlockFormat> {};

TEST_P(QuantKernels, EmbedAndMatmulReadQuantizedWeights) {
  const BlockFormat& f = GetParam();
  const uint32_t rows = 5, cols = 2 * 256;  // whole blocks per row for every type
  const uint32_t blocks_per_row = cols / f.qk, n_blocks = rows * blocks_per_row;
  std::vector<uint8_t> bytes = test_blocks(f, n_blocks - 2, 99 + f.bytes);
  std::vector<float> w(size_t(rows) * cols);
  for (uint32_t b = 0; b < n_blocks; ++b) quant::dequant_block(f.name, bytes.data() + b * f.bytes, w.data() + b * f.qk);
  auto weights = device_buffer(bytes.data(), bytes.size(), "test weights");

  // embed: out[t] = W[ids[t]], bit-exact.
  std::vector<int32_t> ids = {4, 0, 3, 3};
  auto ids_buf = device_buffer(ids.data(), ids.size() * 4, "ids");
  vk::Buffer emb(*gpu().device, uint64_t(ids.size()) * cols * 4, vk::MemoryKind::Device, "embed out");
  dispatch::EmbedPush epush{cols, rows, 0, rows};
  dispatch("embed_" + f.name, {weights.get(), ids_buf.get(), &emb}, &epush, sizeof(epush), 64, 2,
           static_cast<uint32_t>(ids.size()));
  std::vector<float> got = download(emb, ids.size() * cols);
  for (size_t t = 0; t < ids.size(); ++t) {
    Comparison c = compare(std::vector<float>(got.begin() + t * cols, got.begin() + (t + 1) * cols),
                           w.data() + size_t(ids[t]) * cols, cols);
    EXPECT_EQ(c.exact, c.n) << f.name << " embed row " << ids[t] << ": max abs diff " << c.max_abs;
  }

  // matmul: out[t][o] = sum_k x[t][k] * W[o][k], against a double-precision sum.
  const uint32_t tokens = 3;
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> x(size_t(tokens) * cols);
  for (float& v : x) v = dist(rng);
  auto x_buf = device_buffer(x.data(), x.size() * 4, "x");
  float zero = 0;
  auto bias = device_buffer(&zero, 4, "no bias");
  vk::Buffer mm(*gpu().device, uint64_t(tokens) * rows * 4, vk::MemoryKind::Device, "matmul out");
  dispatch::MatmulPush mpush{cols, rows, tokens, 0, rows, rows};
  dispatch("matmul_" + f.name, {x_buf.get(), weights.get(), bias.get(), &mm}, &mpush, sizeof(mpush), 64, rows);
  got = download(mm, size_t(tokens) * rows);
  for (uint32_t t = 0; t < tokens; ++t)
    for (uint32_t o = 0; o < rows; ++o) {
      double sum = 0, mag = 0;
      for (uint32_t k = 0; k < cols; ++k) {
        double p = double(x[t * cols + k]) * double(w[size_t(o) * cols + k]);
        sum += p;
        mag += std::fabs(p);
      }
      EXPECT_NEAR(got[t * rows + o], sum, 1e-5 * mag + 1e-30) << f.name << " token " << t << " row " << o;
    }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, QuantKernels, ::testing::ValuesIn(quant::kFormats),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace rbee::test
