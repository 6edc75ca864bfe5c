#pragma once
// Calls on files that are FIFOs, for tests that a reader refuses them instead of blocking in
// open() until a writer comes. A regression must fail the test, not hang it.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace rbee::test {

inline std::filesystem::path make_fifo(const std::filesystem::path& path) {
  if (::mkfifo(path.c_str(), 0600) != 0) ADD_FAILURE() << "mkfifo " << path << " failed";
  return path;
}

// Runs fn (which should throw) and returns its exception's message. When fn is still blocked
// after `limit`, a writer opens and closes the FIFO so that fn returns, and the test fails.
template <class Fn>
std::string error_within(const std::filesystem::path& fifo, Fn fn, std::chrono::seconds limit = std::chrono::seconds(10)) {
  auto call = std::async(std::launch::async, [fn]() -> std::string {
    try {
      fn();
    } catch (const std::exception& e) {
      return e.what();
    }
    return "";
  });
  if (call.wait_for(limit) == std::future_status::timeout) {
    ADD_FAILURE() << "still blocked on the FIFO " << fifo << " after " << limit.count() << " s";
    while (call.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout) {
      const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);  // succeeds once a reader waits
      if (fd >= 0) ::close(fd);
    }
  }
  return call.get();
}

}  // namespace rbee::test
