#include "graph/graph.hpp"

namespace rbee {

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
