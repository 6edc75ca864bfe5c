// rbee run: generate text (or token ids) from a prompt.
#include <chrono>
#include <cstdio>
#include <iostream>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "demo_model.hpp"
#include "engine/next_token.hpp"
#include "option_checks.hpp"
#include "output.hpp"
#include "tokenizer/streaming_detokenizer.hpp"

namespace rbee::host {
namespace {

struct RunArgs {
  ModelArgs model;
  std::string prompt;
  std::string ids;
  int n_predict = 128;
  SamplerParams sampling;
  bool ignore_eos = false;
  bool print_ids = false;
  bool ids_given = false;
};

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

void run(const GlobalArgs& global, const RunArgs& args) {
  std::vector<int32_t> prompt;
  if (args.ids_given) prompt = parse_ids(args.ids);  // before loading, so a typo fails fast
  Runtime runtime(runtime_options(global));
  auto model = load_model(runtime, args.model);
  const Tokenizer& tok = model->tokenizer();
  if (!args.ids_given) prompt = tok.encode(args.prompt, true, true);
  if (prompt.empty()) throw std::invalid_argument("the prompt is empty (give -p TEXT or --ids LIST)");

  StreamingDetokenizer detok(tok);
  if (!args.print_ids && !args.ids_given) {
    std::cout << args.prompt;
    flush_stdout();
  }

  model->check_ids(prompt);
  Sampler sampler(args.sampling, model->n_vocab());
  for (int32_t id : prompt) sampler.accept(id);

  // The prompt's step yields the first token; each generated token's step yields the next.
  auto t0 = std::chrono::steady_clock::now();
  int32_t id = next_token(*model, sampler, prompt);
  double prompt_s = seconds_since(t0);

  std::vector<int32_t> generated;
  bool context_full = false;
  auto t1 = std::chrono::steady_clock::now();
  for (int i = 0; i < args.n_predict; ++i) {
    if (!args.ignore_eos && tok.is_end_of_generation(id)) break;
    sampler.accept(id);
    generated.push_back(id);
    if (!args.print_ids) {
      std::cout << detok.push(id);
      flush_stdout();  // stop generating for output that cannot be written
    }
    if (i + 1 == args.n_predict) break;
    if (model->n_past() >= model->context()) {
      context_full = true;
      break;
    }
    id = next_token(*model, sampler, std::span<const int32_t>(&id, 1));
  }
  double gen_s = seconds_since(t1);

  if (args.print_ids) {
    for (size_t i = 0; i < generated.size(); ++i) std::cout << (i ? " " : "") << generated[i];
    std::cout << "\n";
  } else {
    std::cout << detok.flush() << "\n";
  }
  flush_stdout();
  std::fprintf(stderr, "prompt: %zu tokens in %.3f s (%.1f tokens/s); generation: %zu tokens in %.3f s (%.1f tokens/s)\n",
               prompt.size(), prompt_s, prompt.size() / prompt_s, generated.size(), gen_s,
               generated.size() > 1 ? (generated.size() - 1) / gen_s : 0.0);
  if (context_full)
    std::fprintf(stderr, "rbee: stopped after %zu of %d tokens: the context of %u tokens is full (raise --ctx)\n",
                 generated.size(), args.n_predict, model->context());
  spdlog::info("device time: {:.3f} s of {:.3f} s", model->device_seconds(), prompt_s + gen_s);
}

}  // namespace

void add_run_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run", "generate text from a prompt");
  add_model_args(*cmd, args->model, ModelArg::DemoByDefault);
  auto* p = cmd->add_option("-p,--prompt", args->prompt, "prompt text");
  auto* ids = cmd->add_option("--ids", args->ids, "prompt as comma-separated token ids instead of text");
  p->excludes(ids);
  ids->each([args](const std::string&) { args->ids_given = true; });
  cmd->add_option("-n,--n-predict", args->n_predict, "tokens to generate")->check(integer_in(0, kNoLimit));
  add_sampling_args(*cmd, args->sampling);
  cmd->add_flag("--ignore-eos", args->ignore_eos, "generate all N tokens, past end-of-generation tokens");
  cmd->add_flag("--print-ids", args->print_ids, "print the generated token ids on one line instead of text");
  cmd->callback([&global, args] {
    use_demo_model_if_none(args->model);
    run(global, *args);
  });
}

}  // namespace rbee::host
