// rbee inspect: what a model file is and how rbee would run it.
#include <cstdio>
#include <map>

#include "commands.hpp"

namespace rbee::host {
namespace {

void inspect(const GlobalArgs& global, const ModelArgs& args) {
  Runtime runtime(runtime_options(global));
  auto model = load_model(runtime, args);
  const ModelSource& src = model->source();
  std::printf("file:          %s (%s)\n", src.path().c_str(),
              src.format() == ModelSource::Format::Gguf ? "GGUF" : "safetensors");
  std::printf("architecture:  %s\n", model->architecture().c_str());
  std::printf("plugin:        %s %s (%s)\n", model->plugin().name().c_str(), model->plugin().version().c_str(),
              model->plugin().path().c_str());
  std::printf("hyperparameters:\n");
  for (const auto& [key, value] : model->hyperparameters()) std::printf("  %-16s %s\n", key.c_str(), value.c_str());

  std::map<std::string, std::pair<size_t, uint64_t>> by_type;
  uint64_t bytes = 0;
  for (const auto& t : src.tensors()) {
    auto& e = by_type[std::string(dtype_name(t.dtype))];
    e.first++;
    e.second += t.nbytes;
    bytes += t.nbytes;
  }
  std::printf("tensors:       %zu, %.1f MiB\n", src.tensors().size(), bytes / 1048576.0);
  for (const auto& [type, e] : by_type) std::printf("  %-8s %6zu tensors %10.1f MiB\n", type.c_str(), e.first, e.second / 1048576.0);

  const Tokenizer& tok = model->tokenizer();
  std::printf("vocabulary:    %zu tokens (%s), bos %d, eos %d, add_bos %s\n", tok.vocab_size(),
              tok.vocab().model == VocabModel::SentencePiece ? "SentencePiece" : "byte-level BPE", tok.bos(), tok.eos(),
              tok.add_bos() ? "yes" : "no");
  std::printf("context:       %u tokens, KV cache %.1f MiB\n", model->context(), model->kv_cache().bytes() / 1048576.0);
}

}  // namespace

void add_inspect_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<ModelArgs>();
  CLI::App* cmd = app.add_subcommand("inspect", "show a model's architecture, plugin, hyperparameters, tensors and vocabulary");
  add_model_args(*cmd, *args);
  cmd->callback([&global, args] { inspect(global, *args); });
}

}  // namespace rbee::host
