#pragma once
// Test-only GGUF builder: well-formed files from typed calls, and raw puts for crafting broken
// ones.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace rbee::test {

class Bytes {
 public:
  template <class T>
  Bytes& put(T v) {
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    data.insert(data.end(), p, p + sizeof(T));
    return *this;
  }
  Bytes& str(std::string_view s) {
    put<uint64_t>(s.size());
    data.insert(data.end(), s.begin(), s.end());
    return *this;
  }
  Bytes& append(const Bytes& other) {
    data.insert(data.end(), other.data.begin(), other.data.end());
    return *this;
  }
  std::vector<uint8_t> data;
};

enum GgufType : uint32_t {
  kU8 = 0, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64,
};

class GgufWriter {
 public:
  // One key/value: `value` is the already encoded value of type `type`.
  GgufWriter& kv(std::string_view key, uint32_t type, const Bytes& value) {
    kvs_.str(key).put<uint32_t>(type).append(value);
    ++n_kv_;
    return *this;
  }
  template <class T>
  GgufWriter& scalar(std::string_view key, uint32_t type, T v) {
    return kv(key, type, Bytes().put<T>(v));
  }
  GgufWriter& string(std::string_view key, std::string_view v) {
    return kv(key, kString, Bytes().str(v));
  }
  // A tensor with `ne` innermost first (GGUF order); data is placed at the next aligned offset.
  GgufWriter& tensor(std::string_view name, std::vector<uint64_t> ne, uint32_t type,
                     const std::vector<uint8_t>& bytes) {
    blob_.data.resize((blob_.data.size() + alignment - 1) / alignment * alignment);
    infos_.str(name).put<uint32_t>(static_cast<uint32_t>(ne.size()));
    for (uint64_t d : ne) infos_.put<uint64_t>(d);
    infos_.put<uint32_t>(type).put<uint64_t>(blob_.data.size());
    blob_.data.insert(blob_.data.end(), bytes.begin(), bytes.end());
    ++n_tensors_;
    return *this;
  }

  std::vector<uint8_t> bytes(uint32_t version = 3) const {
    Bytes out;
    out.put<uint32_t>(0x46554747).put<uint32_t>(version).put<uint64_t>(n_tensors_).put<uint64_t>(
        n_kv_);
    out.append(kvs_).append(infos_);
    out.data.resize((out.data.size() + alignment - 1) / alignment * alignment);
    out.append(blob_);
    return out.data;
  }

  uint64_t alignment = 32;  // set before adding tensors when general.alignment differs

 private:
  Bytes kvs_, infos_, blob_;
  uint64_t n_kv_ = 0, n_tensors_ = 0;
};

}  // namespace rbee::test
