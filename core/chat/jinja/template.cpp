#include "chat/jinja/template.hpp"

#include "chat/jinja/ast.hpp"
#include "chat/jinja/evaluator.hpp"
#include "chat/jinja/parser.hpp"

namespace rbee::chat::jinja {

Template::Template(std::shared_ptr<const std::vector<std::unique_ptr<Node>>> body, std::string name)
    : body_(std::move(body)), name_(std::move(name)) {}

Template Template::parse(const std::string& source, const std::string& name) {
  return Template(std::make_shared<const Body>(jinja::parse(source, name)), name);
}

std::string Template::render(const nlohmann::ordered_json& context, const RenderOptions& options) const {
  if (!context.is_object()) throw Error(name_ + ": the render context must be a JSON object");
  Value variables = Value::from_json(context);
  Evaluator evaluator(name_, options, std::move(variables.as_dict()));
  return evaluator.run(*body_);
}

}  // namespace rbee::chat::jinja
