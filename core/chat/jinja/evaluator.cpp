#include "chat/jinja/evaluator.hpp"

#include <algorithm>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/filters.hpp"
#include "chat/jinja/globals.hpp"
#include "chat/jinja/operators.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/tests.hpp"

namespace rbee::chat::jinja {

namespace {

// True while a scope lives: a closure that can outlive it (a loop variable, a caller) checks it
// rather than reach the finished scope.
struct LiveFlag {
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
  ~LiveFlag() { *alive = false; }
};

}  // namespace

Evaluator::Evaluator(const std::string& template_name, const RenderOptions& options, Dict context)
    : name_(template_name), options_(options), globals_(make_globals(options)) {
  for (auto& [k, v] : context.items) root_.vars[k.as_string()] = std::move(v);  // JSON keys are strings
}

std::string Evaluator::run(const Body& body) {
  std::string out;
  execute(body, root_, out);
  return out;
}

void Evaluator::fail(int line, const std::string& what) const {
  throw Error(name_ + ":" + std::to_string(line) + ": " + what);
}

void Evaluator::write(std::string& out, const std::string& text) {
  if (out.size() + text.size() > options_.max_output_bytes)
    throw EvalError("output exceeds the limit of " + std::to_string(options_.max_output_bytes) + " bytes");
  out += text;
}

Evaluator::Flow Evaluator::execute(const Body& body, Scope& scope, std::string& out) {
  for (const auto& node : body) {
    Flow flow = execute(*node, scope, out);
    if (flow != Flow::normal) return flow;
  }
  return Flow::normal;
}

Evaluator::Flow Evaluator::execute(const Node& node, Scope& scope, std::string& out) {
  try {
    switch (node.kind) {
      case Node::Kind::text: write(out, node.text); break;
      case Node::Kind::print: write(out, python::str(eval(*node.exprs[0], scope))); break;
      case Node::Kind::if_:
        for (size_t i = 0; i < node.exprs.size(); ++i)
          if (eval(*node.exprs[i], scope).truthy()) return execute(node.bodies[i], scope, out);
        if (node.bodies.size() > node.exprs.size()) return execute(node.bodies.back(), scope, out);
        break;
      case Node::Kind::for_: return execute_for(node, scope, out);
      case Node::Kind::set: case Node::Kind::set_block: execute_set(node, scope); break;
      case Node::Kind::macro: scope.vars[node.text] = define_macro(node); break;
      case Node::Kind::call_block: {
        Scope* call_site = &scope;
        const Node* block = &node;
        LiveFlag running;  // caller may be stored in a namespace and outlive the call
        Value caller(Function([this, call_site, block, alive = running.alive](CallArgs& args) {
          if (!*alive) throw EvalError("caller was called after its {% call %} block ended");
          Scope inner{{}, call_site};
          for (size_t i = 0; i < block->names.size(); ++i) {
            Value v = args.get(i, block->names[i]);
            if (v.is_undefined() && block->exprs[i + 1]) v = eval(*block->exprs[i + 1], inner);
            inner.vars[block->names[i]] = v;
          }
          std::string text;
          execute(block->bodies[0], inner, text);
          return Value(text);
        }), "caller");
        write(out, python::str(eval_call(*node.exprs[0], scope, caller)));
        break;
      }
      case Node::Kind::filter_block: {
        std::string text;
        Scope inner{{}, &scope};
        execute(node.bodies[0], inner, text);
        // The filter chain was parsed with no input: apply it from the innermost filter out.
        std::vector<const Expr*> chain;
        for (const Expr* f = node.exprs[0].get(); f; f = f->items[0].get()) chain.push_back(f);
        Value v(text);
        for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
          CallArgs args = eval_arguments(**it, 1, scope);
          v = apply_filter((*it)->name, v, args);
        }
        write(out, python::str(v));
        break;
      }
      case Node::Kind::scoped_block: {
        Scope inner{{}, &scope};
        execute(node.bodies[0], inner, out);
        break;
      }
      case Node::Kind::load:
        eval(*node.exprs[0], scope);  // jinja2 evaluates the template name before asking the loader
        throw EvalError("no loader for this environment specified ({% " + node.text + " %} needs one)");
      case Node::Kind::break_: return Flow::break_loop;
      case Node::Kind::continue_: return Flow::continue_loop;
    }
  } catch (const EvalError& e) {
    fail(node.line, e.what());
  }
  return Flow::normal;
}

Evaluator::Flow Evaluator::execute_for(const Node& node, Scope& scope, std::string& out) {
  run_loop(node, scope, eval(*node.exprs[0], scope), 0, out);
  return Flow::normal;
}

// One run of a for loop over `iterable`; a recursive loop's loop(items) runs it again one level deeper.
void Evaluator::run_loop(const Node& node, Scope& scope, const Value& iterable, int64_t depth, std::string& out) {
  if (iterable.is_none()) throw EvalError("'NoneType' object is not iterable");
  ValueList all = iterable.is_generator() ? iterable.as_list() : iterable.iterate();
  auto bind = [&](Scope& s, const Value& item) {
    if (node.names.size() == 1) {
      s.vars[node.names[0]] = item;
      return;
    }
    ValueList parts = item.iterate();
    if (parts.size() != node.names.size())
      throw EvalError("cannot unpack " + std::to_string(parts.size()) + " values into " + std::to_string(node.names.size()));
    for (size_t i = 0; i < parts.size(); ++i) s.vars[node.names[i]] = parts[i];
  };
  ValueList items;
  if (node.exprs[1]) {  // `for x in y if cond`: the loop (and loop.length) sees only what passes
    for (const auto& item : all) {
      Scope s{{}, &scope};
      bind(s, item);
      if (eval(*node.exprs[1], s).truthy()) items.push_back(item);
    }
  } else {
    items = std::move(all);
  }
  if (items.empty()) {
    if (node.bodies.size() > 1) {
      Scope s{{}, &scope};
      execute(node.bodies[1], s, out);
    }
    return;
  }
  LiveFlag running;  // the loop variable may be stored in a namespace and outlive the loop
  auto last_changed = std::make_shared<Value>();  // loop.changed's memory, shared by the iterations
  for (int64_t i = 0; i < int64_t(items.size()); ++i) {
    Scope s{{}, &scope};  // each iteration starts from the outer variables, as in jinja2
    bind(s, items[size_t(i)]);
    s.vars["loop"] = loop_object(node, scope, depth, items, i, running.alive, last_changed);
    if (execute(node.bodies[0], s, out) == Flow::break_loop) break;
  }
}

Value Evaluator::loop_object(const Node& node, Scope& scope, int64_t depth, const ValueList& items, int64_t i,
                             const std::shared_ptr<bool>& running, const std::shared_ptr<Value>& last_changed) {
  const int64_t n = int64_t(items.size());
  Dict loop;
  loop.set("index", Value(i + 1));
  loop.set("index0", Value(i));
  loop.set("revindex", Value(n - i));
  loop.set("revindex0", Value(n - i - 1));
  loop.set("first", Value(i == 0));
  loop.set("last", Value(i == n - 1));
  loop.set("length", Value(n));
  loop.set("depth", Value(depth + 1));
  loop.set("depth0", Value(depth));
  loop.set("previtem", i > 0 ? items[size_t(i - 1)] : Value::undefined("there is no previous item"));
  loop.set("nextitem", i + 1 < n ? items[size_t(i + 1)] : Value::undefined("there is no next item"));
  loop.set("cycle", Value(Function([i](CallArgs& a) -> Value {
    if (a.positional.empty()) throw EvalError("no items for cycling given");
    return a.positional[size_t(i) % a.positional.size()];
  }), "cycle"));
  loop.set("changed", Value(Function([last_changed](CallArgs& a) {
    Value now = Value(a.positional);
    if (!last_changed->is_undefined() && last_changed->equals(now)) return Value(false);
    *last_changed = now;
    return Value(true);
  }), "changed"));
  Scope* outer = &scope;
  const Node* loop_node = &node;
  return Value::callable_namespace(std::move(loop), [this, outer, loop_node, depth, running](CallArgs& a) {
    if (!loop_node->recursive) throw EvalError("The loop must have the 'recursive' marker to be called recursively.");
    if (!*running) throw EvalError("the loop was called after it ended");
    if (call_depth_ >= options_.max_call_depth)
      throw EvalError("maximum recursion depth exceeded in a recursive loop (" + std::to_string(options_.max_call_depth) +
                      " levels)");
    struct DepthGuard {
      int& d;
      ~DepthGuard() { --d; }
    } guard{++call_depth_};
    std::string text;
    run_loop(*loop_node, *outer, a.get(0, "iterable"), depth + 1, text);
    return Value(text);
  });
}

void Evaluator::execute_set(const Node& node, Scope& scope) {
  Value v;
  if (node.kind == Node::Kind::set_block) {
    std::string text;
    Scope inner{{}, &scope};
    execute(node.bodies[0], inner, text);
    v = Value(text);
    if (node.exprs[0]) {
      std::vector<const Expr*> chain;
      for (const Expr* f = node.exprs[0].get(); f; f = f->items[0].get()) chain.push_back(f);
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        CallArgs args = eval_arguments(**it, 1, scope);
        v = apply_filter((*it)->name, v, args);
      }
    }
  } else {
    v = eval(*node.exprs[0], scope);
  }
  if (!node.text.empty()) {  // {% set ns.attr = value %}
    Value ns = lookup(node.names[0], scope);
    if (!ns.is_namespace()) throw EvalError("cannot assign attribute on non-namespace object");
    ns.as_dict().set(node.text, v);
    return;
  }
  if (node.names.size() == 1) {
    scope.vars[node.names[0]] = v;
    return;
  }
  ValueList parts = v.iterate();
  if (parts.size() != node.names.size())
    throw EvalError("cannot unpack " + std::to_string(parts.size()) + " values into " + std::to_string(node.names.size()));
  for (size_t i = 0; i < parts.size(); ++i) scope.vars[node.names[i]] = parts[i];
}

Value Evaluator::define_macro(const Node& node) {
  const Node* macro = &node;
  return Value(Function([this, macro](CallArgs& args) { return call_macro(*macro, args); }), node.text);
}

Value Evaluator::call_macro(const Node& node, CallArgs& args) {
  if (call_depth_ >= options_.max_call_depth)
    throw EvalError("maximum recursion depth exceeded in macro '" + node.text + "' (" +
                    std::to_string(options_.max_call_depth) + " nested calls)");
  struct DepthGuard {
    int& d;
    ~DepthGuard() { --d; }
  } guard{++call_depth_};
  Scope s{{}, &root_};  // a macro sees the template's top-level variables and its parameters
  for (size_t i = 0; i < node.names.size(); ++i) {
    const std::string& param = node.names[i];
    if (args.has(i, param)) s.vars[param] = args.get(i, param);
    else if (node.exprs[i]) s.vars[param] = eval(*node.exprs[i], s);
    else s.vars[param] = Value::undefined("parameter '" + param + "' was not provided");
  }
  ValueList varargs;
  for (size_t i = node.names.size(); i < args.positional.size(); ++i) varargs.push_back(args.positional[i]);
  Dict kwargs;
  for (const auto& [k, v] : args.keyword)
    if (std::find(node.names.begin(), node.names.end(), k) == node.names.end()) kwargs.set(k, v);
  s.vars["varargs"] = Value::tuple(varargs);
  s.vars["kwargs"] = Value(kwargs);
  if (!args.caller.is_undefined()) s.vars["caller"] = args.caller;
  std::string text;
  execute(node.bodies[0], s, text);
  return Value(text);
}

Value Evaluator::global(const std::string& name) {
  auto it = globals_.find(name);
  return it == globals_.end() ? Value::undefined("'" + name + "' is undefined") : it->second;
}

Value Evaluator::lookup(const std::string& name, Scope& scope) {
  for (Scope* s = &scope; s; s = s->parent) {
    auto it = s->vars.find(name);
    if (it != s->vars.end()) return it->second;
  }
  return global(name);
}

CallArgs Evaluator::eval_arguments(const Expr& e, size_t first, Scope& scope) {
  CallArgs args;
  for (size_t i = first; i < e.items.size(); ++i) args.positional.push_back(eval(*e.items[i], scope));
  for (const auto& [k, v] : e.keywords) args.keyword.emplace_back(k, eval(*v, scope));
  return args;
}

Value Evaluator::eval_call(const Expr& e, Scope& scope, Value caller) {
  Value callee = eval(*e.items[0], scope);
  if (callee.is_undefined()) throw EvalError(callee.hint().empty() ? "undefined value is not callable" : callee.hint());
  if (!callee.is_callable()) throw EvalError("'" + callee.type_name() + "' object is not callable");
  CallArgs args = eval_arguments(e, 1, scope);
  args.caller = std::move(caller);
  return callee.as_function()(args);
}

Value Evaluator::eval(const Expr& e, Scope& scope) {
  try {
    return eval_inner(e, scope);
  } catch (const EvalError& x) {
    fail(e.line, x.what());
  }
}

Value Evaluator::eval_inner(const Expr& e, Scope& scope) {
  switch (e.kind) {
    case Expr::Kind::literal: return e.value;
    case Expr::Kind::name: return lookup(e.name, scope);
    case Expr::Kind::list: case Expr::Kind::tuple: {
      ValueList items;
      for (const auto& item : e.items) items.push_back(eval(*item, scope));
      return e.kind == Expr::Kind::tuple ? Value::tuple(items) : Value(items);
    }
    case Expr::Kind::dict: {
      Dict d;
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        Value key = eval(*e.items[i], scope);
        d.set(key, eval(*e.items[i + 1], scope));
      }
      return Value(std::move(d));
    }
    case Expr::Kind::attribute: return get_attribute(eval(*e.items[0], scope), e.name);
    case Expr::Kind::subscript: return get_item(eval(*e.items[0], scope), eval(*e.items[1], scope));
    case Expr::Kind::slice: {
      Value object = eval(*e.items[0], scope);
      Value bounds[3];
      for (int i = 0; i < 3; ++i)
        if (e.items[size_t(i) + 1]) bounds[i] = eval(*e.items[size_t(i) + 1], scope);
      return slice(object, bounds[0], bounds[1], bounds[2]);
    }
    case Expr::Kind::call: return eval_call(e, scope, Value());
    case Expr::Kind::filter: {
      Value input = eval(*e.items[0], scope);
      CallArgs args = eval_arguments(e, 1, scope);
      return apply_filter(e.name, input, args);
    }
    case Expr::Kind::test: {
      Value input = eval(*e.items[0], scope);
      CallArgs args = eval_arguments(e, 1, scope);
      return Value(apply_test(e.name, input, args) != e.negated);
    }
    case Expr::Kind::unary: {
      Value v = eval(*e.items[0], scope);
      if (e.name == "not") return Value(!v.truthy());
      if (e.name == "-") return negate(v);
      return negate(negate(v));
    }
    case Expr::Kind::comparison: {
      Value left = eval(*e.items[0], scope);
      Value result;
      for (size_t i = 0; i < e.operators.size(); ++i) {
        Value right = eval(*e.items[i + 1], scope);
        result = binary_operation(e.operators[i], left, right);
        if (!result.truthy()) return result;
        left = std::move(right);
      }
      return result;
    }
    case Expr::Kind::binary: {
      Value left = eval(*e.items[0], scope);
      if (e.name == "and") return left.truthy() ? eval(*e.items[1], scope) : left;
      if (e.name == "or") return left.truthy() ? left : eval(*e.items[1], scope);
      return binary_operation(e.name, left, eval(*e.items[1], scope));
    }
    case Expr::Kind::conditional: {
      if (eval(*e.items[1], scope).truthy()) return eval(*e.items[0], scope);
      if (e.items[2]) return eval(*e.items[2], scope);
      return Value::undefined("the inline if-expression on line " + std::to_string(e.line) +
                              " evaluated to false and no else section was defined.");
    }
  }
  return Value();
}

}  // namespace rbee::chat::jinja
