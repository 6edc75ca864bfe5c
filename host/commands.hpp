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

// "5,17,300" -> {5, 17, 300}; throws CLI::ValidationError on anything else.
std::vector<int32_t> parse_ids(const std::string& text);

}  // namespace rbee::host
