#pragma once
// Runs rbee on a pseudo-terminal, as a person at a terminal would: type lines, press Ctrl-C,
// read what the screen shows.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <string>
#include <vector>

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/rbee_process.hpp"

namespace rbee::test {

class PtySession {
 public:
  explicit PtySession(const std::vector<std::string>& args) {
    std::vector<std::string> argv_strings{rbee_binary().string()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    pid_ = forkpty(&master_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& s : argv_strings) argv.push_back(s.data());
      argv.push_back(nullptr);
      setenv("XDG_RUNTIME_DIR", "/tmp", 1);
      unsetenv("RBEE_PLUGIN_PATH");
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~PtySession() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  bool started() const { return pid_ > 0; }
  void type(const std::string& text) { ASSERT_EQ(write(master_, text.data(), text.size()), ssize_t(text.size())); }
  void ctrl_c() { type("\x03"); }

  // Reads until `marker` appears after what earlier calls consumed; returns everything up to and
  // including it (carriage returns dropped), or "" on timeout (with the screen in screen()).
  std::string read_until(const std::string& marker, int timeout_s = 120) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (true) {
      size_t at = screen_.find(marker, consumed_);
      if (at != std::string::npos) {
        std::string out = screen_.substr(consumed_, at + marker.size() - consumed_);
        consumed_ = at + marker.size();
        return out;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(int(left.count()))) return "";
    }
  }
  // Waits for the program to end; its exit status, or -1 (killed, or still running after timeout).
  int wait_exit(int timeout_s = 60) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) return -1;
      read_some(20);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  const std::string& screen() const { return screen_; }

 private:
  bool read_some(int timeout_ms) {
    pollfd fd{master_, POLLIN, 0};
    if (poll(&fd, 1, timeout_ms) <= 0) return false;
    char buf[4096];
    ssize_t n = read(master_, buf, sizeof buf);
    if (n <= 0) return false;
    for (ssize_t i = 0; i < n; ++i)
      if (buf[i] != '\r') screen_ += buf[i];
    return true;
  }

  pid_t pid_ = -1;
  int master_ = -1;
  bool exited_ = false;
  std::string screen_;
  size_t consumed_ = 0;
};

}  // namespace rbee::test
