#include "openai_service.hpp"

#include <ctime>

#include <spdlog/spdlog.h>

#include "api_error.hpp"
#include "request_body.hpp"
#include "chat/output/output_format.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee::host::server {
namespace {

using ordered_json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

HttpResponse json_response(const ordered_json& body) {
  return {.status = 200, .body = body.dump(-1, ' ', false, ordered_json::error_handler_t::replace)};
}

// Compares every byte whatever the first difference, so the time taken tells nothing of the key.
bool same_key(const std::string& a, const std::string& b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i % std::max<size_t>(b.size(), 1)]);
  return diff == 0;
}

}  // namespace

OpenAiService::OpenAiService(ServiceSettings settings) : settings_(std::move(settings)) {}

void OpenAiService::attach(Model& model, Scheduler& scheduler, ChatTemplates templates) {
  scheduler_ = &scheduler;
  templates_ = std::move(templates);
  model_ = &model;  // last: handlers that see it see the rest
}

HttpResponse OpenAiService::transport_error(unsigned status, const std::string& message) {
  const char* code = status == 413 ? "body_too_large" : status == 431 ? "headers_too_large" : "bad_request";
  metrics_.request_done(status);
  spdlog::info("request refused before it was read: {} {}", status, message);
  return error_response(ApiError(status, code, message));
}

void OpenAiService::handle(HttpRequest request, std::shared_ptr<Exchange> exchange) {
  const auto t0 = Clock::now();
  bool answered = false;  // a generation answers through its job
  HttpResponse response;
  try {
    response = route(request, exchange, answered);
  } catch (const ApiError& e) {
    response = error_response(e);
  } catch (const std::exception& e) {
    response = error_response(ApiError(500, "internal_error", e.what()));
  }
  if (answered) return;
  metrics_.request_done(response.status);
  log(request, response.status, since(t0));
  exchange->respond(std::move(response));
}

HttpResponse OpenAiService::route(const HttpRequest& request, const std::shared_ptr<Exchange>& exchange, bool& answered) {
  const std::string& path = request.path;
  const bool get = request.method == "GET", post = request.method == "POST";
  auto only = [&](bool allowed, const char* method) {
    if (!allowed) throw ApiError(405, "method_not_allowed", path + " takes " + method + ", not " + request.method);
  };
  if (path == "/health") {
    only(get, "GET");
    if (!model_) return {.status = 503, .body = R"({"status":"loading"})"};
    return {.status = 200, .body = R"({"status":"ok"})"};
  }
  if (!authorized(request))
    throw ApiError(401, "invalid_api_key", "missing or wrong API key (send the header Authorization: Bearer KEY)");
  if (shutting_down_) throw ApiError(503, "shutting_down", "the server is shutting down");
  if (!model_) throw ApiError(503, "loading", "the model is still loading; GET /health says when it is ready");

  if (path == "/v1/models" || path.starts_with("/v1/models/")) {
    only(get, "GET");
    return models(path);
  }
  if (path == "/metrics") {
    only(get, "GET");
    return metrics();
  }
  if (path == "/v1/chat/completions" || path == "/v1/completions") {
    only(post, "POST");
    start_completion(request, exchange, path == "/v1/chat/completions");
    answered = true;
    return {};
  }
  if (path == "/tokenize" || path == "/detokenize" || path == "/apply-template") {
    only(post, "POST");
    return path == "/tokenize" ? tokenize(request) : path == "/detokenize" ? detokenize(request) : apply_template(request);
  }
  throw ApiError(404, "not_found", "no such endpoint: " + request.method + " " + path);
}

bool OpenAiService::authorized(const HttpRequest& request) const {
  if (settings_.api_keys.empty()) return true;
  const std::string header = request.header("authorization");
  constexpr std::string_view bearer = "Bearer ";
  if (!header.starts_with(bearer)) return false;
  const std::string key = header.substr(bearer.size());
  bool ok = false;
  for (const std::string& k : settings_.api_keys) ok |= same_key(key, k);
  return ok;
}

const chat::ChatTemplate& OpenAiService::template_for(bool with_tools) const {
  if (with_tools && templates_.tools) return *templates_.tools;
  if (templates_.plain) return *templates_.plain;
  throw ApiError(400, "no_chat_template",
                 "the model has no chat template: use /v1/completions, or start the server with --chat-template-file");
}

void OpenAiService::start_completion(const HttpRequest& request, const std::shared_ptr<Exchange>& exchange, bool chat) {
  const auto arrived = Clock::now();
  Model& model = *model_;
  CompletionRequest req = read_completion_request(parse_request_body(request.body), chat, settings_.sampling);
  if (!req.model.empty() && req.model != settings_.model_id)
    throw ApiError(404, "model_not_found", "the model '" + req.model + "' does not exist; this server serves '" +
                                               settings_.model_id + "'");
  CompletionJob::Setup setup;
  const Tokenizer& tokenizer = model.tokenizer();
  if (chat) {
    const chat::ChatTemplate& tmpl = template_for(!req.tools.is_null());
    std::string rendered;
    try {
      rendered = tmpl.render(req.messages, req.tools, /*add_generation_prompt=*/true, req.template_kwargs);
    } catch (const std::exception& e) {
      throw ApiError(400, "invalid_messages", std::string("the chat template cannot render these messages: ") + e.what());
    }
    setup.prompt = tokenizer.encode(rendered, /*add_special=*/false, /*parse_special=*/true);
    setup.format = tmpl.output_format(rendered);
    if (!req.tool_calls) setup.format->tool_calls = chat::ToolCallFormat::none;
  } else {
    setup.prompt = tokenizer.encode(req.prompt, /*add_special=*/true, /*parse_special=*/true);
  }
  if (setup.prompt.empty()) throw ApiError(400, "empty_prompt", "the prompt is empty");
  const uint32_t context = model.context();
  if (setup.prompt.size() >= context)
    throw ApiError(400, "context_length_exceeded",
                   "the prompt is " + std::to_string(setup.prompt.size()) + " tokens; a sequence's context holds " +
                       std::to_string(context) + " (--ctx-size), and at least one must be left to generate");
  const uint32_t room = context - static_cast<uint32_t>(setup.prompt.size());
  setup.max_tokens = req.max_tokens ? std::min(*req.max_tokens, room) : room;
  const uint32_t n = req.n;
  if (active_ + n > settings_.parallel + settings_.queue)
    throw ApiError(503, "queue_full", std::to_string(active_.load()) + " generations are running or waiting (--parallel " +
                                          std::to_string(settings_.parallel) + ", --queue " +
                                          std::to_string(settings_.queue) + "); retry later");
  setup.request = std::move(req);
  setup.model_id = settings_.model_id;
  setup.arrived = arrived;

  auto job = std::make_shared<CompletionJob>(
      std::move(setup), tokenizer, exchange,
      [this, method = request.method, path = request.path, peer = request.peer, n](const JobSummary& s) {
        metrics_.request_done(s.status);
        metrics_.generation_done(s.prompt_tokens, s.cached_tokens, s.generated);
        if (s.first_token_seconds) metrics_.first_token(*s.first_token_seconds);
        spdlog::info("{} {} {} {} {:.3f}s prompt {} (cached {}) generated {} first token {} ({})", peer, method, path,
                     s.status, s.seconds, s.prompt_tokens, s.cached_tokens, s.generated,
                     s.first_token_seconds ? fmt::format("{:.3f}s", *s.first_token_seconds) : std::string("-"), s.finish);
        active_ -= n;
      });
  {
    std::lock_guard lock(jobs_mutex_);
    jobs_.insert(job);
  }
  active_ += n;
  auto forget = [this, weak = std::weak_ptr<CompletionJob>(job)] {
    std::lock_guard lock(jobs_mutex_);
    if (auto j = weak.lock()) jobs_.erase(j);
  };
  try {
    job->start(*scheduler_);
  } catch (const std::invalid_argument& e) {
    active_ -= n;
    forget();
    throw ApiError(400, "invalid_request", e.what());
  }
  exchange->on_client_gone([this, weak = std::weak_ptr<CompletionJob>(job)] {
    if (auto j = weak.lock()) j->cancel(*scheduler_, CompletionJob::Cancel::ClientGone);
  });
  // The set keeps running jobs for shut_down(); a finished job leaves it on the next request's
  // sweep (its callbacks hold it until then anyway).
  std::lock_guard lock(jobs_mutex_);
  std::erase_if(jobs_, [](const std::shared_ptr<CompletionJob>& j) { return j->finished(); });
}

void OpenAiService::shut_down() {
  shutting_down_ = true;
  std::set<std::shared_ptr<CompletionJob>> jobs;
  {
    std::lock_guard lock(jobs_mutex_);
    jobs.swap(jobs_);
  }
  if (scheduler_)
    for (const auto& j : jobs) j->cancel(*scheduler_, CompletionJob::Cancel::Shutdown);
}

HttpResponse OpenAiService::models(const std::string& path) const {
  const ordered_json card = {{"id", settings_.model_id},
                             {"object", "model"},
                             {"created", static_cast<int64_t>(std::time(nullptr) - since(started_))},
                             {"owned_by", "rbee"}};
  if (path == "/v1/models") return json_response({{"object", "list"}, {"data", ordered_json::array({card})}});
  const std::string id = path.substr(std::string("/v1/models/").size());
  if (id != settings_.model_id)
    throw ApiError(404, "model_not_found", "the model '" + id + "' does not exist; this server serves '" + settings_.model_id + "'");
  return json_response(card);
}

HttpResponse OpenAiService::metrics() const {
  HttpResponse r{.status = 200, .content_type = "text/plain; version=0.0.4"};
  r.body = metrics_.render(scheduler_->stats(), settings_.parallel, since(started_));
  return r;
}

HttpResponse OpenAiService::tokenize(const HttpRequest& request) const {
  const ordered_json body = parse_request_body(request.body);
  const auto content = body.find("content");
  if (content == body.end() || !content->is_string()) throw bad_field("content", "a string");
  bool add_special = false;
  if (auto a = body.find("add_special"); a != body.end()) {
    if (!a->is_boolean()) throw bad_field("add_special", "true or false");
    add_special = a->get<bool>();
  }
  return json_response({{"tokens", model_.load()->tokenizer().encode(content->get<std::string>(), add_special, true)}});
}

HttpResponse OpenAiService::detokenize(const HttpRequest& request) const {
  const ordered_json body = parse_request_body(request.body);
  const auto tokens = body.find("tokens");
  if (tokens == body.end() || !tokens->is_array()) throw bad_field("tokens", "an array of token ids");
  const Tokenizer& tokenizer = model_.load()->tokenizer();
  std::vector<int32_t> ids;
  for (const auto& t : *tokens) {
    if (!t.is_number_integer() || t.get<int64_t>() < 0 || t.get<int64_t>() >= int64_t(tokenizer.vocab_size()))
      throw bad_field("tokens", "token ids from 0 to " + std::to_string(tokenizer.vocab_size() - 1) + ", got " + t.dump());
    ids.push_back(t.get<int32_t>());
  }
  return json_response({{"content", tokenizer.decode(ids, /*skip_special=*/false)}});
}

HttpResponse OpenAiService::apply_template(const HttpRequest& request) const {
  const CompletionRequest req = read_completion_request(parse_request_body(request.body), true, settings_.sampling);
  const chat::ChatTemplate& tmpl = template_for(!req.tools.is_null());
  try {
    return json_response({{"prompt", tmpl.render(req.messages, req.tools, true, req.template_kwargs)}});
  } catch (const std::exception& e) {
    throw ApiError(400, "invalid_messages", std::string("the chat template cannot render these messages: ") + e.what());
  }
}

void OpenAiService::log(const HttpRequest& request, unsigned status, double seconds) const {
  spdlog::info("{} {} {} {} {:.3f}s", request.peer, request.method, request.path, status, seconds);
}

}  // namespace rbee::host::server
