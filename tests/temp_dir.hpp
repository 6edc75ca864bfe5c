#pragma once
#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace rbee::test {

// A fresh folder under the system temp directory, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("rbee-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

  std::filesystem::path write(std::string_view name, const void* data, size_t size) const {
    const auto file = path_ / name;
    std::ofstream(file, std::ios::binary).write(static_cast<const char*>(data), size);
    return file;
  }
  std::filesystem::path write(std::string_view name, const std::vector<uint8_t>& bytes) const {
    return write(name, bytes.data(), bytes.size());
  }
  std::filesystem::path write(std::string_view name, std::string_view text) const {
    return write(name, text.data(), text.size());
  }

 private:
  std::filesystem::path path_;
};

}  // namespace rbee::test
