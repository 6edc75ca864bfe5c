#pragma once
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace rbee {

// Minimal protobuf wire-format reader: enough for SentencePiece's ModelProto.
class ProtobufReader {
 public:
  enum WireType : uint32_t { Varint = 0, Fixed64 = 1, LengthDelimited = 2, Fixed32 = 5 };

  explicit ProtobufReader(std::string_view data) : data_(data) {}

  // Reads the next field's tag; false at the end of the message.
  bool next(uint32_t& field, WireType& type) {
    if (pos_ >= data_.size()) return false;
    const uint64_t tag = varint();
    field = uint32_t(tag >> 3);
    type = WireType(tag & 7);
    return true;
  }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const uint8_t b = uint8_t(take(1)[0]);
      value |= uint64_t(b & 0x7F) << shift;
      if (!(b & 0x80)) return value;
    }
    throw std::runtime_error("protobuf: varint longer than 10 bytes");
  }

  std::string_view bytes() { return take(varint()); }

  float fixed32_float() {
    float f;
    std::memcpy(&f, take(4).data(), 4);
    return f;
  }

  void skip(WireType type) {
    switch (type) {
      case Varint: varint(); break;
      case Fixed64: take(8); break;
      case LengthDelimited: bytes(); break;
      case Fixed32: take(4); break;
      default: throw std::runtime_error("protobuf: unsupported wire type");
    }
  }

 private:
  std::string_view take(uint64_t n) {
    if (n > data_.size() - pos_) throw std::runtime_error("protobuf: truncated message");
    const std::string_view out = data_.substr(pos_, n);
    pos_ += n;
    return out;
  }

  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace rbee
