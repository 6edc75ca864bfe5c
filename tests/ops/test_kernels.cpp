// The kernels other than those that read weights are named only from the tables
// shaders/CMakeLists.txt builds them from (shaders/kernels.hpp, shaders/kv_kernels.hpp): every one
// that exists once and every KV cache variant its family's struct can name is embedded, and the
// struct names the variant its fields say.
#include <set>
#include <string_view>

#include <gmock/gmock.h>

#include "shaders/embedded.hpp"
#include "vulkan/kernels.hpp"

namespace rbee::test {
namespace {

using vk::Attention;
using vk::Kernel;
using vk::KvStore;
using vk::KvType;

TEST(Kernels, EveryKernelThatExistsOnceIsEmbedded) {
  for (std::string_view name : shaders::kKernels) EXPECT_NE(shaders::find(name), nullptr) << name;
  EXPECT_EQ(vk::kernel_name(Kernel::TopkSlices), "topk_slices");
}

// Every variant a family's struct can name, each once: those of every cache type and set of
// options.
TEST(Kernels, EveryKvVariantIsEmbeddedOnce) {
  std::set<std::string_view> names;
  size_t variants = 0;
  for (size_t kv = 0; kv < std::size(KvStore::kNames); ++kv)
    for (bool rope : {false, true}) {
      names.insert(KvStore{.kv = static_cast<KvType>(kv), .rope = rope}.name());
      ++variants;
      for (bool wide : {false, true})
        for (bool texel : {false, true}) {
          names.insert(Attention{.kv = static_cast<KvType>(kv), .rope = rope, .wide = wide, .texel = texel}.name());
          ++variants;
        }
    }
  EXPECT_EQ(names.size(), variants);
  EXPECT_EQ(variants, std::size(KvStore::kNames) * (std::size(KvStore::kNames[0]) + std::size(Attention::kNames[0])));
  for (std::string_view name : names) EXPECT_NE(shaders::find(name), nullptr) << name;
}

// A struct names the variant its fields say (in parentheses: the braces' commas are not the macro's).
TEST(Kernels, KvVariantsAreNamedByTheirFields) {
  EXPECT_EQ((KvStore{.kv = KvType::F16}.name()), "kv_store_f16");
  EXPECT_EQ((KvStore{.kv = KvType::F32, .rope = true}.name()), "kv_store_rope_f32");
  EXPECT_EQ((Attention{.kv = KvType::F16}.name()), "attention_f16");
  EXPECT_EQ((Attention{.kv = KvType::F32, .rope = true, .texel = true}.name()), "attention_rope_texel_f32");
  EXPECT_EQ((Attention{.kv = KvType::F16, .wide = true}.name()), "attention_wide_f16");
  EXPECT_EQ((Attention{.kv = KvType::F32, .rope = true, .wide = true, .texel = true}.name()),
            "attention_rope_wide_texel_f32");
}

}  // namespace
}  // namespace rbee::test
