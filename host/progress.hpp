#pragma once
#include <cstdint>
#include <string>

namespace rbee::host {

// A progress display on stderr: a redrawn bar on a terminal, a plain line per 25 % otherwise.
class Progress {
 public:
  explicit Progress(std::string label);
  void update(uint64_t done, uint64_t total);
  void finish();

 private:
  std::string label_;
  bool terminal_;
  int last_shown_ = -1;
  bool shown_ = false;
};

}  // namespace rbee::host
