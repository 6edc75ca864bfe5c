#pragma once
// Runs the real `rbee` binary as a child process, capturing stdout and stderr, plus temp-folder
// and file helpers for the host tests.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

#include "temp_dir.hpp"

namespace rbee::test {

inline std::filesystem::path rbee_binary() { return std::filesystem::path(RBEE_BINARY_DIR) / "host" / "rbee"; }
inline std::filesystem::path build_plugin() {
  return std::filesystem::path(RBEE_BINARY_DIR) / "plugins" / "librbee-plugin-llama.so";
}

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
inline std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), {});
}
inline void write_bytes(const std::filesystem::path& p, const void* data, size_t n) {
  std::ofstream(p, std::ios::binary | std::ios::trunc).write(static_cast<const char*>(data), std::streamsize(n));
}
inline void write_bytes(const std::filesystem::path& p, const std::vector<uint8_t>& b) { write_bytes(p, b.data(), b.size()); }
inline void write_text(const std::filesystem::path& p, const std::string& s) { write_bytes(p, s.data(), s.size()); }


struct RunResult {
  bool exited = false;  // false: killed by a signal (crash) or timed out
  int status = -1;      // exit status when exited, else the signal number
  bool timed_out = false;
  std::string out, err;
  std::string command;

  // What to print when an expectation fails.
  std::string describe() const {
    std::ostringstream s;
    s << "command: " << command << "\n"
      << (exited ? "exit status " : timed_out ? "timed out, signal " : "killed by signal ") << status
      << "\n--- stdout ---\n" << out.substr(0, 4000) << "\n--- stderr ---\n" << err.substr(0, 4000);
    return s.str();
  }
  std::vector<std::string> error_lines() const {
    std::vector<std::string> lines;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);)
      if (line.find("rbee: error:") != std::string::npos) lines.push_back(line);
    return lines;
  }
};

// Where the child's stdout goes: captured (RunResult::out), a full disk, or nowhere (closed).
enum class Stdout { Captured, DevFull, Closed };

// Runs rbee with `args`. The child gets XDG_RUNTIME_DIR=/tmp, an empty user plugin folder
// (XDG_DATA_HOME), no RBEE_PLUGIN_PATH, then `env` on top (an empty value removes the variable).
inline RunResult run_rbee(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                          int timeout_s = 600, Stdout stdout_to = Stdout::Captured) {
  static TempDir scratch;  // capture files and the empty XDG_DATA_HOME
  static std::atomic<int> counter{0};
  const int n = counter++;
  const auto out_path = scratch / ("out-" + std::to_string(n));
  const auto err_path = scratch / ("err-" + std::to_string(n));

  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  vars.erase("RBEE_PLUGIN_PATH");
  vars["XDG_RUNTIME_DIR"] = "/tmp";
  vars["XDG_DATA_HOME"] = (scratch / "xdg-data").string();
  for (const auto& [k, v] : env) {
    if (v.empty()) vars.erase(k);
    else vars[k] = v;
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : vars) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{rbee_binary().string()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  RunResult r;
  for (auto& s : argv_strings) {
    argv.push_back(s.data());
    r.command += (r.command.empty() ? "" : " ") + s;
  }
  argv.push_back(nullptr);
  for (const auto& [k, v] : env) r.command = k + "=" + v + " " + r.command;

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (stdout_to == Stdout::Captured) posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (stdout_to == Stdout::DevFull) posix_spawn_file_actions_addopen(&fa, 1, "/dev/full", O_WRONLY, 0);
  if (stdout_to == Stdout::Closed) posix_spawn_file_actions_addclose(&fa, 1);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    r.err = "posix_spawn failed: " + std::string(strerror(rc));
    return r;
  }
  int wstatus = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    pid_t w = waitpid(pid, &wstatus, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline && !r.timed_out) {
      r.timed_out = true;
      kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(wstatus)) {
    r.exited = !r.timed_out;
    r.status = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    r.status = WTERMSIG(wstatus);
  }
  r.out = read_text(out_path);
  r.err = read_text(err_path);
  std::filesystem::remove(out_path);
  std::filesystem::remove(err_path);
  return r;
}

// Exit status 1 by a normal exit, and exactly one `rbee: error:` line, which contains each of
// `parts` (the caller passes the file name and words of the reason).
inline void expect_clean_error(const RunResult& r, std::initializer_list<std::string> parts) {
  EXPECT_TRUE(r.exited) << "did not exit normally\n" << r.describe();
  EXPECT_EQ(r.status, 1) << r.describe();
  const auto lines = r.error_lines();
  ASSERT_EQ(lines.size(), 1u) << "expected exactly one 'rbee: error:' line\n" << r.describe();
  EXPECT_EQ(lines[0].rfind("rbee: error:", 0), 0u) << "the line should start with 'rbee: error:'\n" << r.describe();
  for (const auto& part : parts)
    EXPECT_NE(lines[0].find(part), std::string::npos) << "error line lacks \"" << part << "\"\n" << r.describe();
}

}  // namespace rbee::test

namespace rbee::test {

// As expect_clean_error, naming `file`, with at least one of `reasons` in the error line.
inline void expect_clean_error_any(const RunResult& r, const std::string& file,
                                   std::initializer_list<std::string> reasons) {
  expect_clean_error(r, {file});
  const auto lines = r.error_lines();
  if (lines.size() != 1) return;
  bool found = false;
  for (const auto& reason : reasons) found = found || lines[0].find(reason) != std::string::npos;
  std::string list;
  for (const auto& reason : reasons) list += " \"" + reason + "\"";
  EXPECT_TRUE(found) << "error line has none of" << list << "\n" << r.describe();
}

}  // namespace rbee::test
