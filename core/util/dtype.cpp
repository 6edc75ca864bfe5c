#include "util/dtype.hpp"

namespace rbee {

std::optional<DTypeTraits> dtype_traits(uint32_t ggml_type) {
  // Names follow GGML's type names.
  switch (static_cast<DType>(ggml_type)) {
    case DType::F32: return DTypeTraits{"f32", 1, 4};
    case DType::F16: return DTypeTraits{"f16", 1, 2};
    case DType::BF16: return DTypeTraits{"bf16", 1, 2};
    case DType::Q4_0: return DTypeTraits{"q4_0", 32, 18};
    case DType::Q4_1: return DTypeTraits{"q4_1", 32, 20};
    case DType::Q5_0: return DTypeTraits{"q5_0", 32, 22};
    case DType::Q5_1: return DTypeTraits{"q5_1", 32, 24};
    case DType::Q8_0: return DTypeTraits{"q8_0", 32, 34};
    case DType::Q8_1: return DTypeTraits{"q8_1", 32, 36};
    case DType::Q2_K: return DTypeTraits{"q2_K", 256, 84};
    case DType::Q3_K: return DTypeTraits{"q3_K", 256, 110};
    case DType::Q4_K: return DTypeTraits{"q4_K", 256, 144};
    case DType::Q5_K: return DTypeTraits{"q5_K", 256, 176};
    case DType::Q6_K: return DTypeTraits{"q6_K", 256, 210};
    case DType::Q8_K: return DTypeTraits{"q8_K", 256, 292};
    case DType::IQ4_NL: return DTypeTraits{"iq4_nl", 32, 18};
    case DType::I8: return DTypeTraits{"i8", 1, 1};
    case DType::I16: return DTypeTraits{"i16", 1, 2};
    case DType::I32: return DTypeTraits{"i32", 1, 4};
    case DType::I64: return DTypeTraits{"i64", 1, 8};
    case DType::F64: return DTypeTraits{"f64", 1, 8};
    case DType::MXFP4: return DTypeTraits{"mxfp4", 32, 17};
    case DType::F8_E4M3:  // safetensors only, converted on load (see dtype_name)
    case DType::U8: break;
  }
  return std::nullopt;
}

std::string_view dtype_name(DType t) {
  if (t == DType::F8_E4M3) return "f8_e4m3";
  if (t == DType::U8) return "u8";
  const auto traits = dtype_traits(static_cast<uint32_t>(t));
  return traits ? traits->name : std::string_view("unknown");
}

}  // namespace rbee
