// Pipelines refuse a dispatch whose bindings or push constants do not fit the kernel's SPIR-V
// (as spirv-cross reflects it at build time), with a message naming the kernel, what the shader
// declares and what the dispatch asked for. Every other op test dispatches through the same
// check, so they show it accepts what the executor records.
#include <functional>
#include <string>

#include <gmock/gmock.h>

#include "graph/dispatch.hpp"
#include "ops/op_harness.hpp"
#include "vulkan/error.hpp"

namespace rbee::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

// The message of the VulkanError that get() throws, or "" when it throws none.
std::string refusal(const std::string& shader, uint32_t n_buffers, uint32_t texel_bindings, uint32_t push_bytes) {
  try {
    gpu().pipelines->get(shader, n_buffers, texel_bindings, push_bytes, {64});
  } catch (const vk::VulkanError& e) {
    return e.what();
  }
  return "";
}

constexpr uint32_t kNormPush = sizeof(dispatch::NormPush);  // 32 bytes: 8 values

TEST(ShaderInterface, AcceptsTheLayoutTheShaderDeclares) {
  EXPECT_EQ(refusal("norm", 4, 0, kNormPush), "");
  // matvec_rows declares no binding 7: the stub the linear recorder passes there is allowed.
  EXPECT_EQ(refusal("matvec_rows_q8_0", 8, 0b11, dispatch::kRowsMatmulPushBytes), "");
}

TEST(ShaderInterface, RefusesTooFewBindings) {
  EXPECT_THAT(refusal("norm", 3, 0, kNormPush),
              AllOf(HasSubstr("kernel norm"), HasSubstr("expected 4 buffers"), HasSubstr("binds 3")));
}

TEST(ShaderInterface, RefusesAPushConstantSizeOtherThanTheShaders) {
  EXPECT_THAT(refusal("norm", 4, 0, kNormPush - 4),
              AllOf(HasSubstr("kernel norm"), HasSubstr("32 bytes (expected)"), HasSubstr("pushes 28")));
  // The attention variant with the queries' rope folded in takes the rope's values too.
  EXPECT_THAT(refusal("attention_rope_f32", 9, 0, sizeof(dispatch::AttentionPush)),
              AllOf(HasSubstr("kernel attention_rope_f32"), HasSubstr("72 bytes (expected)"), HasSubstr("pushes 48")));
}

TEST(ShaderInterface, RefusesTheWrongKindOfDescriptor) {
  EXPECT_THAT(refusal("norm", 4, 0b1, kNormPush),
              AllOf(HasSubstr("kernel norm"), HasSubstr("binding 0 is a storage buffer in the shader"),
                    HasSubstr("binds a uniform texel buffer")));
  // attention_texel reads the cache (bindings 1 and 2) as texels.
  EXPECT_THAT(refusal("attention_texel_f32", 9, 0b010, sizeof(dispatch::AttentionPush)),
              AllOf(HasSubstr("kernel attention_texel_f32"), HasSubstr("binding 2 is a uniform texel buffer"),
                    HasSubstr("binds a storage buffer")));
}

}  // namespace
}  // namespace rbee::test
