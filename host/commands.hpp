#pragma once
#include <CLI/CLI.hpp>

#include "options.hpp"

namespace rbee::host {

// Each adds one subcommand to app; the callback runs it and throws on failure.
void add_run_command(CLI::App& app, const GlobalArgs& global);
void add_logits_command(CLI::App& app, const GlobalArgs& global);
void add_inspect_command(CLI::App& app, const GlobalArgs& global);
void add_synth_command(CLI::App& app, const GlobalArgs& global);
void add_plugins_command(CLI::App& app, const GlobalArgs& global);
void add_devices_command(CLI::App& app, const GlobalArgs& global);
void add_bench_command(CLI::App& app, const GlobalArgs& global);
void add_chat_command(CLI::App& app, const GlobalArgs& global);
void add_template_command(CLI::App& app, const GlobalArgs& global);
// `rbee tokenize` and `rbee detokenize`.
void add_tokenize_commands(CLI::App& app, const GlobalArgs& global);
// `rbee serve`: the OpenAI-compatible HTTP server.
void add_serve_command(CLI::App& app, const GlobalArgs& global);


}  // namespace rbee::host
