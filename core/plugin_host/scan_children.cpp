#include "plugin_host/scan_children.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "plugin_host/scan_protocol.hpp"

extern char** environ;

namespace rbee {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kParallelScans = 8;
constexpr size_t kMaxAnswerBytes = 1 << 20;  // descriptors are small; a flood is cut here
constexpr size_t kKeptStderrBytes = 16 << 10;

// One running scanner and what it has said so far.
struct Child {
  size_t index = 0;
  pid_t pid = -1;
  int out_fd = -1, err_fd = -1;
  std::string out, err;
  Clock::time_point deadline;
  bool killed = false;
  int wait_status = 0;
};

std::string errno_text(int error) { return std::strerror(error); }

// Starts the scanner on file with its stdout and stderr on pipes of ours; "" or why it failed.
std::string spawn(const ScanSettings& settings, const std::filesystem::path& file, Child& child) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return "cannot make a pipe: " + errno_text(errno);
  if (::pipe2(err, O_CLOEXEC) != 0) {
    const int error = errno;
    ::close(out[0]), ::close(out[1]);
    return "cannot make a pipe: " + errno_text(error);
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::string scanner = settings.scanner.string(), plugin = file.string();
  char* argv[] = {scanner.data(), plugin.data(), nullptr};
  const int rc = ::posix_spawn(&child.pid, scanner.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]), ::close(err[1]);
  if (rc != 0) {
    ::close(out[0]), ::close(err[0]);
    return "cannot run the plugin scanner " + scanner + ": " + errno_text(rc);
  }
  child.out_fd = out[0];
  child.err_fd = err[0];
  child.deadline = Clock::now() + settings.timeout;
  return {};
}

// Reads what is there; closes the pipe at its end.
void drain(int& fd, std::string& into, size_t limit, bool keep_tail) {
  char buffer[4096];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {
    ::close(fd);
    fd = -1;
    return;
  }
  into.append(buffer, static_cast<size_t>(n));
  if (into.size() > limit) {
    if (keep_tail) into.erase(0, into.size() - limit);
    else into.resize(limit);
  }
}

// The last call the scanner announced and its final answer (null when none).
struct Answer {
  std::string last_call;
  nlohmann::json result;
};

Answer read_answer(const std::string& out) {
  Answer answer;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    const nlohmann::json message = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!message.is_object()) continue;
    if (auto call = message.find(scan_protocol::kCalling); call != message.end() && call->is_string())
      answer.last_call = call->get<std::string>();
    else if (message.contains(scan_protocol::kPlugin) || message.contains(scan_protocol::kRefused))
      answer.result = message;
  }
  return answer;
}

std::string signal_text(int signal) {
  const char* abbrev = ::sigabbrev_np(signal);
  const char* description = ::strsignal(signal);
  return "signal " + std::to_string(signal) + (abbrev != nullptr ? std::string(", SIG") + abbrev : "") +
         (description != nullptr ? std::string(": ") + description : "");
}

ScanOutcome classify(const Child& child, const std::filesystem::path& file, const ScanSettings& settings) {
  const Answer answer = read_answer(child.out);
  const std::string where = answer.last_call.empty() ? "" : " in " + answer.last_call;
  if (child.killed)
    return {.failure = "hung: no answer within " + std::to_string(settings.timeout.count()) + " ms" + where +
                       " (killed; RBEE_PLUGIN_SCAN_TIMEOUT_MS sets the limit)",
            .lasting = false};
  if (WIFSIGNALED(child.wait_status))
    return {.failure = "crashed (" + signal_text(WTERMSIG(child.wait_status)) + ")" + where};
  const int status = WIFEXITED(child.wait_status) ? WEXITSTATUS(child.wait_status) : -1;
  if (status == 0 && answer.result.contains(scan_protocol::kRefused))
    return {.failure = answer.result[scan_protocol::kRefused].get<std::string>()};
  if (status == 0 && answer.result.contains(scan_protocol::kPlugin)) {
    try {
      return {.plugin = plugin_info_from_json(file, answer.result[scan_protocol::kPlugin])};
    } catch (const nlohmann::json::exception& e) {
      return {.failure = std::string("the plugin scanner's answer is unreadable: ") + e.what(), .lasting = false};
    }
  }
  if (status == scan_protocol::kUsageStatus || answer.last_call.empty())
    return {.failure = "the plugin scanner " + settings.scanner.string() + " exited with status " +
                       std::to_string(status) + " without scanning it",
            .lasting = false};
  return {.failure = "exited with status " + std::to_string(status) + where};
}

void log_stderr(const std::filesystem::path& file, const std::string& err) {
  if (!spdlog::should_log(spdlog::level::debug)) return;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) spdlog::debug("scan of {}: {}", file.string(), line);
}

// Waits for every running child to say everything or to run out of time.
void poll_once(std::vector<Child>& running) {
  std::vector<pollfd> fds;
  auto wait = std::chrono::milliseconds(10);  // at most, so that exits and deadlines are noticed
  for (const Child& c : running) {
    if (c.out_fd >= 0) fds.push_back({c.out_fd, POLLIN, 0});
    if (c.err_fd >= 0) fds.push_back({c.err_fd, POLLIN, 0});
  }
  const auto now = Clock::now();
  for (const Child& c : running)
    wait = std::min(wait, std::chrono::duration_cast<std::chrono::milliseconds>(std::max(c.deadline - now, Clock::duration{})));
  ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
  for (const pollfd& p : fds) {
    if (p.revents == 0) continue;
    for (Child& c : running) {
      if (p.fd == c.out_fd) drain(c.out_fd, c.out, kMaxAnswerBytes, false);
      else if (p.fd == c.err_fd) drain(c.err_fd, c.err, kKeptStderrBytes, true);
    }
  }
}

// True once the child is gone (reaped), killing it first when past its deadline.
bool finished(Child& c) {
  if (!c.killed && Clock::now() >= c.deadline) {
    ::kill(c.pid, SIGKILL);
    c.killed = true;
  }
  if (c.killed) {
    ::waitpid(c.pid, &c.wait_status, 0);
  } else {
    if (c.out_fd >= 0 || c.err_fd >= 0) return false;  // it may still be talking
    if (::waitpid(c.pid, &c.wait_status, WNOHANG) != c.pid) return false;
  }
  for (int* fd : {&c.out_fd, &c.err_fd})
    if (*fd >= 0) ::close(*fd), *fd = -1;
  return true;
}

}  // namespace

std::vector<ScanOutcome> scan_in_children(const std::vector<std::filesystem::path>& files, const ScanSettings& settings) {
  std::vector<ScanOutcome> outcomes(files.size());
  std::vector<Child> running;
  size_t next = 0;
  while (next < files.size() || !running.empty()) {
    while (running.size() < kParallelScans && next < files.size()) {
      Child child{.index = next};
      spdlog::debug("scanning {} in a child process", files[next].string());
      if (std::string error = spawn(settings, files[next], child); !error.empty())
        outcomes[next] = {.failure = std::move(error), .lasting = false};
      else
        running.push_back(std::move(child));
      ++next;
    }
    if (running.empty()) continue;
    poll_once(running);
    for (auto it = running.begin(); it != running.end();) {
      if (!finished(*it)) {
        ++it;
        continue;
      }
      log_stderr(files[it->index], it->err);
      outcomes[it->index] = classify(*it, files[it->index], settings);
      it = running.erase(it);
    }
  }
  return outcomes;
}

}  // namespace rbee
