#include "synth/gguf_writer.hpp"

#include <cstring>
#include <stdexcept>

namespace rbee::synth {

namespace {

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0)
    throw std::invalid_argument("GGUF alignment must be a power of two");
  if (alignment != 32) add_u32("general.alignment", alignment);
}

GgufWriter::~GgufWriter() {
  if (file_) {
    std::fclose(file_);
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
  }
}

void GgufWriter::check_not_open() const {
  if (file_ || finished_) throw std::logic_error("GgufWriter: metadata and tensors must be declared before open()");
}

void GgufWriter::put_string(std::string_view s) {
  put<uint64_t>(s.size());
  put_raw(s.data(), s.size());
}

void GgufWriter::begin_key(std::string_view key, GgufType type) {
  check_not_open();
  if (!keys_.emplace(key).second) throw std::invalid_argument("GgufWriter: duplicate key " + std::string(key));
  put_string(key);
  put<uint32_t>(static_cast<uint32_t>(type));
  ++n_kv_;
}

template <class T>
void GgufWriter::add_scalar(std::string_view key, GgufType type, T v) {
  begin_key(key, type);
  put(v);
}

template <class T>
void GgufWriter::add_numeric_array(std::string_view key, GgufType type, std::span<const T> v) {
  begin_key(key, GgufType::Array);
  put<uint32_t>(static_cast<uint32_t>(type));
  put<uint64_t>(v.size());
  put_raw(v.data(), v.size_bytes());
}

void GgufWriter::add_u8(std::string_view k, uint8_t v) { add_scalar(k, GgufType::U8, v); }
void GgufWriter::add_i8(std::string_view k, int8_t v) { add_scalar(k, GgufType::I8, v); }
void GgufWriter::add_u16(std::string_view k, uint16_t v) { add_scalar(k, GgufType::U16, v); }
void GgufWriter::add_i16(std::string_view k, int16_t v) { add_scalar(k, GgufType::I16, v); }
void GgufWriter::add_u32(std::string_view k, uint32_t v) { add_scalar(k, GgufType::U32, v); }
void GgufWriter::add_i32(std::string_view k, int32_t v) { add_scalar(k, GgufType::I32, v); }
void GgufWriter::add_u64(std::string_view k, uint64_t v) { add_scalar(k, GgufType::U64, v); }
void GgufWriter::add_i64(std::string_view k, int64_t v) { add_scalar(k, GgufType::I64, v); }
void GgufWriter::add_f32(std::string_view k, float v) { add_scalar(k, GgufType::F32, v); }
void GgufWriter::add_f64(std::string_view k, double v) { add_scalar(k, GgufType::F64, v); }
void GgufWriter::add_bool(std::string_view k, bool v) { add_scalar<uint8_t>(k, GgufType::Bool, v ? 1 : 0); }

void GgufWriter::add_string(std::string_view key, std::string_view v) {
  begin_key(key, GgufType::String);
  put_string(v);
}

void GgufWriter::add_array(std::string_view k, std::span<const uint8_t> v) { add_numeric_array(k, GgufType::U8, v); }
void GgufWriter::add_array(std::string_view k, std::span<const int32_t> v) { add_numeric_array(k, GgufType::I32, v); }
void GgufWriter::add_array(std::string_view k, std::span<const uint32_t> v) { add_numeric_array(k, GgufType::U32, v); }
void GgufWriter::add_array(std::string_view k, std::span<const int64_t> v) { add_numeric_array(k, GgufType::I64, v); }
void GgufWriter::add_array(std::string_view k, std::span<const uint64_t> v) { add_numeric_array(k, GgufType::U64, v); }
void GgufWriter::add_array(std::string_view k, std::span<const float> v) { add_numeric_array(k, GgufType::F32, v); }
void GgufWriter::add_array(std::string_view k, std::span<const double> v) { add_numeric_array(k, GgufType::F64, v); }

void GgufWriter::add_array(std::string_view key, std::span<const std::string> v) {
  begin_key(key, GgufType::Array);
  put<uint32_t>(static_cast<uint32_t>(GgufType::String));
  put<uint64_t>(v.size());
  for (const auto& s : v) put_string(s);
}

void GgufWriter::add_bool_array(std::string_view key, const std::vector<bool>& v) {
  begin_key(key, GgufType::Array);
  put<uint32_t>(static_cast<uint32_t>(GgufType::Bool));
  put<uint64_t>(v.size());
  for (bool b : v) put<uint8_t>(b ? 1 : 0);
}

void GgufWriter::add_tensor(std::string_view name, std::vector<uint64_t> ne, DType type) {
  check_not_open();
  const auto traits = dtype_traits(static_cast<uint32_t>(type));
  if (!traits) throw std::invalid_argument("GgufWriter: unknown type for tensor " + std::string(name));
  if (ne.empty() || ne.size() > 4) throw std::invalid_argument("GgufWriter: tensor " + std::string(name) + " needs 1 to 4 dimensions");
  if (ne[0] % traits->block_elems != 0)
    throw std::invalid_argument("GgufWriter: tensor " + std::string(name) + ": row of " + std::to_string(ne[0]) +
                                " elements is not a multiple of the " + std::string(traits->name) + " block (" +
                                std::to_string(traits->block_elems) + ")");
  for (const auto& t : tensors_)
    if (t.name == name) throw std::invalid_argument("GgufWriter: duplicate tensor " + std::string(name));
  uint64_t n = 1;
  for (uint64_t d : ne) n *= d;
  const uint64_t bytes = n / traits->block_elems * traits->block_bytes;
  data_bytes_ = align_up(data_bytes_, alignment_);
  tensors_.push_back(Tensor{std::string(name), std::move(ne), type, bytes, data_bytes_});
  data_bytes_ += bytes;
}

uint64_t GgufWriter::header_size() const {
  uint64_t n = 4 + 4 + 8 + 8 + meta_.size();
  for (const auto& t : tensors_) n += 8 + t.name.size() + 4 + 8 * t.ne.size() + 4 + 8;
  return n;
}

uint64_t GgufWriter::file_size() const {
  return align_up(header_size(), alignment_) + align_up(data_bytes_, alignment_);
}

void GgufWriter::out(const void* p, size_t n) {
  if (n && std::fwrite(p, 1, n, file_) != n)
    throw std::runtime_error("writing " + tmp_.string() + ": " + std::strerror(errno));
  pos_ += n;
}

void GgufWriter::pad_to(uint64_t multiple) {
  static const uint8_t zeros[256] = {};
  uint64_t n = align_up(pos_, multiple) - pos_;
  while (n) {
    const size_t k = n < sizeof zeros ? n : sizeof zeros;
    out(zeros, k);
    n -= k;
  }
}

void GgufWriter::open(const std::filesystem::path& path) {
  check_not_open();
  path_ = path;
  tmp_ = path;
  tmp_ += ".tmp";
  file_ = std::fopen(tmp_.c_str(), "wb");
  if (!file_) throw std::runtime_error("cannot create " + tmp_.string() + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 22);
  auto put32 = [&](uint32_t v) { out(&v, 4); };
  auto put64 = [&](uint64_t v) { out(&v, 8); };
  out("GGUF", 4);
  put32(3);
  put64(tensors_.size());
  put64(n_kv_);
  out(meta_.data(), meta_.size());
  for (const auto& t : tensors_) {
    put64(t.name.size());
    out(t.name.data(), t.name.size());
    put32(static_cast<uint32_t>(t.ne.size()));
    for (uint64_t d : t.ne) put64(d);
    put32(static_cast<uint32_t>(t.type));
    put64(t.offset);
  }
  pad_to(alignment_);
  data_start_ = pos_;
  current_ = 0;
  current_done_ = 0;
}

void GgufWriter::write(std::span<const uint8_t> bytes) {
  if (!file_) throw std::logic_error("GgufWriter: write() before open()");
  while (!bytes.empty()) {
    if (current_ >= tensors_.size()) throw std::logic_error("GgufWriter: more data than the tensors declared");
    const Tensor& t = tensors_[current_];
    if (current_done_ == 0) {
      pad_to(alignment_);
      if (pos_ - data_start_ != t.offset) throw std::logic_error("GgufWriter: tensor offset mismatch");
    }
    const uint64_t n = std::min<uint64_t>(bytes.size(), t.bytes - current_done_);
    out(bytes.data(), n);
    bytes = bytes.subspan(n);
    current_done_ += n;
    if (current_done_ == t.bytes) {
      ++current_;
      current_done_ = 0;
    }
  }
}

void GgufWriter::finish() {
  if (!file_) throw std::logic_error("GgufWriter: finish() before open()");
  // Zero-sized tensors need no bytes: step over them.
  while (current_ < tensors_.size() && tensors_[current_].bytes == 0 && current_done_ == 0) ++current_;
  if (current_ != tensors_.size())
    throw std::logic_error("GgufWriter: tensor " + tensors_[current_].name + " is incomplete");
  pad_to(alignment_);
  const bool ok = std::fflush(file_) == 0;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || !closed) {
    std::error_code ec;
    std::filesystem::remove(tmp_, ec);
    throw std::runtime_error("writing " + tmp_.string() + " failed");
  }
  std::filesystem::rename(tmp_, path_);
  finished_ = true;
}

}  // namespace rbee::synth
