#pragma once
#include <atomic>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace rbee::test {

// A fresh folder under the system temp directory, removed with everything in it at scope exit.
class SynthTempDir {
 public:
  SynthTempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("rbee-synth-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~SynthTempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  SynthTempDir(const SynthTempDir&) = delete;
  SynthTempDir& operator=(const SynthTempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace rbee::test
