// rbee: run large language models on any GPU through Vulkan.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "option_checks.hpp"
#include "output.hpp"

int main(int argc, char** argv) {
  using namespace rbee::host;
  CLI::App app{"rbee: run large language models on any GPU through Vulkan"};
  app.require_subcommand(1);
  GlobalArgs global;
  app.add_flag("-v,--verbose", global.verbose, "log what happens (to stderr)");
  app.add_option("--device", global.device, "Vulkan device index (see `rbee devices`); default: the best one")
      ->check(integer_in(0, kNoLimit));
  app.add_option("--plugin-dir", global.plugin_dirs, "search this folder for plugins first (repeatable)")
      ->check(existing_folder());
  // Parse errors read as every other error does.
  app.failure_message([](const CLI::App* cmd, const CLI::Error& e) {
    return "rbee: error: " + CLI::FailureMessage::simple(cmd, e);
  });
  app.parse_complete_callback([&] { spdlog::set_level(global.verbose ? spdlog::level::debug : spdlog::level::warn); });
  spdlog::set_pattern("%^[%l]%$ %v");
  spdlog::set_default_logger(spdlog::stderr_color_mt("rbee"));

  add_run_command(app, global);
  add_logits_command(app, global);
  add_inspect_command(app, global);
  add_synth_command(app, global);
  add_plugins_command(app, global);
  add_devices_command(app, global);
  add_bench_command(app, global);
  add_chat_command(app, global);
  add_template_command(app, global);
  add_tokenize_commands(app, global);
  add_serve_command(app, global);

  try {
    app.parse(argc, argv);
    flush_stdout();  // a command's output that could not be written is a failure
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rbee: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
