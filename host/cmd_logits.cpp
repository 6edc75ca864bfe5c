// rbee logits: the logits of every position, as little-endian float32 [positions][vocab].
#include <cstdio>
#include <fstream>

#include "commands.hpp"

namespace rbee::host {
namespace {

struct LogitsArgs {
  ModelArgs model;
  std::string ids;
  std::string output;
};

void logits(const GlobalArgs& global, const LogitsArgs& args) {
  std::vector<int32_t> ids = parse_ids(args.ids);
  Runtime runtime(runtime_options(global));
  auto model = load_model(runtime, args.model);
  std::vector<float> values = model->eval(ids, true);
  std::ofstream out(args.output, std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(values.size() * sizeof(float)));
  if (!out) throw std::runtime_error("cannot write " + args.output);
  std::fprintf(stderr, "wrote %zu x %u logits to %s\n", ids.size(), model->n_vocab(), args.output.c_str());
}

}  // namespace

void add_logits_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<LogitsArgs>();
  CLI::App* cmd = app.add_subcommand("logits", "write the logits of every position of a token sequence");
  add_model_args(*cmd, args->model);
  cmd->add_option("--ids", args->ids, "comma-separated token ids")->required();
  cmd->add_option("-o,--output", args->output, "output file (float32 [positions][vocab])")->required();
  cmd->callback([&global, args] { logits(global, *args); });
}

}  // namespace rbee::host
