// rbee tokenize / detokenize: text to token ids and back with a model's tokenizer alone (nothing
// is loaded onto a device), for scripts and for checking rbee against other tokenizers.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "output.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee::host {
namespace {

using nlohmann::json;

// Where the tokenizer comes from and where the input is read when not given inline.
struct SourceArgs {
  std::string model;      // GGUF file or Hugging Face folder
  std::string tokenizer;  // tokenizer.json, tokenizer.model, GGUF or folder
  std::string file;       // input file; stdin when empty
  bool jsonl = false;
};

struct TokenizeArgs : SourceArgs {
  std::string prompt;
  bool add_special = false;
  bool no_parse_special = false;
  bool pieces = false;
};

struct DetokenizeArgs : SourceArgs {
  std::string ids;
  bool skip_special = false;
};

void add_source_args(CLI::App& cmd, SourceArgs& args, const std::string& jsonl_help) {
  cmd.add_option("model", args.model, "GGUF file or Hugging Face folder whose tokenizer to use");
  cmd.add_option("--tokenizer", args.tokenizer,
                 "a tokenizer.json, tokenizer.model, GGUF, or a folder holding them (instead of MODEL)");
  cmd.add_option("-f,--file", args.file, "read the input from this file (default: stdin)");
  cmd.add_flag("--jsonl", args.jsonl, jsonl_help);
}

std::unique_ptr<Tokenizer> open_tokenizer(const SourceArgs& args) {
  if (args.model.empty() == args.tokenizer.empty())
    throw CLI::ValidationError("give either MODEL or --tokenizer PATH (exactly one)");
  return Tokenizer::from_path(args.model.empty() ? args.tokenizer : args.model);
}

std::string input_name(const SourceArgs& args) { return args.file.empty() ? "stdin" : args.file; }

// The input's bytes, exactly (a trailing newline included).
std::string read_input(const SourceArgs& args) {
  if (args.file.empty()) return {std::istreambuf_iterator<char>(std::cin), {}};
  std::ifstream in(args.file, std::ios::binary);
  if (!in) throw std::runtime_error(args.file + ": cannot open");
  return {std::istreambuf_iterator<char>(in), {}};
}

// Each non-empty line of a JSON Lines input, parsed.
template <typename Handle>
void for_each_jsonl(const SourceArgs& args, Handle handle) {
  std::istringstream lines(read_input(args));
  std::string line;
  for (size_t number = 1; std::getline(lines, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = input_name(args) + " line " + std::to_string(number);
    json value;
    try {
      value = json::parse(line);
    } catch (const json::exception& e) {
      throw std::runtime_error(where + ": not JSON (" + e.what() + ")");
    }
    handle(value, where);
  }
}

void write(const std::string& bytes) {
  std::fwrite(bytes.data(), 1, bytes.size(), stdout);
  flush_stdout();
}

// Invalid UTF-8 (a token that is part of a character) comes out as U+FFFD.
std::string to_json(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string ids_line(const std::vector<int32_t>& ids) {
  std::string line;
  for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
  return line + "\n";
}

// One `id<TAB>"token"` line per token: the vocabulary's own string, JSON-escaped.
std::string pieces_lines(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::string lines;
  for (int32_t id : ids) lines += std::to_string(id) + "\t" + to_json(tok.vocab().tokens[id]) + "\n";
  return lines;
}

void tokenize(const TokenizeArgs& args, bool prompt_given) {
  const auto tok = open_tokenizer(args);
  const bool parse_special = !args.no_parse_special;
  if (args.jsonl) {
    for_each_jsonl(args, [&](const json& text, const std::string& where) {
      if (!text.is_string()) throw std::runtime_error(where + ": expected a JSON string (the text to tokenize)");
      write(to_json(tok->encode(text.get<std::string>(), args.add_special, parse_special)) + "\n");
    });
    return;
  }
  const std::vector<int32_t> ids = tok->encode(prompt_given ? args.prompt : read_input(args), args.add_special, parse_special);
  write(args.pieces ? pieces_lines(*tok, ids) : ids_line(ids));
}

void detokenize(const DetokenizeArgs& args, bool ids_given) {
  const auto tok = open_tokenizer(args);
  if (args.jsonl) {
    for_each_jsonl(args, [&](const json& ids, const std::string& where) {
      if (!ids.is_array()) throw std::runtime_error(where + ": expected a JSON array of token ids");
      std::vector<int32_t> list;
      for (const json& id : ids) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
          throw std::runtime_error(where + ": " + id.dump() + " is not a token id");
        list.push_back(id.get<int32_t>());
      }
      try {
        write(to_json(tok->decode(list, args.skip_special)) + "\n");
      } catch (const std::out_of_range& e) {
        throw std::runtime_error(where + ": " + e.what());
      }
    });
    return;
  }
  write(tok->decode(parse_ids(ids_given ? args.ids : read_input(args)), args.skip_special));
}

}  // namespace

void add_tokenize_commands(CLI::App& app, const GlobalArgs&) {
  auto targs = std::make_shared<TokenizeArgs>();
  CLI::App* tcmd = app.add_subcommand("tokenize", "print the token ids of a text (only the tokenizer is read)");
  add_source_args(*tcmd, *targs, "input: one JSON string per line; output: one JSON array of ids per line");
  CLI::Option* prompt = tcmd->add_option("-p,--prompt", targs->prompt, "the text (default: read from --file or stdin)");
  prompt->excludes("--file")->excludes("--jsonl");
  tcmd->add_flag("--add-special", targs->add_special, "add BOS/EOS as the tokenizer's configuration asks");
  tcmd->add_flag("--no-parse-special", targs->no_parse_special,
                 "special tokens written in the text are text (added non-special tokens still match)");
  tcmd->add_flag("--pieces", targs->pieces, "print one `id<TAB>\"token\"` line per token (JSON-escaped)")
      ->excludes("--jsonl");
  tcmd->callback([targs, prompt] { tokenize(*targs, prompt->count() > 0); });

  auto dargs = std::make_shared<DetokenizeArgs>();
  CLI::App* dcmd = app.add_subcommand("detokenize", "print the text of token ids exactly (no newline added)");
  add_source_args(*dcmd, *dargs, "input: one JSON array of ids per line; output: one JSON string per line");
  CLI::Option* ids = dcmd->add_option("--ids", dargs->ids, "ids separated by spaces or commas (default: read from --file or stdin)");
  ids->excludes("--file")->excludes("--jsonl");
  dcmd->add_flag("--skip-special", dargs->skip_special, "leave out control tokens (BOS, EOS, <|im_start|>, ...)");
  dcmd->callback([dargs, ids] { detokenize(*dargs, ids->count() > 0); });
}

}  // namespace rbee::host
