#include "graph/hazards.hpp"

namespace rbee {

bool HazardTracker::conflicts(const std::vector<Access>& next) const {
  for (const Access& a : next)
    for (const Access& p : pending_)
      if (a.buffer == p.buffer && (a.write || p.write) && a.offset < p.offset + p.size && p.offset < a.offset + a.size)
        return true;
  return false;
}

}  // namespace rbee
