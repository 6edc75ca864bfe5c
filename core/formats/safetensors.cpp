#include "formats/safetensors.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace rbee {

namespace {

using nlohmann::json;

// A header this large is hostile or broken; real ones are a few MiB at most.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

struct DTypeName {
  std::string_view name;
  DType dtype;
};
constexpr DTypeName kDTypes[] = {
    {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"F64", DType::F64},
    {"I8", DType::I8},   {"I16", DType::I16}, {"I32", DType::I32},   {"I64", DType::I64},
    {"F8_E4M3", DType::F8_E4M3}, {"U8", DType::U8},
};

std::optional<DType> dtype_from_name(std::string_view name) {
  for (const auto& d : kDTypes) {
    if (d.name == name) return d.dtype;
  }
  return std::nullopt;
}

struct Range {
  uint64_t begin;
  uint64_t end;
  const std::string* name;
};

}  // namespace

std::vector<TensorView> parse_safetensors(const MappedFile& file) {
  const std::string path = file.path().string();
  auto fail = [&](const std::string& what) -> void { throw FormatError(path + ": " + what); };

  if (file.size() < 8)
    fail("too short for a safetensors header length (" + std::to_string(file.size()) + " bytes)");
  uint64_t header_len = 0;
  std::memcpy(&header_len, file.data(), 8);  // little-endian, as is the host
  if (header_len > kMaxHeaderBytes)
    fail("header length " + std::to_string(header_len) + " exceeds the 100 MiB limit");
  if (header_len > file.size() - 8) {
    fail("header length " + std::to_string(header_len) + " exceeds the " +
         std::to_string(file.size() - 8) + " bytes that follow it in the file");
  }
  const auto* text = reinterpret_cast<const char*>(file.data() + 8);
  const json header = json::parse(text, text + header_len, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded()) fail("header is not valid JSON");
  if (!header.is_object()) fail("header is not a JSON object");

  const uint8_t* data = file.data() + 8 + header_len;
  const uint64_t data_size = file.size() - 8 - header_len;
  std::vector<TensorView> views;
  std::vector<Range> ranges;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") continue;
    const std::string what = "tensor '" + name + "'";
    if (!entry.is_object()) fail(what + ": expected an object with dtype, shape, data_offsets");

    const auto dt = entry.find("dtype");
    if (dt == entry.end() || !dt->is_string()) fail(what + ": missing dtype");
    const auto dtype = dtype_from_name(dt->get_ref<const std::string&>());
    if (!dtype) {
      fail(what + ": unsupported dtype " + dt->dump() +
           " (F32, F16, BF16, F64, I8, I16, I32, I64, U8 or F8_E4M3 expected)");
    }

    const auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array())
      fail(what + ": missing shape (an array of sizes)");
    TensorView view;
    view.name = name;
    view.dtype = *dtype;
    uint64_t nbytes =
        *dtype == DType::F8_E4M3 || *dtype == DType::U8 ? 1 : dtype_traits(static_cast<uint32_t>(*dtype))->block_bytes;
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) fail(what + ": shape " + shape->dump() + " has a non-size");
      const auto n = d.get<uint64_t>();
      if (__builtin_mul_overflow(nbytes, n, &nbytes)) fail(what + ": byte size overflows 64 bits");
      view.shape.push_back(n);
    }

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
      fail(what + ": data_offsets must be [begin, end]");
    }
    const auto begin = (*offsets)[0].get<uint64_t>();
    const auto end = (*offsets)[1].get<uint64_t>();
    if (begin > end || end > data_size) {
      fail(what + ": data_offsets " + offsets->dump() + " lie outside the data section of " +
           std::to_string(data_size) + " bytes");
    }
    if (end - begin != nbytes) {
      fail(what + ": shape " + shape->dump() + " of " + dt->get_ref<const std::string&>() +
           " needs " + std::to_string(nbytes) + " bytes but data_offsets " + offsets->dump() +
           " hold " + std::to_string(end - begin));
    }
    view.data = nbytes == 0 ? nullptr : data + begin;
    view.nbytes = nbytes;
    views.push_back(std::move(view));
    if (nbytes != 0) ranges.push_back({begin, end, &name});
  }

  std::sort(ranges.begin(), ranges.end(),
            [](const Range& a, const Range& b) { return a.begin < b.begin; });
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].begin < ranges[i - 1].end) {
      fail("tensors '" + *ranges[i - 1].name + "' and '" + *ranges[i].name +
           "' have overlapping data ranges");
    }
  }
  return views;
}

}  // namespace rbee
