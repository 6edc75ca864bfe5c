#include "graph/weight_kernel.hpp"

#include <cctype>

#include "graph/graph.hpp"

namespace rbee {
namespace {

// The type's name as variants carry it: dtype_name in lower case ("q4_k").
std::string type_name(DType t) {
  std::string name(dtype_name(t));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

}  // namespace

bool kernel_weight_type(DType t) { return vk::has_weight_type(type_name(t)); }

std::string weight_kernel(WeightKernel family, DType t) { return vk::weight_kernel(family, type_name(t)); }

}  // namespace rbee
