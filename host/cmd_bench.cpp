// rbee bench: prompt-processing and generation speed, like llama-bench's pp/tg; with
// --concurrency, the speed of many requests served together by the Scheduler.
#include <sys/resource.h>

#include <chrono>
#include <algorithm>
#include <cmath>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/device_memory.hpp"
#include "engine/scheduler.hpp"
#include "engine/weight_traffic.hpp"
#include "option_checks.hpp"

namespace rbee::host {
namespace {

struct BenchArgs {
  ModelArgs model;
  std::vector<int> prompt_sizes{512};
  std::vector<int> gen_sizes{128};
  std::vector<int> depths{0};  // tokens already in the KV cache before each test, as llama-bench's -d
  // Requests served at once (--concurrency): for each, a test of that many requests of the
  // first prompt size each generating the first generation length, instead of pp and tg.
  std::vector<int> concurrency;
  int repetitions = 3;
  bool json = false;
};

struct Result {
  std::string test;  // "pp512", "tg128", "pp512 @ d4096"
  int tokens;
  int depth;
  std::vector<double> seconds;
  double mean_tps() const {
    double s = 0;
    for (double t : seconds) s += tokens / t;
    return s / seconds.size();
  }
  double stddev_tps() const {
    double m = mean_tps(), s = 0;
    for (double t : seconds) s += (tokens / t - m) * (tokens / t - m);
    return seconds.size() > 1 ? std::sqrt(s / (seconds.size() - 1)) : 0.0;
  }
};

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

uint64_t peak_host_bytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<uint64_t>(u.ru_maxrss) * 1024;
}

std::vector<int32_t> random_tokens(int n, uint32_t vocab, std::mt19937& rng) {
  std::uniform_int_distribution<int32_t> pick(0, static_cast<int32_t>(vocab) - 1);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = pick(rng);
  return ids;
}

// The name llama-bench gives a test: "pp512", or "pp512 @ d4096" after 4096 tokens of context.
std::string test_name(const char* kind, int n, int depth) {
  std::string name = kind + std::to_string(n);
  if (depth > 0) name += " @ d" + std::to_string(depth);
  return name;
}

// Empties the context and evaluates depth_ids (untimed): what a test at depth runs after.
void fill_context(Model& model, const std::vector<int32_t>& depth_ids) {
  model.reset();
  if (!depth_ids.empty()) model.eval(depth_ids, false);
}

// Prompt processing: n tokens in one eval (split into batches of the model's max batch), after
// depth tokens of context.
Result bench_prompt(Model& model, int n, int depth, int reps, std::mt19937& rng) {
  Result r{test_name("pp", n, depth), n, depth, {}};
  auto depth_ids = random_tokens(depth, model.n_vocab(), rng);
  auto ids = random_tokens(n, model.n_vocab(), rng);
  fill_context(model, depth_ids);
  model.eval(ids, false);  // warm-up: compiles this shape
  for (int i = 0; i < reps; ++i) {
    fill_context(model, depth_ids);  // the timed eval appends: refill every repetition
    double t = now();
    model.eval(ids, false);
    r.seconds.push_back(now() - t);
  }
  return r;
}

// Generation: n single-token steps after depth tokens of context, each returning the greedy
// token id from the device (as `rbee run --temp 0` does).
Result bench_generation(Model& model, int n, int depth, int reps, std::mt19937& rng) {
  Result r{test_name("tg", n, depth), n, depth, {}};
  auto depth_ids = random_tokens(depth, model.n_vocab(), rng);
  auto ids = random_tokens(n, model.n_vocab(), rng);
  fill_context(model, depth_ids);
  model.eval_top(std::span<const int32_t>(ids.data(), 1), 1);  // warm-up
  for (int i = 0; i < reps; ++i) {
    fill_context(model, depth_ids);
    double t = now();
    for (int k = 0; k < n; ++k) model.eval_top(std::span<const int32_t>(&ids[k], 1), 1);
    r.seconds.push_back(now() - t);
  }
  return r;
}

// Device time per kernel over the whole benchmark, largest first.
void print_profile(const std::map<std::string, double>& profile) {
  std::vector<std::pair<std::string, double>> rows(profile.begin(), profile.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  double total = 0;
  for (const auto& r : rows) total += r.second;
  int width = 16;  // as wide as the longest kernel name
  for (const auto& r : rows) width = std::max(width, static_cast<int>(r.first.size()));
  std::printf("\n| %-*s | %10s | %6s |\n|%s|------------|--------|\n", width, "kernel", "seconds", "share",
              std::string(width + 2, '-').c_str());
  for (const auto& [kernel, s] : rows)
    std::printf("| %-*s | %10.4f | %5.1f%% |\n", width, kernel.c_str(), s, 100 * s / total);
}

// Concurrent serving: `concurrency` requests of `prompt` random tokens, each generating `gen`
// tokens (greedy, past end-of-generation), all submitted at once to a Scheduler.
struct ConcurrencyResult {
  std::string test;  // "c4 pp32 tg32"
  int concurrency, prompt, gen;
  std::vector<double> seconds;  // per repetition: first submit to last finish
  std::vector<double> tps;      // per repetition: all generated tokens / seconds
  // Per repetition, as llama-batched-bench's S_TG: the tokens generated once every request has
  // its first token (all decoding together), over that phase's seconds.
  std::vector<double> decode_tps;
  std::vector<double> ttft;     // every request's time to first token (seconds), all repetitions
  uint64_t generated = 0;       // tokens of the last repetition
  double mean_tps() const { return std::accumulate(tps.begin(), tps.end(), 0.0) / tps.size(); }
  double mean_decode_tps() const { return std::accumulate(decode_tps.begin(), decode_tps.end(), 0.0) / decode_tps.size(); }
  double stddev_tps() const {
    double m = mean_tps(), s = 0;
    for (double t : tps) s += (t - m) * (t - m);
    return tps.size() > 1 ? std::sqrt(s / (tps.size() - 1)) : 0.0;
  }
  // Nearest rank.
  double ttft_ms(double q) const {
    std::vector<double> v = ttft;
    std::sort(v.begin(), v.end());
    const size_t rank = static_cast<size_t>(std::ceil(q * v.size()));
    return v.empty() ? 0.0 : 1000 * v[std::clamp<size_t>(rank, 1, v.size()) - 1];
  }
};


ConcurrencyResult bench_concurrency(Model& model, int concurrency, int prompt, int gen, int reps, std::mt19937& rng) {
  ConcurrencyResult r{"c" + std::to_string(concurrency) + " pp" + std::to_string(prompt) + " tg" + std::to_string(gen),
                      concurrency, prompt, gen, {}, {}, {}};
  Scheduler scheduler(model);
  // One round: returns its seconds, adding its generated tokens and first-token times, and
  // setting the decode phase's tokens/s.
  auto round = [&](uint32_t max_tokens, uint64_t& generated, std::vector<double>* ttft, double& decode_tps) {
    std::vector<GenerationRequest> requests;  // fresh random prompts: nothing for the prefix cache
    for (int i = 0; i < concurrency; ++i) {
      GenerationRequest q{.prompt = random_tokens(prompt, model.n_vocab(), rng), .max_tokens = max_tokens, .ignore_eos = true};
      q.sampling.temperature = 0;  // greedy
      requests.push_back(std::move(q));
    }
    std::string failure;
    GenerationEvent::Clock::time_point last{}, all_decoding{};
    std::vector<GenerationEvent::Clock::time_point> token_times;
    const auto t0 = GenerationEvent::Clock::now();
    for (auto& q : requests)
      scheduler.submit(std::move(q), [&](const GenerationEvent& e) {
        if (!e.finish) {
          ++generated;
          token_times.push_back(e.time);
          if (e.generated == 1) all_decoding = std::max(all_decoding, e.time);
          if (e.generated == 1 && ttft) ttft->push_back(std::chrono::duration<double>(e.first_token - e.submitted).count());
          return true;
        }
        last = std::max(last, e.time);
        if (*e.finish != FinishReason::Length && failure.empty())
          failure = std::string("a request finished with ") + finish_reason_name(*e.finish) + " after " +
                    std::to_string(e.generated) + " tokens" + (e.message.empty() ? "" : ": " + e.message);
        return true;
      });
    scheduler.run_until_idle();
    if (!failure.empty()) throw std::runtime_error("bench " + r.test + ": " + failure);
    const auto decoded = std::count_if(token_times.begin(), token_times.end(), [&](auto t) { return t > all_decoding; });
    const double decode_s = std::chrono::duration<double>(last - all_decoding).count();
    decode_tps = decoded && decode_s > 0 ? double(decoded) / decode_s : 0.0;
    return std::chrono::duration<double>(last - t0).count();
  };
  uint64_t warm = 0;
  double unused = 0;
  round(static_cast<uint32_t>(std::min(gen, 2)), warm, nullptr, unused);  // compiles the step shapes
  for (int i = 0; i < reps; ++i) {
    uint64_t generated = 0;
    double decode_tps = 0;
    const double s = round(static_cast<uint32_t>(gen), generated, &r.ttft, decode_tps);
    r.seconds.push_back(s);
    r.decode_tps.push_back(decode_tps);
    r.tps.push_back(generated / s);
    r.generated = generated;
  }
  return r;
}

void print_header(const BenchArgs& args, const Model& model, const Runtime& runtime, uint64_t weight_bytes,
                  uint64_t active_bytes, uint64_t kv_bytes, uint64_t kv_plain_bytes, double load_s) {
  const auto& dev = runtime.device().info();
  std::printf("model:  %s (%s, %.1f MiB)\ndevice: %s (%s)\n", args.model.path.c_str(), model.architecture().c_str(),
              weight_bytes / 1048576.0, dev.name.c_str(), dev.driver.c_str());
  std::printf("load %.2f s, peak device memory %.1f MiB, peak host memory %.1f MiB\n", load_s,
              peak_device_bytes() / 1048576.0, peak_host_bytes() / 1048576.0);
  std::printf("weights read per generated token: %.1f MiB (%.1f%% of the weights)\n", active_bytes / 1048576.0,
              weight_bytes ? 100.0 * double(active_bytes) / double(weight_bytes) : 0.0);
  std::printf("KV cache per token of context: %llu bytes", static_cast<unsigned long long>(kv_bytes));
  if (kv_plain_bytes)
    std::printf(" (a plain per-head cache: %llu bytes, %.1fx)", static_cast<unsigned long long>(kv_plain_bytes),
                kv_bytes ? double(kv_plain_bytes) / double(kv_bytes) : 0.0);
  std::printf("\n\n");
}

void bench(const GlobalArgs& global, const BenchArgs& args) {
  Runtime runtime(runtime_options(global));
  double t0 = now();
  ModelArgs margs = args.model;
  const bool concurrent = !args.concurrency.empty();
  // Concurrent tests: requests of the first prompt size (32 where it is 0) generating the first
  // generation length (32 where it is 0).
  const int conc_prompt = args.prompt_sizes.empty() || args.prompt_sizes.front() <= 0 ? 32 : args.prompt_sizes.front();
  const int conc_gen = args.gen_sizes.empty() || args.gen_sizes.front() <= 0 ? 32 : args.gen_sizes.front();
  int widest = 0;
  for (int c : args.concurrency) widest = std::max(widest, c);
  if (concurrent) {
    for (int d : args.depths)
      if (d != 0) throw std::invalid_argument("--depth applies to the pp and tg tests, not to --concurrency");
    if (margs.context == 0) margs.context = static_cast<uint32_t>(conc_prompt + conc_gen);
  }
  int longest = 0;
  for (int n : args.prompt_sizes) longest = std::max(longest, n);
  for (int n : args.gen_sizes) longest = std::max(longest, n);
  int deepest = 0;
  for (int d : args.depths) deepest = std::max(deepest, d);
  // The default context holds the deepest fill plus the largest test after it.
  if (margs.context == 0) margs.context = static_cast<uint32_t>(std::max(1, deepest + longest));
  if (concurrent) margs.sequences = static_cast<uint32_t>(widest);
  auto model = load_model(runtime, margs);
  double load_s = now() - t0;
  if (concurrent && int64_t(conc_prompt) + conc_gen > model->context())
    throw std::runtime_error("--concurrency: a prompt of " + std::to_string(conc_prompt) + " tokens (-p) and " +
                             std::to_string(conc_gen) + " generated (-n) need " + std::to_string(conc_prompt + conc_gen) +
                             " tokens of context, more than --ctx " + std::to_string(model->context()));
  if (!concurrent && static_cast<int64_t>(deepest) + longest > model->context())
    throw std::runtime_error("--depth " + std::to_string(deepest) + " plus a test of " + std::to_string(longest) +
                             " tokens needs " + std::to_string(int64_t(deepest) + longest) +
                             " tokens of context, more than --ctx " + std::to_string(model->context()));

  // As llama-bench: for each depth, the prompt tests, then the generation tests.
  std::mt19937 rng(1234);
  std::vector<Result> results;
  std::vector<ConcurrencyResult> concurrent_results;
  for (int c : args.concurrency)
    concurrent_results.push_back(bench_concurrency(*model, c, conc_prompt, conc_gen, args.repetitions, rng));
  for (int depth : concurrent ? std::vector<int>{} : args.depths) {
    for (int n : args.prompt_sizes)
      if (n > 0) results.push_back(bench_prompt(*model, n, depth, args.repetitions, rng));
    for (int n : args.gen_sizes)
      if (n > 0) results.push_back(bench_generation(*model, n, depth, args.repetitions, rng));
  }

  const auto& dev = runtime.device().info();
  uint64_t weight_bytes = 0;
  for (const auto& t : model->source().tensors()) weight_bytes += t.nbytes;
  // What one generated token reads of the weights (experts: only the chosen ones); times tgN's
  // tokens/s it is the weight bandwidth generation achieves, to read against the device's.
  const uint64_t active_bytes = weight_bytes_per_token(*model);
  // What one position of context adds to the KV cache; where the plugin states it (MLA), also
  // what a plain per-head cache of every head's key and value would take.
  const uint64_t kv_bytes = model->kv_cache_bytes_per_token();
  uint64_t kv_plain_bytes = 0;
  for (const auto& [key, value] : model->hyperparameters())
    if (key == "kv_cache_bytes_per_token_mha") kv_plain_bytes = std::strtoull(value.c_str(), nullptr, 10);
  auto generation = [](const Result& r) { return r.test.rfind("tg", 0) == 0; };
  if (args.json) {
    nlohmann::json out;
    out["model"] = args.model.path;
    out["architecture"] = model->architecture();
    out["model_bytes"] = weight_bytes;
    out["device"] = dev.name;
    out["driver"] = dev.driver;
    out["load_seconds"] = load_s;
    out["peak_device_bytes"] = peak_device_bytes();
    out["peak_host_bytes"] = peak_host_bytes();
    out["kv_cache_bytes"] = model->kv_cache().bytes();
    out["active_weight_bytes_per_token"] = active_bytes;
    out["kv_cache_bytes_per_token"] = kv_bytes;
    if (kv_plain_bytes) out["kv_cache_bytes_per_token_plain"] = kv_plain_bytes;
    for (const auto& r : results) {
      nlohmann::json row = {{"test", r.test}, {"tokens", r.tokens}, {"depth", r.depth}, {"repetitions", r.seconds.size()},
                            {"tokens_per_second", r.mean_tps()}, {"stddev", r.stddev_tps()}, {"seconds", r.seconds}};
      if (generation(r)) row["weight_bytes_per_second"] = double(active_bytes) * r.mean_tps();
      out["results"].push_back(std::move(row));
    }
    for (const auto& r : concurrent_results)
      out["results"].push_back({{"test", r.test}, {"concurrency", r.concurrency}, {"prompt_tokens", r.prompt},
                                {"tokens", r.generated}, {"repetitions", r.seconds.size()},
                                {"tokens_per_second", r.mean_tps()}, {"stddev", r.stddev_tps()}, {"seconds", r.seconds},
                                {"decode_tokens_per_second", r.mean_decode_tps()}, {"ttft_p50_ms", r.ttft_ms(0.5)},
                                {"ttft_p99_ms", r.ttft_ms(0.99)}});
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  print_header(args, *model, runtime, weight_bytes, active_bytes, kv_bytes, kv_plain_bytes, load_s);
  if (concurrent) {
    // Aggregate generated tokens/s of all requests together (whole run, and once all decode
    // together), and their times to first token.
    int width = 4;
    for (const auto& r : concurrent_results) width = std::max(width, static_cast<int>(r.test.size()));
    std::printf("| %-*s | %16s | %10s | %13s | %13s |\n|%s|------------------|------------|---------------|---------------|\n",
                width, "test", "tokens/s", "decode t/s", "TTFT p50 (ms)", "TTFT p99 (ms)", std::string(width + 2, '-').c_str());
    for (const auto& r : concurrent_results) {
      char speed[64];
      std::snprintf(speed, sizeof speed, "%7.2f ± %4.2f", r.mean_tps(), r.stddev_tps());
      std::printf("| %-*s | %17s | %10.2f | %13.1f | %13.1f |\n", width, r.test.c_str(), speed, r.mean_decode_tps(),
                  r.ttft_ms(0.5), r.ttft_ms(0.99));
    }
    if (!model->profile().empty()) print_profile(model->profile());
    return;
  }
  // Columns as wide as their longest cell ("pp512 @ d4096"; "±" is one character of two bytes).
  std::vector<std::string> speeds;
  int width = 8, speed_width = 14;
  for (const auto& r : results) {
    char speed[64];
    std::snprintf(speed, sizeof speed, "%7.2f ± %4.2f", r.mean_tps(), r.stddev_tps());
    speeds.push_back(speed);
    width = std::max(width, static_cast<int>(r.test.size()));
    speed_width = std::max(speed_width, static_cast<int>(speeds.back().size()) - 1);
  }
  std::printf("| %-*s | %*s | %12s |\n|%s|%s|--------------|\n", width, "test", speed_width, "tokens/s",
              "weights GB/s", std::string(width + 2, '-').c_str(), std::string(speed_width + 2, '-').c_str());
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    char bandwidth[32] = "";
    if (generation(r)) std::snprintf(bandwidth, sizeof bandwidth, "%.1f", double(active_bytes) * r.mean_tps() / 1e9);
    std::printf("| %-*s | %*s | %12s |\n", width, r.test.c_str(), speed_width + 1, speeds[i].c_str(), bandwidth);
  }
  if (!model->profile().empty()) print_profile(model->profile());
}

}  // namespace

void add_bench_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand("bench", "measure prompt processing (ppN) and generation (tgN) speed");
  add_model_args(*cmd, args->model);
  cmd->add_option("-p,--prompt", args->prompt_sizes, "prompt sizes to time (0 = none)")
      ->delimiter(',')
      ->check(integer_in(0, kNoLimit));
  cmd->add_option("-n,--gen", args->gen_sizes, "generation lengths to time (0 = none)")
      ->delimiter(',')
      ->check(integer_in(0, kNoLimit));
  cmd->add_option("-d,--depth", args->depths, "tokens of context in the KV cache before each test (llama-bench's -d)")
      ->delimiter(',')
      ->check(integer_in(0, kNoLimit));
  cmd->add_option("--concurrency", args->concurrency,
                  "requests served at once, each of the first -p size generating the first -n length (32 for 0): "
                  "aggregate tokens/s and time to first token per value, instead of the pp and tg tests")
      ->delimiter(',')
      ->check(integer_in(1, kNoLimit));
  cmd->add_option("-r,--repetitions", args->repetitions, "runs per test")->check(integer_in(1, kNoLimit));
  cmd->add_flag("--json", args->json, "print JSON instead of a table");
  cmd->add_flag("--profile", args->model.profile, "time every kernel with GPU timestamps and print the split");
  cmd->callback([&global, args] { bench(global, *args); });
}

}  // namespace rbee::host
