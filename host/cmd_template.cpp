// rbee template: renders a model's chat template (or a template file) for a conversation and
// prints the prompt exactly, for scripts and for checking a template. No GPU is touched.
#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "chat/template_source.hpp"
#include "commands.hpp"
#include "output.hpp"

namespace rbee::host {
namespace {

using nlohmann::ordered_json;

struct TemplateArgs {
  std::string model;
  std::string template_file;
  std::string messages_file;
  std::string tools_file;
  std::string variant;
  bool no_generation_prompt = false;
  std::vector<std::string> vars;  // NAME=JSON
};

ordered_json read_json_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file + ": cannot open");
  try {
    return ordered_json::parse(std::string(std::istreambuf_iterator<char>(in), {}));
  } catch (const ordered_json::parse_error& e) {
    throw std::runtime_error(file + ": not valid JSON: " + e.what());
  }
}

ordered_json parse_vars(const std::vector<std::string>& vars) {
  ordered_json extra = ordered_json::object();
  for (const auto& var : vars) {
    const size_t eq = var.find('=');
    if (eq == std::string::npos || eq == 0)
      throw std::runtime_error("--var '" + var + "': expected NAME=JSON, e.g. enable_thinking=false");
    const std::string name = var.substr(0, eq);
    try {
      extra[name] = ordered_json::parse(var.substr(eq + 1));
    } catch (const ordered_json::parse_error&) {
      throw std::runtime_error("--var " + name + ": the value '" + var.substr(eq + 1) +
                               "' is not JSON (a string needs quotes: " + name + "='\"text\"')");
    }
  }
  return extra;
}

void render_template(const TemplateArgs& args) {
  if (args.model.empty() && args.template_file.empty())
    throw std::runtime_error("rbee template needs a MODEL, a --template FILE, or both");
  const ordered_json extra = parse_vars(args.vars);
  const ordered_json messages = read_json_file(args.messages_file);
  ordered_json tools = nullptr;
  if (!args.tools_file.empty()) {
    tools = read_json_file(args.tools_file);
    if (!tools.is_array())
      throw std::runtime_error(args.tools_file + ": expected an array of tools, got " + std::string(tools.type_name()));
  }

  std::unique_ptr<ModelSource> source;
  if (!args.model.empty()) source = ModelSource::open(args.model, SourceOptions{.convert_fp8 = false});
  const std::string variant =
      source ? chat::choose_chat_template_variant(*source, args.variant, !tools.is_null()) : args.variant;
  const chat::ChatTemplate chat_template = args.template_file.empty()
                                               ? chat::load_chat_template(*source, variant)
                                               : chat::load_chat_template_file(args.template_file, source.get());
  std::string prompt;
  try {
    prompt = chat_template.render(messages, tools, !args.no_generation_prompt, extra);
  } catch (const std::invalid_argument& e) {  // the messages' shape
    throw std::runtime_error(args.messages_file + ": " + e.what());
  }
  std::fwrite(prompt.data(), 1, prompt.size(), stdout);
  flush_stdout();
}

}  // namespace

void add_template_command(CLI::App& app, const GlobalArgs&) {
  auto args = std::make_shared<TemplateArgs>();
  CLI::App* cmd = app.add_subcommand("template", "render a chat template for a conversation and print the prompt exactly");
  cmd->add_option("model", args->model, "GGUF file or Hugging Face folder whose template and special tokens to use");
  auto* file = cmd->add_option("--template,--chat-template-file", args->template_file,
                               "render this template file instead (with MODEL's special tokens when MODEL is given)");
  cmd->add_option("--messages", args->messages_file, "JSON file: an array of OpenAI-style messages")->required();
  cmd->add_option("--tools", args->tools_file, "JSON file: an array of tool definitions");
  cmd->add_flag("--no-generation-prompt", args->no_generation_prompt,
                "render add_generation_prompt=false (no opening of the assistant's turn)");
  cmd->add_option("--var", args->vars, "one more template variable, NAME=JSON (repeatable), e.g. enable_thinking=false")
      ->allow_extra_args(false);
  cmd->add_option("--variant", args->variant, "the model's template by name, e.g. tool_use (default: the default one)")
      ->excludes(file);
  cmd->callback([args] { render_template(*args); });
}

}  // namespace rbee::host
