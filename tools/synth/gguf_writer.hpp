#pragma once
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/dtype.hpp"

namespace rbee::synth {

// GGUF metadata value types (the file's ids).
enum class GgufType : uint32_t {
  U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64,
};

// A streaming GGUF v3 writer. Declare every metadata key and tensor first, then open() writes
// the header to PATH.tmp, write() appends each tensor's bytes in declaration order, and
// finish() pads, closes and renames PATH.tmp to PATH. Tensor data never has to be in memory
// at once. Throws std::runtime_error on misuse or I/O failure; an unfinished file is removed.
class GgufWriter {
 public:
  explicit GgufWriter(uint32_t alignment = 32);
  ~GgufWriter();
  GgufWriter(const GgufWriter&) = delete;
  GgufWriter& operator=(const GgufWriter&) = delete;

  void add_u8(std::string_view key, uint8_t v);
  void add_i8(std::string_view key, int8_t v);
  void add_u16(std::string_view key, uint16_t v);
  void add_i16(std::string_view key, int16_t v);
  void add_u32(std::string_view key, uint32_t v);
  void add_i32(std::string_view key, int32_t v);
  void add_u64(std::string_view key, uint64_t v);
  void add_i64(std::string_view key, int64_t v);
  void add_f32(std::string_view key, float v);
  void add_f64(std::string_view key, double v);
  void add_bool(std::string_view key, bool v);
  void add_string(std::string_view key, std::string_view v);
  // Arrays of one element type.
  void add_array(std::string_view key, std::span<const uint8_t> v);
  void add_array(std::string_view key, std::span<const int32_t> v);
  void add_array(std::string_view key, std::span<const uint32_t> v);
  void add_array(std::string_view key, std::span<const int64_t> v);
  void add_array(std::string_view key, std::span<const uint64_t> v);
  void add_array(std::string_view key, std::span<const float> v);
  void add_array(std::string_view key, std::span<const double> v);
  void add_array(std::string_view key, std::span<const std::string> v);
  void add_bool_array(std::string_view key, const std::vector<bool>& v);

  // ne: GGML order (innermost dimension first). ne[0] must be a multiple of the type's block.
  void add_tensor(std::string_view name, std::vector<uint64_t> ne, DType type);
  size_t tensor_count() const { return tensors_.size(); }
  uint64_t tensor_bytes(size_t i) const { return tensors_.at(i).bytes; }
  // Bytes of the whole file (known once every key and tensor is declared).
  uint64_t file_size() const;

  void open(const std::filesystem::path& path);
  // Appends bytes to the current tensor; moves on to the next one when it is complete.
  void write(std::span<const uint8_t> bytes);
  void finish();

 private:
  struct Tensor {
    std::string name;
    std::vector<uint64_t> ne;
    DType type;
    uint64_t bytes;
    uint64_t offset;  // relative to the data section
  };

  void begin_key(std::string_view key, GgufType type);
  void put_raw(const void* p, size_t n) { meta_.insert(meta_.end(), (const uint8_t*)p, (const uint8_t*)p + n); }
  template <class T> void put(T v) { put_raw(&v, sizeof v); }
  void put_string(std::string_view s);
  template <class T> void add_scalar(std::string_view key, GgufType type, T v);
  template <class T> void add_numeric_array(std::string_view key, GgufType type, std::span<const T> v);
  uint64_t header_size() const;
  void out(const void* p, size_t n);
  void pad_to(uint64_t multiple);
  void check_not_open() const;

  uint32_t alignment_;
  std::vector<uint8_t> meta_;  // serialized key/value pairs
  uint64_t n_kv_ = 0;
  std::set<std::string, std::less<>> keys_;
  std::vector<Tensor> tensors_;
  uint64_t data_bytes_ = 0;

  std::FILE* file_ = nullptr;
  std::filesystem::path path_, tmp_;
  uint64_t pos_ = 0;          // bytes written to the file
  uint64_t data_start_ = 0;   // file offset of the data section
  size_t current_ = 0;        // tensor being written
  uint64_t current_done_ = 0; // its bytes written so far
  bool finished_ = false;
};

}  // namespace rbee::synth
