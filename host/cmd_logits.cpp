// rbee logits: the logits of every position, as little-endian float32 [positions][vocab].
#include <cstdio>

#include "commands.hpp"
#include "output.hpp"

namespace rbee::host {
namespace {

struct LogitsArgs {
  ModelArgs model;
  std::string ids;
  std::string output;
};

void logits(const GlobalArgs& global, const LogitsArgs& args) {
  std::vector<int32_t> ids = parse_ids(args.ids);
  refuse_overwriting_input(args.output, "--output", {args.model.path});
  Runtime runtime(runtime_options(global));
  auto model = load_model(runtime, args.model);
  std::vector<float> values = model->eval(ids, true);
  write_file(args.output, std::string_view(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
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
