// rbee serve: the OpenAI-compatible HTTP server. It listens at once (GET /health says "loading"
// until the model is ready), loads the model with room for --parallel sequences, then runs the
// engine's Scheduler on a thread of its own while the I/O thread serves HTTP.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <thread>

#include <spdlog/spdlog.h>

#include "chat/template_source.hpp"
#include "commands.hpp"
#include "demo_model.hpp"
#include "option_checks.hpp"
#include "engine/scheduler.hpp"
#include "server/http_server.hpp"
#include "server/openai_service.hpp"

namespace rbee::host {
namespace {

struct ServeArgs {
  ModelArgs model;
  SamplerParams sampling;
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  std::vector<std::string> api_keys;
  std::string api_key_file;
  uint32_t parallel = 4;
  uint32_t kv_budget_mib = 0;
  uint32_t queue = 64;
  uint32_t chunk = 0;
  std::string alias;
  std::string template_file;
  uint32_t timeout = 30;
  uint64_t max_body = 16 << 20;
};

// One key a line, surrounding blanks ignored; blank lines and lines starting with # are skipped.
std::vector<std::string> read_keys(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw std::runtime_error("--api-key-file " + file + ": cannot read it");
  std::vector<std::string> keys;
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    line.erase(0, line.find_first_not_of(" \t"));
    if (!line.empty() && line[0] != '#') keys.push_back(line);
  }
  if (keys.empty()) throw std::runtime_error("--api-key-file " + file + ": no key in it (one a line)");
  return keys;
}

std::string model_id(const ServeArgs& args) {
  if (!args.alias.empty()) return args.alias;
  std::filesystem::path p(args.model.path);
  if (!p.has_filename()) p = p.parent_path();  // a folder given with a trailing slash
  return p.filename().string();
}

server::ChatTemplates chat_templates(const Model& model, const std::string& file) {
  server::ChatTemplates t;
  if (!file.empty()) {
    t.plain.emplace(chat::load_chat_template_file(file, &model.source()));
    return t;
  }
  const std::vector<std::string> variants = chat::chat_template_variants(model.source());
  for (const std::string& v : variants) {
    if (v == "default") t.plain.emplace(chat::load_chat_template(model.source()));
    if (v == "tool_use") t.tools.emplace(chat::load_chat_template(model.source(), "tool_use"));
  }
  if (!t.plain) spdlog::warn("the model has no chat template: /v1/chat/completions is refused (see --chat-template-file)");
  return t;
}

void serve(const GlobalArgs& global, ServeArgs args) {
  if (!global.verbose) spdlog::set_level(spdlog::level::info);
  spdlog::set_pattern("[%Y-%m-%d %H:%M:%S.%e] %^%l%$ %v");
  if (!args.api_key_file.empty())
    for (auto& k : read_keys(args.api_key_file)) args.api_keys.push_back(std::move(k));

  server::OpenAiService service({.api_keys = args.api_keys,
                                 .model_id = model_id(args),
                                 .parallel = args.parallel,
                                 .queue = args.queue,
                                 .sampling = args.sampling});
  server::HttpServer http(args.host, args.port,
                          {.max_body_bytes = args.max_body, .timeout = std::chrono::seconds(args.timeout)},
                          [&service](server::HttpRequest r, std::shared_ptr<server::Exchange> e) {
                            service.handle(std::move(r), std::move(e));
                          },
                          [&service](unsigned status, const std::string& message) {
                            return service.transport_error(status, message);
                          });
  std::cout << "listening on " << http.url() << std::endl;

  // SIGINT/SIGTERM: refuse new work, cancel what runs, and stop once every reply has gone out.
  // A reply that cannot go out (a client that stopped reading) holds the exit at most
  // kStopGrace.
  constexpr auto kStopGrace = std::chrono::seconds(10);
  std::atomic<bool> stopping{false};
  std::chrono::steady_clock::time_point stop_deadline;
  std::function<void()> stop_when_idle = [&] {
    const bool idle = service.active() == 0 && http.replies_in_progress() == 0;
    if (idle || std::chrono::steady_clock::now() > stop_deadline) return http.stop();
    http.after(std::chrono::milliseconds(20), stop_when_idle);
  };
  std::thread io([&] {
    http.run([&] {
      if (stopping.exchange(true)) return;
      spdlog::info("stopping: no new requests; cancelling {} running", service.active());
      http.stop_accepting();
      service.shut_down();
      stop_deadline = std::chrono::steady_clock::now() + kStopGrace;
      stop_when_idle();
    });
  });

  // Destroyed in reverse: the engine thread, the scheduler, the model, then the device.
  std::optional<Runtime> runtime;
  std::unique_ptr<Model> model;
  std::unique_ptr<Scheduler> scheduler;
  std::jthread engine;
  try {
    runtime.emplace(runtime_options(global));
    args.model.sequences = args.parallel;
    args.model.kv_budget_bytes = uint64_t(args.kv_budget_mib) << 20;
    model = load_model(*runtime, args.model);
    scheduler = std::make_unique<Scheduler>(*model, SchedulerOptions{.chunk = args.chunk});
    service.attach(*model, *scheduler, chat_templates(*model, args.template_file));
    spdlog::info("serving {} as '{}': {} sequences of {} positions, KV pool of {} blocks ({} MiB)", args.model.path,
                 model_id(args), model->max_sequences(), model->context(), model->kv_cache().blocks(),
                 model->kv_cache().bytes() >> 20);
    engine = std::jthread([&](std::stop_token stop) { scheduler->run(stop); });
    io.join();
  } catch (...) {
    http.stop();
    io.join();
    throw;
  }
  engine.request_stop();
  engine.join();
  spdlog::info("stopped");
}

}  // namespace

void add_serve_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd = app.add_subcommand("serve", "serve a model over an OpenAI-compatible HTTP API");
  add_model_args(*cmd, args->model, ModelArg::DemoByDefault);
  add_sampling_args(*cmd, args->sampling);
  cmd->add_option("--host", args->host, "address to listen on")->capture_default_str();
  cmd->add_option("--port", args->port, "port to listen on (0: any free one)")
      ->check(integer_in(0, 65535))
      ->capture_default_str();
  cmd->add_option("--api-key", args->api_keys, "a key clients must send as Authorization: Bearer KEY (repeatable)");
  cmd->add_option("--api-key-file", args->api_key_file, "a file of such keys, one a line");
  cmd->add_option("--parallel", args->parallel, "sequences generating at once")
      ->check(integer_in(1, 256))
      ->capture_default_str();
  cmd->add_option("--kv-budget", args->kv_budget_mib,
                  "MiB the KV cache may take, shared by the sequences as they grow (0 or unset: --parallel whole contexts)")
      ->check(integer_in(0, kNoLimit));
  cmd->add_option("--queue", args->queue, "requests waiting beyond --parallel before new ones get 503")
      ->check(integer_in(0, kNoLimit))
      ->capture_default_str();
  cmd->add_option("--chunk", args->chunk, "prompt tokens a step evaluates beside the decoding sequences (0: the batch)")
      ->check(integer_in(0, kNoLimit));
  cmd->add_option("--alias", args->alias, "the model's id in the API (default: the file or folder name)");
  cmd->add_option("--chat-template-file", args->template_file, "use this Jinja chat template instead of the model's");
  cmd->add_option("--timeout", args->timeout, "seconds a request may take to arrive, and a client to take a write")
      ->check(integer_in(1, 86400))
      ->capture_default_str();
  cmd->add_option("--max-body", args->max_body, "largest request body in bytes")
      ->check(integer_in(1, UINT64_MAX))
      ->capture_default_str();
  cmd->callback([&global, args] {
    use_demo_model_if_none(args->model);
    serve(global, *args);
  });
}

}  // namespace rbee::host
