#pragma once
#include <memory>
#include <string>
#include <unordered_map>

#include "chat/jinja/ast.hpp"
#include "chat/jinja/template.hpp"

namespace rbee::chat::jinja {

// Variables of one scope; lookups walk out to the template's top scope, then the globals.
struct Scope {
  std::unordered_map<std::string, Value> vars;
  Scope* parent = nullptr;
};

// Runs a parsed template over a context. One per render call.
class Evaluator {
 public:
  Evaluator(const std::string& template_name, const RenderOptions& options, Dict context);
  std::string run(const Body& body);

 private:
  enum class Flow { normal, break_loop, continue_loop };

  Flow execute(const Body& body, Scope& scope, std::string& out);
  Flow execute(const Node& node, Scope& scope, std::string& out);
  Flow execute_for(const Node& node, Scope& scope, std::string& out);
  void run_loop(const Node& node, Scope& scope, const Value& iterable, int64_t depth, std::string& out);
  Value loop_object(const Node& node, Scope& scope, int64_t depth, const ValueList& items, int64_t i,
                    const std::shared_ptr<bool>& running, const std::shared_ptr<Value>& last_changed);
  void execute_set(const Node& node, Scope& scope);
  Value define_macro(const Node& node);
  Value call_macro(const Node& node, CallArgs& args);

  Value eval(const Expr& e, Scope& scope);
  Value eval_inner(const Expr& e, Scope& scope);
  Value eval_call(const Expr& e, Scope& scope, Value caller);
  CallArgs eval_arguments(const Expr& e, size_t first, Scope& scope);
  Value lookup(const std::string& name, Scope& scope);
  Value global(const std::string& name);

  void write(std::string& out, const std::string& text);
  [[noreturn]] void fail(int line, const std::string& what) const;

  const std::string& name_;
  const RenderOptions& options_;
  Scope root_;
  std::unordered_map<std::string, Value> globals_;
  int call_depth_ = 0;
};

}  // namespace rbee::chat::jinja
