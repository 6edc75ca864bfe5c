#include "sampling/penalty_window.hpp"

#include <cstddef>

namespace rbee {

void PenaltyWindow::push(int32_t id) {
  if (capacity_ == 0) return;
  tokens_.push_back(id);
  ++counts_[id];
  if (capacity_ > 0 && tokens_.size() > static_cast<size_t>(capacity_)) {
    const int32_t oldest = tokens_.front();
    tokens_.pop_front();
    if (--counts_[oldest] == 0) counts_.erase(oldest);
  }
}

void PenaltyWindow::clear() {
  tokens_.clear();
  counts_.clear();
}

}  // namespace rbee
