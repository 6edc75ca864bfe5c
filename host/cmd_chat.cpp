// rbee chat: a conversation in the terminal, through the model's chat template.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "chat/output/output_parser.hpp"
#include "chat/template_source.hpp"
#include "chat_session.hpp"
#include "commands.hpp"
#include "demo_model.hpp"
#include "option_checks.hpp"
#include "output.hpp"

namespace rbee::host {
namespace {

struct ChatArgs {
  ModelArgs model;
  SamplerParams sampling;
  int n_predict = -1;
  std::string system;
  std::string template_file;
  std::string template_variant;
};

// Set by Ctrl-C: stops the answer being generated (or drops the line being typed).
std::atomic<bool> g_interrupted{false};

void on_sigint(int) { g_interrupted = true; }

// SIGINT without SA_RESTART, so that a read waiting for the next line returns.
void catch_ctrl_c() {
  struct sigaction action {};
  action.sa_handler = on_sigint;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
}

constexpr const char* kHelp =
    "/reset          forget the conversation (the system prompt stays)\n"
    "/system TEXT    set the system prompt (empty TEXT removes it)\n"
    "/save FILE      write the conversation as JSON messages\n"
    "/load FILE      continue a conversation written by /save\n"
    "/exit           leave (so does Ctrl-D); Ctrl-C stops an answer\n";

// Reads one line; false at end of input. Ctrl-C while typing drops the line.
bool read_line(bool interactive, std::string& line) {
  while (true) {
    if (interactive) std::cout << "> " << std::flush;
    g_interrupted = false;
    if (std::getline(std::cin, line)) return true;
    if (!g_interrupted) return false;
    std::cin.clear();
    std::clearerr(stdin);
    std::cout << "\n";
  }
}

nlohmann::ordered_json read_conversation(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  try {
    return nlohmann::ordered_json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": not JSON (" + e.what() + ")");
  }
}

void write_conversation(const std::string& path, const nlohmann::ordered_json& messages, const ChatArgs& args) {
  refuse_overwriting_input(path, "/save", {args.model.path, args.template_file});
  write_file(path, messages.dump(2) + "\n");
}

const char* stop_notice(ChatSession::Stop stop) {
  switch (stop) {
    case ChatSession::Stop::Interrupted: return "[stopped]";
    case ChatSession::Stop::AnswerLimit: return "[answer cut at -n tokens]";
    case ChatSession::Stop::ContextFull: return "[context full: /reset to start over, /save to keep the conversation]";
    case ChatSession::Stop::EndOfTurn: break;
  }
  return nullptr;
}

// Prints an answer as it streams: reasoning dimmed on a terminal, then the content, then any
// tool calls the model made.
class AnswerPrinter : public ChatSession::Listener {
 public:
  AnswerPrinter(const chat::ChatTemplate& chat_template, bool terminal)
      : template_(chat_template), terminal_(terminal) {}

  void prompt(const std::string& rendered) override { parser_.emplace(template_.output_format(rendered)); }
  void text(std::string_view piece) override { print(parser_->push(piece)); }
  void finish() { print(parser_->finish()); }

 private:
  void print(const chat::OutputDelta& delta) {
    if (!delta.reasoning.empty()) std::cout << (terminal_ ? "\x1b[2m" : "") << delta.reasoning << (terminal_ ? "\x1b[0m" : "");
    if (!delta.content.empty()) {
      if (!in_content_ && saw_reasoning_) std::cout << "\n";
      std::cout << delta.content;
      in_content_ = true;
    }
    for (const auto& call : delta.tool_calls) std::cout << "\n[tool call " << call.name << " " << call.arguments << "]";
    saw_reasoning_ = saw_reasoning_ || !delta.reasoning.empty();
    std::cout << std::flush;
  }

  const chat::ChatTemplate& template_;
  bool terminal_;
  std::optional<chat::OutputParser> parser_;
  bool saw_reasoning_ = false, in_content_ = false;
};

void ask(ChatSession& session, const chat::ChatTemplate& chat_template, const std::string& text) {
  try {
    AnswerPrinter printer(chat_template, isatty(STDOUT_FILENO));
    ChatSession::Turn turn = session.reply(text, printer, g_interrupted);
    printer.finish();
    std::cout << "\n" << std::flush;
    spdlog::info("turn: {} prompt tokens ({} reused from the cache, {} evaluated in {:.3f} s); {} generated in {:.3f} s",
                 turn.prompt_tokens, turn.reused_tokens, turn.prompt_tokens - turn.reused_tokens, turn.prompt_seconds,
                 turn.generated_tokens, turn.generation_seconds);
    if (const char* notice = stop_notice(turn.stop)) std::cout << notice << "\n";
  } catch (const ContextFullError& e) {
    std::cout << "[context full: " << e.what() << "; /reset to start over]\n";
  } catch (const std::exception& e) {  // the template refused the conversation, say
    std::cout << "\n[error: " << e.what() << "]\n";
  }
}

// A line starting with '/': true when the conversation goes on.
bool run_command(ChatSession& session, const std::string& line, const ChatArgs& args) {
  std::string name = line.substr(0, line.find(' '));
  std::string arg = name.size() < line.size() ? line.substr(name.size() + 1) : "";
  if (name == "/exit" || name == "/quit") return false;
  try {
    if (name == "/reset") {
      session.reset();
      std::cout << "[conversation forgotten]\n";
    } else if (name == "/system") {
      session.set_system(arg);
      std::cout << (arg.empty() ? "[system prompt removed]\n" : "[system prompt set]\n");
    } else if (name == "/save" && !arg.empty()) {
      write_conversation(arg, session.messages(), args);
      std::cout << "[saved " << session.messages().size() << " messages to " << arg << "]\n";
    } else if (name == "/load" && !arg.empty()) {
      session.set_messages(read_conversation(arg));
      std::cout << "[loaded " << session.messages().size() << " messages from " << arg << "]\n";
    } else {
      std::cout << kHelp;
    }
  } catch (const std::exception& e) {
    std::cout << "[" << name << ": " << e.what() << "]\n";
  }
  return true;
}

void chat(const GlobalArgs& global, const ChatArgs& args) {
  Runtime runtime(runtime_options(global));
  auto model = load_model(runtime, args.model);
  chat::ChatTemplate chat_template =
      args.template_file.empty() ? chat::load_chat_template(model->source(), args.template_variant)
                                 : chat::load_chat_template_file(args.template_file, &model->source());
  ChatSession session(*model, chat_template, args.sampling, args.n_predict);
  session.set_system(args.system);

  bool interactive = isatty(STDIN_FILENO);
  if (interactive)
    std::cout << "[chatting with " << model->source().path().filename().string() << " (template: " << chat_template.origin()
              << ", context " << model->context() << " tokens); /help for commands]\n";
  catch_ctrl_c();
  for (std::string line; read_line(interactive, line);) {
    if (line.empty()) continue;
    if (line[0] == '/') {
      if (!run_command(session, line, args)) break;
      continue;
    }
    ask(session, chat_template, line);
    flush_stdout();  // an answer that cannot be shown ends the chat
  }
}

}  // namespace

void add_chat_command(CLI::App& app, const GlobalArgs& global) {
  auto args = std::make_shared<ChatArgs>();
  CLI::App* cmd = app.add_subcommand("chat", "talk with a model through its chat template");
  add_model_args(*cmd, args->model, ModelArg::DemoByDefault);
  add_sampling_args(*cmd, args->sampling);
  cmd->add_option("-n,--n-predict", args->n_predict, "most tokens per answer (-1: until the model ends its turn)")
      ->check(integer_in(-1, kNoLimit));
  cmd->add_option("--system", args->system, "system prompt");
  cmd->add_option("--chat-template-file", args->template_file, "use this Jinja chat template instead of the model's");
  cmd->add_option("--chat-template", args->template_variant, "a named template of the model's (e.g. tool_use)");
  cmd->callback([&global, args] {
    use_demo_model_if_none(args->model);
    chat(global, *args);
  });
}

}  // namespace rbee::host
