#pragma once
// The OpenAI-compatible API of `rbee serve` over one model: routes each HTTP request (auth,
// health, models, metrics, completions, tokenize, templates) to the engine's Scheduler and
// answers in OpenAI's shapes. It only translates: generation is the engine's, text parsing the
// chat library's, the wire the HttpServer's.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chat/chat_template.hpp"
#include "completion_job.hpp"
#include "engine/model.hpp"
#include "engine/scheduler.hpp"
#include "http_server.hpp"
#include "server_metrics.hpp"

namespace rbee::host::server {

struct ServiceSettings {
  std::vector<std::string> api_keys;  // none: no key needed
  std::string model_id;
  uint32_t parallel = 1;  // sequences at once
  uint32_t queue = 64;    // requests waiting beyond those, before 503
  SamplerParams sampling;  // defaults a request overrides
};

// The model's chat templates: the default, and the one for conversations with tools where the
// model has one (transformers' "tool_use"). Absent default: chat requests are refused.
struct ChatTemplates {
  std::optional<chat::ChatTemplate> plain;
  std::optional<chat::ChatTemplate> tools;
};

class OpenAiService {
 public:
  explicit OpenAiService(ServiceSettings settings);

  // Until then /health says loading and the API answers 503.
  void attach(Model& model, Scheduler& scheduler, ChatTemplates templates);

  // HttpServer's Handler.
  void handle(HttpRequest request, std::shared_ptr<Exchange> exchange);
  // HttpServer's ErrorResponder: a request refused before it was read whole (413, 431, 400),
  // counted in /metrics and logged like any other.
  HttpResponse transport_error(unsigned status, const std::string& message);

  // SIGTERM: new requests get 503; running generations are cancelled (their clients told).
  void shut_down();
  // Generations accepted and not yet finished.
  uint32_t active() const { return active_; }

 private:
  HttpResponse route(const HttpRequest& request, const std::shared_ptr<Exchange>& exchange, bool& answered);
  void start_completion(const HttpRequest& request, const std::shared_ptr<Exchange>& exchange, bool chat);
  HttpResponse models(const std::string& path) const;
  HttpResponse tokenize(const HttpRequest& request) const;
  HttpResponse detokenize(const HttpRequest& request) const;
  HttpResponse apply_template(const HttpRequest& request) const;
  HttpResponse metrics() const;
  bool authorized(const HttpRequest& request) const;
  // The template for a conversation with or without tools; throws ApiError when there is none.
  const chat::ChatTemplate& template_for(bool with_tools) const;
  void log(const HttpRequest& request, unsigned status, double seconds) const;

  ServiceSettings settings_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::atomic<Model*> model_{nullptr};  // set once by attach()
  Scheduler* scheduler_ = nullptr;
  ChatTemplates templates_;
  ServerMetrics metrics_;
  std::atomic<uint32_t> active_{0};
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex jobs_mutex_;
  std::set<std::shared_ptr<CompletionJob>> jobs_;  // running, for shut_down()
};

}  // namespace rbee::host::server
