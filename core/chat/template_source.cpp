#include "chat/template_source.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "formats/gguf.hpp"
#include "util/format_error.hpp"

namespace rbee::chat {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// Far above any real template or tokenizer_config.json; stops a model file passed by mistake.
constexpr uintmax_t kMaxTextFileBytes = uintmax_t(64) << 20;

struct NamedTemplate {
  std::string name;  // "default" for the default one
  std::string source;
  std::string origin;
};

std::string read_text_file(const fs::path& file) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) throw FormatError(file.string() + ": cannot read: " + ec.message());
  if (size > kMaxTextFileBytes)
    throw FormatError(file.string() + ": " + std::to_string(size >> 20) + " MiB is too large for a text file (limit " +
                      std::to_string(kMaxTextFileBytes >> 20) + " MiB)");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FormatError(file.string() + ": cannot open: " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

ordered_json read_json_object(const fs::path& file) {
  ordered_json value;
  try {
    value = ordered_json::parse(read_text_file(file));
  } catch (const ordered_json::parse_error& e) {
    throw FormatError(file.string() + ": not valid JSON: " + e.what());
  }
  if (!value.is_object()) throw FormatError(file.string() + ": expected a JSON object, got " + value.type_name());
  return value;
}

// ---- Hugging Face folders ----

// The tokenizer's special_tokens_map, as transformers builds it (SPECIAL_TOKENS_ATTRIBUTES order).
constexpr std::array<const char*, 8> kHfSpecialTokens = {"bos_token", "eos_token", "unk_token", "sep_token",
                                                         "pad_token", "cls_token", "mask_token",
                                                         "additional_special_tokens"};

// A token as tokenizer_config.json writes it: a string or an AddedToken object {"content": ...}.
std::string token_text(const ordered_json& token, const fs::path& file, const std::string& field) {
  if (token.is_string()) return token.get<std::string>();
  if (token.is_object()) {
    const auto content = token.find("content");
    if (content != token.end() && content->is_string()) return content->get<std::string>();
  }
  throw FormatError(file.string() + ": " + field + ": expected a string or an AddedToken object with a string \"content\", got " +
                    token.dump());
}

// Sets or unsets (null) the special tokens `file` names; transformers leaves out empty ones.
void apply_special_tokens(const ordered_json& config, const fs::path& file, ordered_json& tokens) {
  for (const char* name : kHfSpecialTokens) {
    const auto it = config.find(name);
    if (it == config.end()) continue;
    ordered_json value;  // null (unset) stays null
    if (std::string_view(name) != "additional_special_tokens") {
      if (!it->is_null()) value = token_text(*it, file, name);
    } else if (it->is_array()) {
      value = ordered_json::array();
      for (size_t i = 0; i < it->size(); ++i)
        value.push_back(token_text((*it)[i], file, std::string(name) + "[" + std::to_string(i) + "]"));
    } else if (!it->is_null()) {
      throw FormatError(file.string() + ": additional_special_tokens: expected a list of tokens, got " + it->dump());
    }
    if (value.empty() || value == "") tokens.erase(name);
    else tokens[name] = std::move(value);
  }
}

ordered_json hf_special_tokens(const fs::path& folder) {
  ordered_json tokens = ordered_json::object();
  // special_tokens_map.json is applied after tokenizer_config.json, as transformers does.
  for (const char* name : {"tokenizer_config.json", "special_tokens_map.json"}) {
    const fs::path file = folder / name;
    if (fs::exists(file)) apply_special_tokens(read_json_object(file), file, tokens);
  }
  // Keep transformers' order whatever order the files used.
  ordered_json ordered = ordered_json::object();
  for (const char* name : kHfSpecialTokens)
    if (tokens.contains(name)) ordered[name] = tokens[name];
  return ordered;
}

std::vector<NamedTemplate> tokenizer_config_templates(const fs::path& file) {
  const ordered_json config = read_json_object(file);
  const auto it = config.find("chat_template");
  if (it == config.end() || it->is_null()) return {};
  const std::string origin = file.string() + " (chat_template";
  if (it->is_string()) return {{"default", it->get<std::string>(), origin + ")"}};
  if (!it->is_array())
    throw FormatError(file.string() + ": chat_template: expected a string or a list of {\"name\", \"template\"}, got " +
                      it->type_name());
  std::vector<NamedTemplate> templates;
  for (size_t i = 0; i < it->size(); ++i) {
    const ordered_json& entry = (*it)[i];
    const bool ok = entry.is_object() && entry.contains("name") && entry["name"].is_string() &&
                    entry.contains("template") && entry["template"].is_string();
    if (!ok)
      throw FormatError(file.string() + ": chat_template[" + std::to_string(i) +
                        "]: expected {\"name\": string, \"template\": string}, got " + entry.dump());
    const std::string name = entry["name"].get<std::string>();
    templates.push_back({name, entry["template"].get<std::string>(), origin + " '" + name + "')"});
  }
  return templates;
}

std::vector<NamedTemplate> hf_templates(const fs::path& folder) {
  // Template files win over tokenizer_config.json: transformers replaces the config's entry with them.
  std::vector<NamedTemplate> templates;
  const fs::path main_file = folder / "chat_template.jinja";
  if (fs::exists(main_file)) templates.push_back({"default", read_text_file(main_file), main_file.string()});
  const fs::path extra_dir = folder / "additional_chat_templates";
  if (fs::is_directory(extra_dir)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(extra_dir))
      if (entry.path().extension() == ".jinja") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) templates.push_back({file.stem().string(), read_text_file(file), file.string()});
  }
  if (!templates.empty()) return templates;
  const fs::path config = folder / "tokenizer_config.json";
  return fs::exists(config) ? tokenizer_config_templates(config) : std::vector<NamedTemplate>{};
}

// ---- GGUF ----

constexpr const char* kGgufTemplateKey = "tokenizer.chat_template";

std::vector<NamedTemplate> gguf_templates(const GgufSource& gguf) {
  const std::string prefix = std::string(kGgufTemplateKey) + ".";
  std::vector<NamedTemplate> templates;
  for (const auto& [key, value] : gguf.metadata().items()) {
    std::string name;
    if (key == kGgufTemplateKey) name = "default";
    else if (key.rfind(prefix, 0) == 0) name = key.substr(prefix.size());
    else continue;
    if (!value.is_string())
      throw FormatError(gguf.path().string() + ": " + key + ": expected a string, got " + value.type_name());
    templates.push_back({name, value.get<std::string>(), gguf.path().string() + " (" + key + ")"});
  }
  return templates;
}

// GGUF key -> transformers' name, in transformers' order.
constexpr std::array<std::pair<const char*, const char*>, 7> kGgufSpecialTokens = {{
    {"tokenizer.ggml.bos_token_id", "bos_token"},
    {"tokenizer.ggml.eos_token_id", "eos_token"},
    {"tokenizer.ggml.unknown_token_id", "unk_token"},
    {"tokenizer.ggml.seperator_token_id", "sep_token"},  // sic: the GGUF spelling
    {"tokenizer.ggml.padding_token_id", "pad_token"},
    {"tokenizer.ggml.cls_token_id", "cls_token"},
    {"tokenizer.ggml.mask_token_id", "mask_token"},
}};

ordered_json gguf_special_tokens(const ModelSource& source) {
  const std::string file = source.path().string();
  ordered_json tokens = ordered_json::object();
  for (const auto& [key, name] : kGgufSpecialTokens) {
    const nlohmann::json* id = source.meta(key);
    if (id == nullptr) continue;
    if (!id->is_number_integer())
      throw FormatError(file + ": " + key + ": expected a token id (an integer), got " + id->dump());
    const nlohmann::json* vocab = source.meta("tokenizer.ggml.tokens");
    if (vocab == nullptr || !vocab->is_array())
      throw FormatError(file + ": " + key + " is set but tokenizer.ggml.tokens, the array of token texts, is " +
                        (vocab == nullptr ? "missing" : std::string("a ") + vocab->type_name()));
    const bool in_range = (id->is_number_unsigned() || id->get<int64_t>() >= 0) && id->get<uint64_t>() < vocab->size();
    if (!in_range)
      throw FormatError(file + ": " + key + " is " + id->dump() + ", outside tokenizer.ggml.tokens (" +
                        std::to_string(vocab->size()) + " tokens)");
    const nlohmann::json& text = (*vocab)[id->get<uint64_t>()];
    if (!text.is_string())
      throw FormatError(file + ": tokenizer.ggml.tokens[" + id->dump() + "]: expected a string, got " + text.type_name());
    tokens[name] = text.get<std::string>();
  }
  return tokens;
}

// ---- either ----

std::vector<NamedTemplate> templates_of(const ModelSource& source) {
  if (source.format() == ModelSource::Format::Safetensors) return hf_templates(source.path());
  // Named variants are found by scanning the keys, which only the GGUF reader lists.
  if (const auto* gguf = dynamic_cast<const GgufSource*>(&source)) return gguf_templates(*gguf);
  throw std::logic_error("a GGUF ModelSource that is not a GgufSource");
}

ordered_json special_tokens_of(const ModelSource& source) {
  return source.format() == ModelSource::Format::Safetensors ? hf_special_tokens(source.path())
                                                             : gguf_special_tokens(source);
}

std::string where_templates_live(const ModelSource& source) {
  if (source.format() == ModelSource::Format::Gguf)
    return source.path().string() + " has no " + kGgufTemplateKey + " metadata";
  return source.path().string() +
         " has no chat_template.jinja, additional_chat_templates/*.jinja, or chat_template in tokenizer_config.json";
}

std::string joined_names(const std::vector<NamedTemplate>& templates) {
  std::string names;
  for (const auto& t : templates) names += (names.empty() ? "" : ", ") + t.name;
  return names;
}

bool is_gpt_oss(const ModelSource& source) {
  const char* key = source.format() == ModelSource::Format::Gguf ? "general.architecture" : "model_type";
  const char* name = source.format() == ModelSource::Format::Gguf ? "gpt-oss" : "gpt_oss";
  const nlohmann::json* value = source.meta(key);
  return value != nullptr && value->is_string() && *value == name;
}

}  // namespace

std::vector<std::string> chat_template_variants(const ModelSource& source) {
  std::vector<std::string> names;
  for (const auto& t : templates_of(source)) names.push_back(t.name);
  if (is_gpt_oss(source) && std::find(names.begin(), names.end(), "default") == names.end())
    names.insert(names.begin(), "default");
  return names;
}

ChatTemplate load_chat_template(const ModelSource& source, const std::string& variant) {
  if (is_gpt_oss(source) && (variant.empty() || variant == "default"))
    return ChatTemplate::harmony("harmony (rbee's built-in renderer for gpt-oss)");
  const auto templates = templates_of(source);
  if (templates.empty())
    throw std::runtime_error(where_templates_live(source) + "; give a template with --chat-template-file FILE");
  const std::string name = variant.empty() ? "default" : variant;
  const auto it = std::find_if(templates.begin(), templates.end(), [&](const auto& t) { return t.name == name; });
  if (it == templates.end()) {
    if (variant.empty())
      throw std::runtime_error(source.path().string() + " has chat templates named " + joined_names(templates) +
                               " but no default one; choose one by name (--variant)");
    throw std::runtime_error(source.path().string() + " has no chat template named '" + variant +
                             "'; it has: " + joined_names(templates));
  }
  return ChatTemplate(it->source, it->origin, special_tokens_of(source));
}

ChatTemplate load_chat_template_file(const std::filesystem::path& file, const ModelSource* source) {
  return ChatTemplate(read_text_file(file), file.string(),
                      source != nullptr ? special_tokens_of(*source) : ordered_json::object());
}

std::string choose_chat_template_variant(const ModelSource& source, const std::string& requested, bool with_tools) {
  if (!requested.empty() || !with_tools) return requested;
  const auto names = chat_template_variants(source);
  return std::find(names.begin(), names.end(), "tool_use") != names.end() ? "tool_use" : "";
}

}  // namespace rbee::chat
