// The kernels that read weights are named only from the table shaders/CMakeLists.txt builds them
// from (shaders/weight_kernels.hpp): every family and type the executor can ask for is embedded,
// every weight type a graph accepts has them, and a pair the build does not make is refused by
// name.
#include <iterator>
#include <string>

#include <gmock/gmock.h>

#include "graph/graph.hpp"
#include "graph/weight_kernel.hpp"
#include "shaders/embedded.hpp"
#include "vulkan/error.hpp"

namespace rbee::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

TEST(WeightKernels, EveryFamilyOfEveryTypeIsEmbedded) {
  for (size_t f = 0; f < std::size(shaders::kWeightKernels); ++f)
    for (const shaders::WeightType& type : shaders::kWeightTypes) {
      if (shaders::kWeightKernels[f].blocks_only && !type.blocks) continue;
      const std::string name = vk::weight_kernel(static_cast<WeightKernel>(f), type.name);
      EXPECT_NE(shaders::find(name), nullptr) << name;
    }
}

TEST(WeightKernels, GraphsAcceptTheTypesOfTheTable) {
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0,
                  DType::Q5_1, DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL,
                  DType::MXFP4}) {
    EXPECT_TRUE(kernel_weight_type(t)) << dtype_name(t);
    EXPECT_NE(shaders::find(weight_kernel(WeightKernel::Matvec, t)), nullptr) << dtype_name(t);
  }
  for (DType t : {DType::Q8_1, DType::Q8_K, DType::I32, DType::F64, DType::F8_E4M3})
    EXPECT_FALSE(kernel_weight_type(t)) << dtype_name(t);
}

// The message of the VulkanError weight_kernel throws, or "" when it throws none.
std::string refusal(WeightKernel family, DType t) {
  try {
    weight_kernel(family, t);
  } catch (const vk::VulkanError& e) {
    return e.what();
  }
  return "";
}

TEST(WeightKernels, RefusesAPairTheBuildDoesNotMake) {
  EXPECT_EQ(weight_kernel(WeightKernel::MatvecRows, DType::Q4_K), "matvec_rows_q4_k");
  // matmul_rows reads whole blocks: float types have none.
  EXPECT_THAT(refusal(WeightKernel::MatvecRows, DType::F16), AllOf(HasSubstr("matvec_rows"), HasSubstr("f16")));
  EXPECT_THAT(refusal(WeightKernel::Embed, DType::Q8_K), AllOf(HasSubstr("embed"), HasSubstr("q8_k")));
}

}  // namespace
}  // namespace rbee::test
