#include "graph/graph.hpp"

namespace rbee {

rbee_tensor Graph::add(Node node) {
  if (failed()) return RBEE_TENSOR_NONE;
  nodes_.push_back(std::move(node));
  return static_cast<rbee_tensor>(nodes_.size());
}

rbee_tensor Graph::fail(const std::string& message, rbee_status status) noexcept {
  if (failed()) return RBEE_TENSOR_NONE;
  status_ = status != RBEE_OK ? status : RBEE_ERROR_INTERNAL;
  try {
    error_ = message;
  } catch (...) {  // out of memory: the status alone must do
  }
  return RBEE_TENSOR_NONE;
}

}  // namespace rbee
