#include "chat/jinja/compile_checks.hpp"

#include "chat/jinja/error.hpp"
#include "chat/jinja/filters.hpp"
#include "chat/jinja/tests.hpp"

namespace rbee::chat::jinja {

namespace {

class NameCheck {
 public:
  explicit NameCheck(const std::string& name) : name_(name) {}

  void body(const Body& nodes, bool soft) {
    for (const auto& n : nodes) node(*n, soft);
  }

 private:
  void node(const Node& n, bool soft) {
    switch (n.kind) {
      case Node::Kind::if_:
        for (const auto& e : n.exprs) expr(e.get(), true);
        for (const auto& b : n.bodies) body(b, true);
        return;
      case Node::Kind::for_:
        expr(n.exprs[0].get(), soft);
        expr(n.exprs[1].get(), false);
        for (const auto& b : n.bodies) body(b, false);
        return;
      case Node::Kind::print: case Node::Kind::set:
        for (const auto& e : n.exprs) expr(e.get(), soft);
        return;
      case Node::Kind::load:
        expr(n.exprs[0].get(), true);
        return;
      case Node::Kind::macro: case Node::Kind::call_block: case Node::Kind::scoped_block:
        for (const auto& e : n.exprs) expr(e.get(), n.kind == Node::Kind::call_block && &e == &n.exprs.front() ? soft : false);
        for (const auto& b : n.bodies) body(b, false);
        return;
      case Node::Kind::set_block: case Node::Kind::filter_block:
        for (const auto& e : n.exprs) expr(e.get(), soft);
        for (const auto& b : n.bodies) body(b, false);
        return;
      default: return;
    }
  }

  void expr(const Expr* e, bool soft) {
    if (!e) return;
    if (e->kind == Expr::Kind::conditional) soft = true;
    if (!soft && e->kind == Expr::Kind::filter && !has_filter(e->name)) fail(e->line, "No filter named '" + e->name + "'.");
    if (!soft && e->kind == Expr::Kind::test && !has_test(e->name)) fail(e->line, "No test named '" + e->name + "'.");
    for (const auto& item : e->items) expr(item.get(), soft);
    for (const auto& [k, v] : e->keywords) expr(v.get(), soft);
  }

  [[noreturn]] void fail(int line, const std::string& what) const {
    throw Error(name_ + ":" + std::to_string(line) + ": " + what);
  }

  const std::string& name_;
};

}  // namespace

void check_filter_and_test_names(const Body& body, const std::string& template_name) {
  NameCheck(template_name).body(body, false);
}

}  // namespace rbee::chat::jinja
