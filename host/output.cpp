#include "output.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <stdexcept>

namespace rbee::host {
namespace {

// errno is 0 where the write that failed came before (the stream then writes nothing more).
std::string reason(int error) { return error ? std::strerror(error) : "an earlier write failed"; }

// Whether `a` and `b` are the same existing file.
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

}  // namespace

void flush_stdout() {
  errno = 0;
  std::cout.flush();  // through stdout: std::cout is synchronised with stdio
  const bool flushed = std::fflush(stdout) == 0;
  if (flushed && !std::ferror(stdout) && std::cout.good()) return;
  throw std::runtime_error("cannot write the output: " + reason(errno));
}

void write_file(const std::filesystem::path& path, std::string_view bytes) {
  errno = 0;
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!file) throw std::runtime_error("cannot write " + path.string() + ": " + reason(errno));
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), file.get()) == bytes.size();
  // fclose reports what the last flush could not write (a full disk shows only there).
  const bool closed = std::fclose(file.release()) == 0;
  if (!written || !closed) throw std::runtime_error("cannot write " + path.string() + ": " + reason(errno));
}

void refuse_overwriting_input(const std::filesystem::path& output, const std::string& option,
                              std::initializer_list<std::filesystem::path> inputs) {
  for (const auto& input : inputs) {
    std::error_code ec;
    bool clash = same_file(output, input);
    if (!clash && std::filesystem::is_directory(input, ec))
      for (const auto& entry : std::filesystem::directory_iterator(input, ec))
        clash = clash || (!entry.is_directory(ec) && same_file(output, entry.path()));
    if (clash)
      throw std::invalid_argument(option + " " + output.string() + " is an input of this command (" + input.string() +
                                  "): writing it would destroy it; choose another file");
  }
}

}  // namespace rbee::host
