#include "graph/graph.hpp"

namespace rbee {

bool kernel_weight_type(DType t) {
  switch (t) {
    case DType::F32: case DType::F16: case DType::BF16: case DType::Q8_0: case DType::Q4_0: case DType::Q4_1:
    case DType::Q5_0: case DType::Q5_1: case DType::Q2_K: case DType::Q3_K: case DType::Q4_K: case DType::Q5_K:
    case DType::Q6_K: case DType::IQ4_NL: case DType::MXFP4:
      return true;
    default:
      return false;
  }
}

rbee_tensor Graph::add(Node node) {
  if (!error_.empty()) return RBEE_TENSOR_NONE;
  nodes_.push_back(std::move(node));
  return static_cast<rbee_tensor>(nodes_.size());
}

rbee_tensor Graph::fail(const std::string& message) {
  if (error_.empty()) error_ = message;
  return RBEE_TENSOR_NONE;
}

}  // namespace rbee
