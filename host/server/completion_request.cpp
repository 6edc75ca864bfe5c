#include "completion_request.hpp"

#include <cmath>
#include <cstdio>
#include <limits>

#include "api_error.hpp"

namespace rbee::host::server {
namespace {

using ordered_json = nlohmann::ordered_json;

constexpr uint32_t kMaxChoices = 16;
constexpr size_t kMaxStops = 16;

// The field's value when present and not null.
const ordered_json* field(const ordered_json& body, const char* name) {
  const auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

std::string shortest(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

std::optional<double> number(const ordered_json& body, const char* name, double lo, double hi) {
  const ordered_json* v = field(body, name);
  if (!v) return std::nullopt;
  const std::string range = "a number from " + shortest(lo) + " to " + shortest(hi);
  if (!v->is_number()) throw bad_field(name, range + ", got " + v->type_name());
  const double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi) throw bad_field(name, range + ", got " + v->dump());
  return x;
}

std::optional<int64_t> integer(const ordered_json& body, const char* name, int64_t lo, int64_t hi) {
  const ordered_json* v = field(body, name);
  if (!v) return std::nullopt;
  const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
  if (!v->is_number_integer()) throw bad_field(name, range + ", got " + (v->is_number() ? v->dump() : v->type_name()));
  if (v->is_number_unsigned() ? v->get<uint64_t>() > uint64_t(hi) : (v->get<int64_t>() < lo || v->get<int64_t>() > hi))
    throw bad_field(name, range + ", got " + v->dump());
  return v->get<int64_t>();
}

std::optional<bool> boolean(const ordered_json& body, const char* name) {
  const ordered_json* v = field(body, name);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) throw bad_field(name, std::string("true or false, got ") + v->type_name());
  return v->get<bool>();
}

// Text content parts joined by newlines; other parts are refused.
ordered_json text_content(const ordered_json& content, const std::string& where) {
  if (!content.is_array()) return content;
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const ordered_json& part = content[i];
    const std::string at = where + ".content[" + std::to_string(i) + "]";
    const auto type = part.is_object() ? part.find("type") : part.end();
    if (type == part.end() || *type != "text")
      throw bad_field(at, "a text part {\"type\": \"text\", \"text\": ...} (rbee reads text only)");
    const auto t = part.find("text");
    if (t == part.end() || !t->is_string()) throw bad_field(at + ".text", "a string");
    if (i) text += '\n';
    text += t->get<std::string>();
  }
  return text;
}

ordered_json read_messages(const ordered_json& body) {
  const ordered_json* v = field(body, "messages");
  if (!v) throw ApiError(400, "missing_field", "'messages': required (an array of messages)");
  if (!v->is_array() || v->empty()) throw bad_field("messages", "a non-empty array of messages");
  ordered_json messages = *v;
  for (size_t i = 0; i < messages.size(); ++i) {
    ordered_json& m = messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw bad_field(where, std::string("an object, got ") + m.type_name());
    const auto role = m.find("role");
    if (role == m.end() || !role->is_string()) throw bad_field(where + ".role", "a string such as \"user\"");
    if (auto c = m.find("content"); c != m.end()) {
      if (!c->is_string() && !c->is_null() && !c->is_array())
        throw bad_field(where + ".content", std::string("a string, null or a list of text parts, got ") + c->type_name());
      *c = text_content(*c, where);
    }
    // Templates read a call's arguments as an object (transformers' convention); OpenAI sends
    // them as JSON text.
    if (auto calls = m.find("tool_calls"); calls != m.end() && !calls->is_null()) {
      if (!calls->is_array()) throw bad_field(where + ".tool_calls", "an array of tool calls");
      for (size_t j = 0; j < calls->size(); ++j) {
        ordered_json& call = (*calls)[j];
        const std::string at = where + ".tool_calls[" + std::to_string(j) + "]";
        const auto function = call.is_object() ? call.find("function") : call.end();
        if (function == call.end() || !function->is_object() || !function->contains("name"))
          throw bad_field(at, "{\"type\": \"function\", \"function\": {\"name\", \"arguments\"}}");
        if (auto args = function->find("arguments"); args != function->end() && args->is_string()) {
          ordered_json parsed = ordered_json::parse(args->get<std::string>(), nullptr, false);
          if (parsed.is_discarded() || !parsed.is_object())
            throw bad_field(at + ".function.arguments", "JSON text of an object");
          *args = std::move(parsed);
        }
      }
    }
    // An assistant turn that only calls tools has content null, as the API returns it; templates
    // test and slice content as text (Qwen3's fails on null), so it becomes "" as in llama.cpp's
    // server, and a client can append the message it got back unchanged.
    const auto calls = m.find("tool_calls");
    if (*role == "assistant" && calls != m.end() && calls->is_array() && !calls->empty() &&
        (!m.contains("content") || m["content"].is_null()))
      m["content"] = "";
  }
  return messages;
}

ordered_json read_tools(const ordered_json& body) {
  const ordered_json* tools = field(body, "tools");
  if (!tools) return nullptr;
  if (!tools->is_array()) throw bad_field("tools", std::string("an array of tools, got ") + tools->type_name());
  for (size_t i = 0; i < tools->size(); ++i) {
    const ordered_json& t = (*tools)[i];
    const auto function = t.is_object() ? t.find("function") : t.end();
    if (function == t.end() || !function->is_object() || !function->contains("name") || !(*function)["name"].is_string())
      throw bad_field("tools[" + std::to_string(i) + "]", "{\"type\": \"function\", \"function\": {\"name\": ..., \"parameters\": ...}}");
  }
  return tools->empty() ? ordered_json(nullptr) : *tools;
}

// Whether tool calls are read from the output: not with tool_choice "none". Forcing a call
// ("required", a named function) needs constrained decoding, which rbee does not do yet:
// refused rather than ignored.
bool read_tool_choice(const ordered_json& body) {
  const ordered_json* choice = field(body, "tool_choice");
  if (!choice) return true;
  if (choice->is_string() && *choice == "none") return false;
  if (choice->is_string() && *choice == "auto") return true;
  if ((choice->is_string() && *choice == "required") || choice->is_object())
    throw ApiError(400, "unsupported_parameter",
                   "'tool_choice': only \"auto\" and \"none\" are supported (forcing a call needs constrained "
                   "decoding, which rbee serve does not do yet)");
  throw bad_field("tool_choice", "\"none\", \"auto\", \"required\" or a function");
}

// Variables for the chat template beside messages and tools: chat_template_kwargs (vLLM's and
// llama.cpp's), and OpenAI's reasoning_effort as the variable gpt-oss's template and the harmony
// renderer read.
ordered_json read_template_kwargs(const ordered_json& body) {
  ordered_json kwargs = ordered_json::object();
  if (const ordered_json* k = field(body, "chat_template_kwargs")) {
    if (!k->is_object()) throw bad_field("chat_template_kwargs", "an object of template variables");
    kwargs = *k;
  }
  if (const ordered_json* effort = field(body, "reasoning_effort")) {
    if (!effort->is_string() || !(*effort == "low" || *effort == "medium" || *effort == "high"))
      throw bad_field("reasoning_effort", "\"low\", \"medium\" or \"high\"");
    kwargs["reasoning_effort"] = *effort;
  }
  return kwargs;
}

std::string read_prompt(const ordered_json& body) {
  const ordered_json* v = field(body, "prompt");
  if (!v) throw ApiError(400, "missing_field", "'prompt': required (a string)");
  if (v->is_string()) return v->get<std::string>();
  if (v->is_array() && v->size() == 1 && (*v)[0].is_string()) return (*v)[0].get<std::string>();
  throw bad_field("prompt", "a string (or a list of one string)");
}

std::vector<std::string> read_stop(const ordered_json& body) {
  const ordered_json* v = field(body, "stop");
  if (!v) return {};
  std::vector<std::string> stop;
  if (v->is_string()) {
    stop.push_back(v->get<std::string>());
  } else if (v->is_array() && v->size() <= kMaxStops) {
    for (const auto& s : *v) {
      if (!s.is_string()) throw bad_field("stop", "a string or a list of strings");
      stop.push_back(s.get<std::string>());
    }
  } else {
    throw bad_field("stop", "a string or a list of at most " + std::to_string(kMaxStops) + " strings");
  }
  std::erase_if(stop, [](const std::string& s) { return s.empty(); });
  return stop;
}

}  // namespace

CompletionRequest read_completion_request(const ordered_json& body, bool chat, const SamplerParams& defaults) {
  if (!body.is_object()) throw ApiError(400, "invalid_json", "the request body must be a JSON object");
  CompletionRequest r;
  r.chat = chat;
  if (const ordered_json* m = field(body, "model")) {
    if (!m->is_string()) throw bad_field("model", "a string");
    r.model = m->get<std::string>();
  }
  if (chat) {
    r.messages = read_messages(body);
    r.tools = read_tools(body);
    r.tool_calls = read_tool_choice(body);
    r.template_kwargs = read_template_kwargs(body);
  } else {
    r.prompt = read_prompt(body);
  }
  r.sampling = defaults;
  if (auto t = number(body, "temperature", 0, 2)) r.sampling.temperature = float(*t);
  if (auto p = number(body, "top_p", 0, 1)) r.sampling.top_p = float(*p);
  if (auto k = integer(body, "top_k", 0, std::numeric_limits<int32_t>::max())) r.sampling.top_k = int32_t(*k);
  if (auto p = number(body, "min_p", 0, 1)) r.sampling.min_p = float(*p);
  if (auto p = number(body, "presence_penalty", -2, 2)) r.sampling.presence_penalty = float(*p);
  if (auto p = number(body, "frequency_penalty", -2, 2)) r.sampling.frequency_penalty = float(*p);
  if (auto p = number(body, "repeat_penalty", 0, 10)) r.sampling.repeat_penalty = float(*p);
  if (auto s = integer(body, "seed", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max())) {
    // The sampler takes 0 for "random": a request's seed 0 must still repeat.
    r.sampling.seed = *s == 0 ? 0x9e3779b97f4a7c15ull : static_cast<uint64_t>(*s);
    r.seeded = true;
  }
  const auto max_tokens = integer(body, "max_tokens", 0, std::numeric_limits<int32_t>::max());
  const auto max_completion = integer(body, "max_completion_tokens", 0, std::numeric_limits<int32_t>::max());
  if (max_completion) r.max_tokens = uint32_t(*max_completion);
  else if (max_tokens) r.max_tokens = uint32_t(*max_tokens);
  if (auto n = integer(body, "n", 1, kMaxChoices)) r.n = uint32_t(*n);
  r.stop = read_stop(body);
  r.stream = boolean(body, "stream").value_or(false);
  if (const ordered_json* o = field(body, "stream_options")) {
    if (!o->is_object()) throw bad_field("stream_options", "an object such as {\"include_usage\": true}");
    r.include_usage = boolean(*o, "include_usage").value_or(false);
  }
  constexpr int64_t kMaxTopLogprobs = 20;
  if (chat) {
    r.logprobs = boolean(body, "logprobs").value_or(false);
    if (auto n = integer(body, "top_logprobs", 0, kMaxTopLogprobs)) {
      if (*n > 0 && !r.logprobs) throw bad_field("top_logprobs", "to come with \"logprobs\": true");
      r.top_logprobs = uint32_t(*n);
    }
  } else if (auto n = integer(body, "logprobs", 0, kMaxTopLogprobs)) {
    r.logprobs = true;
    r.top_logprobs = uint32_t(*n);
  }
  return r;
}

}  // namespace rbee::host::server
