#include "server_metrics.hpp"

#include <sstream>

namespace rbee::host::server {

void ServerMetrics::request_done(unsigned status) {
  std::lock_guard lock(mutex_);
  ++requests_[status];
}

void ServerMetrics::generation_done(uint32_t prompt_tokens, uint32_t cached_tokens, uint32_t generated) {
  std::lock_guard lock(mutex_);
  prompt_tokens_ += prompt_tokens;
  cached_tokens_ += cached_tokens;
  generated_ += generated;
  if (cached_tokens) ++prefix_hits_;
}

void ServerMetrics::first_token(double seconds) {
  std::lock_guard lock(mutex_);
  ttft_sum_ += seconds;
  ++ttft_count_;
}

std::string ServerMetrics::render(const SchedulerStats& engine, uint32_t parallel, double uptime_seconds) const {
  std::lock_guard lock(mutex_);
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  };
  metric("rbee_requests_total", "counter", "HTTP requests answered, by status");
  for (const auto& [status, count] : requests_) o << "rbee_requests_total{status=\"" << status << "\"} " << count << '\n';
  metric("rbee_prompt_tokens_total", "counter", "prompt tokens of finished generations");
  o << "rbee_prompt_tokens_total " << prompt_tokens_ << '\n';
  metric("rbee_prompt_tokens_cached_total", "counter", "of those, tokens the prefix cache supplied");
  o << "rbee_prompt_tokens_cached_total " << cached_tokens_ << '\n';
  metric("rbee_prefix_cache_hits_total", "counter", "generations that reused a cached prompt prefix");
  o << "rbee_prefix_cache_hits_total " << prefix_hits_ << '\n';
  metric("rbee_generated_tokens_total", "counter", "tokens generated");
  o << "rbee_generated_tokens_total " << generated_ << '\n';
  metric("rbee_generated_tokens_per_second", "gauge", "tokens generated per second since the server started");
  o << "rbee_generated_tokens_per_second " << (uptime_seconds > 0 ? double(engine.tokens_generated) / uptime_seconds : 0.0)
    << '\n';
  metric("rbee_time_to_first_token_seconds", "summary", "from a request's arrival to its first token");
  o << "rbee_time_to_first_token_seconds_sum " << ttft_sum_ << '\n';
  o << "rbee_time_to_first_token_seconds_count " << ttft_count_ << '\n';
  metric("rbee_queue_length", "gauge", "requests waiting for a sequence");
  o << "rbee_queue_length " << engine.waiting << '\n';
  metric("rbee_sequences_busy", "gauge", "sequences generating or evaluating a prompt");
  o << "rbee_sequences_busy " << engine.running << '\n';
  metric("rbee_sequences_max", "gauge", "sequences the server runs at once (--parallel)");
  o << "rbee_sequences_max " << parallel << '\n';
  metric("rbee_kv_blocks_used", "gauge", "KV cache blocks held by sequences");
  o << "rbee_kv_blocks_used " << engine.kv_blocks_total - engine.kv_blocks_free << '\n';
  metric("rbee_kv_blocks_free", "gauge", "KV cache blocks free (cached prefixes included)");
  o << "rbee_kv_blocks_free " << engine.kv_blocks_free << '\n';
  metric("rbee_kv_blocks_cached", "gauge", "free KV cache blocks holding a reusable prompt prefix");
  o << "rbee_kv_blocks_cached " << engine.kv_blocks_cached << '\n';
  metric("rbee_preemptions_total", "counter", "sequences preempted for lack of KV blocks");
  o << "rbee_preemptions_total " << engine.preemptions << '\n';
  return o.str();
}

}  // namespace rbee::host::server
