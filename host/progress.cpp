#include "progress.hpp"

#include <cstdio>

#include <unistd.h>

namespace rbee::host {

Progress::Progress(std::string label) : label_(std::move(label)), terminal_(isatty(STDERR_FILENO)) {}

void Progress::update(uint64_t done, uint64_t total) {
  if (total == 0) return;
  int percent = static_cast<int>(done * 100 / total);
  if (terminal_) {
    if (percent == last_shown_) return;
    constexpr int kWidth = 40;
    int filled = percent * kWidth / 100;
    std::fprintf(stderr, "\r%s [%.*s%*s] %3d%% %6.1f MiB", label_.c_str(), filled,
                 "########################################", kWidth - filled, "", percent, done / 1048576.0);
    std::fflush(stderr);
  } else {
    int quarter = percent / 25 * 25;
    if (quarter <= last_shown_) return;
    percent = quarter;
    std::fprintf(stderr, "%s: %d%% (%.1f MiB)\n", label_.c_str(), quarter, done / 1048576.0);
  }
  last_shown_ = percent;
  shown_ = true;
}

void Progress::finish() {
  if (terminal_ && shown_) std::fprintf(stderr, "\n");
}

}  // namespace rbee::host
