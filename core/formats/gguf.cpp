#include "formats/gguf.hpp"

#include <cstring>
#include <optional>
#include <string>

namespace rbee {

namespace {

using nlohmann::json;

constexpr uint32_t kMaxDims = 4;
// Nested arrays recurse; a limit keeps a hostile file from exhausting the stack.
constexpr int kMaxArrayDepth = 16;

enum ValueType : uint32_t {
  kU8 = 0, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64,
};

// Smallest encoding of one value of a metadata type, to bound counts before reading them.
std::optional<uint64_t> min_value_size(uint32_t type) {
  switch (type) {
    case kU8: case kI8: case kBool: return 1;
    case kU16: case kI16: return 2;
    case kU32: case kI32: case kF32: return 4;
    case kU64: case kI64: case kF64: return 8;
    case kString: return 8;  // the length
    case kArray: return 12;  // element type and count
    default: return std::nullopt;
  }
}

// Sequential little-endian reads, each checked against the bytes left in the file.
class Reader {
 public:
  explicit Reader(const MappedFile& file)
      : data_(file.data()), size_(file.size()), file_(file.path().string()) {}

  [[noreturn]] void fail(const std::string& what) const { throw FormatError(file_ + ": " + what); }

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  template <class T>
  T read(std::string_view what) {
    if (sizeof(T) > remaining()) {
      fail("truncated at byte " + std::to_string(pos_) + " while reading " + std::string(what) +
           " (" + std::to_string(sizeof(T)) + " bytes needed, " + std::to_string(remaining()) +
           " left)");
    }
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(std::string_view what) {
    const auto n = read<uint64_t>(what);
    if (n > remaining()) {
      fail("string length " + std::to_string(n) + " of " + std::string(what) + " exceeds the " +
           std::to_string(remaining()) + " bytes left in the file");
    }
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }

  // Throws unless `count` items of at least `min_size` bytes each fit in the rest of the file.
  void check_count(uint64_t count, uint64_t min_size, std::string_view what) const {
    if (count > remaining() / min_size) {
      fail(std::string(what) + " is " + std::to_string(count) + ", more than the " +
           std::to_string(remaining()) + " bytes left in the file can hold");
    }
  }

 private:
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
  std::string file_;
};

json read_value(Reader& r, uint32_t type, const std::string& key, int depth) {
  const std::string what = "the value of key '" + key + "'";
  switch (type) {
    case kU8: return r.read<uint8_t>(what);
    case kI8: return r.read<int8_t>(what);
    case kU16: return r.read<uint16_t>(what);
    case kI16: return r.read<int16_t>(what);
    case kU32: return r.read<uint32_t>(what);
    case kI32: return r.read<int32_t>(what);
    case kU64: return r.read<uint64_t>(what);
    case kI64: return r.read<int64_t>(what);
    case kF32: return r.read<float>(what);
    case kF64: return r.read<double>(what);
    case kBool: return r.read<uint8_t>(what) != 0;
    case kString: return r.read_string(what);
    case kArray: {
      if (depth >= kMaxArrayDepth)
        r.fail("key '" + key + "': arrays nested deeper than " + std::to_string(kMaxArrayDepth));
      const auto elem_type = r.read<uint32_t>(what);
      const auto min_size = min_value_size(elem_type);
      if (!min_size) {
        r.fail("key '" + key + "': unknown array element type " + std::to_string(elem_type) +
               " (0..12 expected)");
      }
      const auto count = r.read<uint64_t>(what);
      r.check_count(count, *min_size, "the array count of key '" + key + "'");
      json arr = json::array();
      for (uint64_t i = 0; i < count; ++i) arr.push_back(read_value(r, elem_type, key, depth + 1));
      return arr;
    }
    default:
      r.fail("key '" + key + "': unknown value type " + std::to_string(type) + " (0..12 expected)");
  }
}

void check_header(Reader& r) {
  if (r.remaining() < 4) r.fail("file is too short to be GGUF (no magic)");
  const auto magic = r.read<uint32_t>("magic");
  if (magic != 0x46554747) {  // "GGUF" read little-endian
    std::string text(4, '?');
    std::memcpy(text.data(), &magic, 4);
    for (char& c : text) c = c >= 0x20 && c < 0x7f ? c : '?';
    r.fail("not a GGUF file: magic is '" + text + "', expected 'GGUF'");
  }
}

uint32_t read_version(Reader& r) {
  const auto version = r.read<uint32_t>("version");
  if (version == 1) r.fail("GGUF version 1 is not supported (v2 or v3 expected)");
  if (version == 2 || version == 3) return version;
  const uint32_t swapped = __builtin_bswap32(version);
  if (swapped == 2 || swapped == 3)
    r.fail("big-endian GGUF is not supported (little-endian v2 or v3 expected)");
  r.fail("GGUF version " + std::to_string(version) + " is not supported (v2 or v3 expected)");
}

uint32_t read_alignment(const Reader& r, const json& meta) {
  const auto it = meta.find("general.alignment");
  if (it == meta.end()) return 32;
  if (!it->is_number_integer() || it->get<int64_t>() <= 0 || it->get<int64_t>() > (1ll << 30) ||
      (it->get<int64_t>() & (it->get<int64_t>() - 1)) != 0) {
    // GGUF strings need not be UTF-8: dump() must replace bad bytes rather than throw.
    r.fail("general.alignment is " + it->dump(-1, ' ', false, json::error_handler_t::replace) +
           ", expected a power of two");
  }
  return static_cast<uint32_t>(it->get<int64_t>());
}

struct TensorInfo {
  std::string name;
  std::vector<uint64_t> ne;  // innermost first, as stored
  uint32_t type = 0;
  uint64_t offset = 0;
};

TensorInfo read_tensor_info(Reader& r, uint64_t index) {
  TensorInfo t;
  t.name = r.read_string("the name of tensor #" + std::to_string(index));
  const std::string what = "tensor '" + t.name + "'";
  const auto n_dims = r.read<uint32_t>(what);
  if (n_dims > kMaxDims) {
    r.fail(what + ": n_dims is " + std::to_string(n_dims) + ", at most " +
           std::to_string(kMaxDims) + " expected");
  }
  for (uint32_t d = 0; d < n_dims; ++d) t.ne.push_back(r.read<uint64_t>(what));
  t.type = r.read<uint32_t>(what);
  t.offset = r.read<uint64_t>(what);
  return t;
}

}  // namespace

GgufSource::GgufSource(const std::filesystem::path& path)
    : path_(path), file_(MappedFile::open(path)) {
  Reader r(file_);
  check_header(r);
  version_ = read_version(r);
  const auto tensor_count = r.read<uint64_t>("the tensor count");
  const auto kv_count = r.read<uint64_t>("the metadata count");
  // A key/value takes at least 13 bytes (key length, type, one byte); a tensor info 24.
  r.check_count(kv_count, 13, "the metadata key/value count");
  r.check_count(tensor_count, 24, "the tensor count");

  for (uint64_t i = 0; i < kv_count; ++i) {
    std::string key = r.read_string("metadata key #" + std::to_string(i));
    const auto type = r.read<uint32_t>("the type of key '" + key + "'");
    json value = read_value(r, type, key, 0);
    if (meta_.contains(key)) r.fail("metadata key '" + key + "' appears twice");
    meta_[std::move(key)] = std::move(value);
  }
  alignment_ = read_alignment(r, meta_);

  std::vector<TensorInfo> infos;
  infos.reserve(tensor_count);  // bounded by the file size above
  for (uint64_t i = 0; i < tensor_count; ++i) infos.push_back(read_tensor_info(r, i));

  data_offset_ = (r.pos() + alignment_ - 1) / alignment_ * alignment_;
  const uint64_t data_size = file_.size() > data_offset_ ? file_.size() - data_offset_ : 0;

  tensors_.reserve(infos.size());
  for (auto& info : infos) {
    const std::string what = "tensor '" + info.name + "'";
    const auto traits = dtype_traits(info.type);
    if (!traits) r.fail(what + ": unknown GGML type " + std::to_string(info.type));
    uint64_t elements = 1;
    for (uint64_t d : info.ne) {
      if (__builtin_mul_overflow(elements, d, &elements))
        r.fail(what + ": element count overflows 64 bits");
    }
    // Blocks never straddle rows, so the row length must be a whole number of blocks.
    const uint64_t row = info.ne.empty() ? 1 : info.ne[0];
    if (row % traits->block_elems != 0) {
      r.fail(what + ": row length " + std::to_string(row) + " is not a multiple of " +
             std::to_string(traits->block_elems) + " (the " + std::string(traits->name) +
             " block size)");
    }
    uint64_t nbytes = 0;
    if (__builtin_mul_overflow(elements / traits->block_elems, traits->block_bytes, &nbytes))
      r.fail(what + ": byte size overflows 64 bits");
    if (info.offset % alignment_ != 0) {
      r.fail(what + ": data offset " + std::to_string(info.offset) + " is not aligned to " +
             std::to_string(alignment_));
    }
    if (info.offset > data_size || nbytes > data_size - info.offset) {
      r.fail(what + ": data [" + std::to_string(info.offset) + ", +" + std::to_string(nbytes) +
             ") lies outside the file's data section of " + std::to_string(data_size) +
             " bytes");
    }

    TensorView view;
    view.name = std::move(info.name);
    view.dtype = static_cast<DType>(info.type);
    view.shape.assign(info.ne.rbegin(), info.ne.rend());
    view.data = nbytes == 0 ? nullptr : file_.data() + data_offset_ + info.offset;
    view.nbytes = nbytes;
    tensors_.push_back(std::move(view));
  }
  index_tensors();
}

const nlohmann::json* GgufSource::meta(std::string_view key) const {
  const auto it = meta_.find(key);
  return it == meta_.end() ? nullptr : &*it;
}

}  // namespace rbee
