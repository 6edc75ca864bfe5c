#pragma once
#include <cstdint>
#include <filesystem>

namespace rbee {

// A whole file mapped read-only into memory; unmapped when the object goes away.
class MappedFile {
 public:
  // Throws FormatError naming the file when it cannot be opened or mapped.
  static MappedFile open(const std::filesystem::path& path);

  MappedFile() = default;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const uint8_t* data() const { return data_; }
  uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  void unmap() noexcept;

  std::filesystem::path path_;
  const uint8_t* data_ = nullptr;  // nullptr for an empty file
  uint64_t size_ = 0;
};

}  // namespace rbee
