#pragma once
#include <cstdint>
#include <deque>
#include <unordered_map>

namespace rbee {

// The last N accepted tokens and how often each occurs among them.
class PenaltyWindow {
 public:
  // capacity 0 keeps nothing; a negative capacity keeps everything.
  explicit PenaltyWindow(int32_t capacity) : capacity_(capacity) {}

  void push(int32_t id);
  void clear();
  const std::unordered_map<int32_t, int32_t>& counts() const { return counts_; }

 private:
  int32_t capacity_;
  std::deque<int32_t> tokens_;
  std::unordered_map<int32_t, int32_t> counts_;  // only ids with a count above 0
};

}  // namespace rbee
