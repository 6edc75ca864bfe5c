#pragma once
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "chat/jinja/error.hpp"

namespace rbee::chat::jinja {

struct Node;

struct RenderOptions {
  size_t max_output_bytes = size_t(32) << 20;  // the rendered text, and each macro's, may not grow past this
  int max_call_depth = 200;                    // nested macro calls (jinja2 would hit Python's recursion limit)
  std::optional<std::tm> now;                  // strftime_now's clock; the local time when absent
};

// A chat template as transformers renders it: jinja2's ImmutableSandboxedEnvironment with
// trim_blocks, lstrip_blocks and loop controls, transformers' tojson filter, its {% generation %}
// block (AssistantTracker, rendered as its body) and the globals raise_exception(message) and
// strftime_now(format). Errors are jinja::Error naming the line.
class Template {
 public:
  static Template parse(const std::string& source, const std::string& name = "template");
  // `context` holds the variables: messages, tools, add_generation_prompt, bos_token, ...
  std::string render(const nlohmann::ordered_json& context, const RenderOptions& options = {}) const;

 private:
  Template(std::shared_ptr<const std::vector<std::unique_ptr<Node>>> body, std::string name);
  std::shared_ptr<const std::vector<std::unique_ptr<Node>>> body_;
  std::string name_;
};

}  // namespace rbee::chat::jinja
