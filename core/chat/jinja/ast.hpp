#pragma once
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "chat/jinja/value.hpp"

// The parsed template: expressions and statements, each with its source line for errors.
namespace rbee::chat::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    literal,    // value
    name,       // name
    list,       // items
    tuple,      // items (a list when evaluated)
    dict,       // items: key, value, key, value...
    attribute,  // items[0].name
    subscript,  // items[0][items[1]]
    slice,      // items[0][items[1]:items[2]:items[3]], absent bounds null
    call,       // items[0](items[1..], keywords)
    filter,     // items[0] | name(items[1..], keywords); items[0] null in a filter block
    test,       // items[0] is [not] name(items[1..])
    unary,      // name: "not", "-", "+"
    binary,     // items[0] name items[1]: arithmetic, ~, and, or
    comparison,  // items[0] operators[0] items[1] operators[1] items[2]...: Python's chained comparison
    conditional,  // items[0] if items[1] else items[2] (items[2] may be null)
  };
  Kind kind;
  int line;
  Value value;
  std::string name;
  bool negated = false;
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> keywords;
  std::vector<std::string> operators;  // comparison: ==, !=, <, >, <=, >=, in, not in
};

struct Node;
using NodePtr = std::unique_ptr<Node>;
using Body = std::vector<NodePtr>;

struct Node {
  enum class Kind {
    text, print, if_, for_, set, set_block, macro, call_block, filter_block, break_, continue_,
    scoped_block,  // a body rendered in its own scope: {% generation %}, as transformers' AssistantTracker
    load,          // {% include %}, {% extends %}, {% import %}, {% from %}: jinja2 with no loader refuses them
  };
  Kind kind;
  int line;
  std::string text;                 // text; macro name; set: namespace attribute ("" if none)
  std::vector<std::string> names;   // for/set targets; macro/caller parameter names
  std::vector<ExprPtr> exprs;       // print: [expr]; if: conditions; for: [iterable, filter?]; set: [value]; set_block: [filter chain or null]; macro: defaults (null: none); call: [call, caller defaults...]; filter: [filter chain]
  std::vector<Body> bodies;         // if: one per condition, + else; for: [body, else]; set_block/macro/call/filter/scoped: [body]
  bool recursive = false;           // for: `{% for ... recursive %}`, its body may call loop(items)
};

}  // namespace rbee::chat::jinja
