#pragma once
// What GET /metrics reports, in Prometheus' text format: counters the front end keeps (requests
// by status, tokens, time to first token) and the scheduler's gauges at the time of asking.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "engine/scheduler.hpp"

namespace rbee::host::server {

class ServerMetrics {
 public:
  void request_done(unsigned status);
  // A generation's tokens when it finishes.
  void generation_done(uint32_t prompt_tokens, uint32_t cached_tokens, uint32_t generated);
  void first_token(double seconds);

  // The exposition text, with the engine's gauges and the configured sequences.
  std::string render(const SchedulerStats& engine, uint32_t parallel, double uptime_seconds) const;

 private:
  mutable std::mutex mutex_;
  std::map<unsigned, uint64_t> requests_;
  uint64_t prompt_tokens_ = 0, cached_tokens_ = 0, generated_ = 0, prefix_hits_ = 0;
  double ttft_sum_ = 0;
  uint64_t ttft_count_ = 0;
};

}  // namespace rbee::host::server
