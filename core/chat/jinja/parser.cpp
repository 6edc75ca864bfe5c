#include "chat/jinja/parser.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include "chat/jinja/compile_checks.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/lexer.hpp"

namespace rbee::chat::jinja {

namespace {

constexpr int max_nesting = 200;  // deeper expressions or blocks are refused, not a stack overflow

std::string describe(const Token& t) {
  switch (t.type) {
    case Token::Type::text: return "template data";
    case Token::Type::print_begin: return "'{{'";
    case Token::Type::print_end: return "end of print statement";
    case Token::Type::block_begin: return "'{%'";
    case Token::Type::block_end: return "end of statement block";
    case Token::Type::end: return "end of template";
    case Token::Type::string: return "string";
    default: return "'" + t.value + "'";
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, const std::string& name) : t_(std::move(tokens)), name_(name) {}

  Body parse_template() {
    std::string ended_by;
    return subparse({}, ended_by, 1, "");
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) const {
    throw Error(name_ + ":" + std::to_string(line) + ": " + what);
  }
  const Token& cur() const { return t_[p_]; }
  const Token& next() { return t_[p_ < t_.size() - 1 ? p_++ : p_]; }
  bool is_op(const char* op) const { return cur().type == Token::Type::op && cur().value == op; }
  bool is_name(const char* n) const { return cur().type == Token::Type::name && cur().value == n; }
  bool skip_op(const char* op) { return is_op(op) ? (next(), true) : false; }
  bool skip_name(const char* n) { return is_name(n) ? (next(), true) : false; }
  void expect_op(const char* op) {
    if (!skip_op(op)) fail(cur().line, std::string("expected token '") + op + "', got " + describe(cur()));
  }
  void expect(Token::Type type, const char* what) {
    if (cur().type != type) fail(cur().line, std::string("expected token '") + what + "', got " + describe(cur()));
    next();
  }
  std::string expect_name() {
    if (cur().type != Token::Type::name) fail(cur().line, "expected a name, got " + describe(cur()));
    return next().value;
  }
  void expect_block_end() { expect(Token::Type::block_end, "end of statement block"); }

  struct Depth {
    Depth(Parser& p) : p(p) {
      if (++p.depth_ > max_nesting) p.fail(p.cur().line, "template nested too deeply");
    }
    ~Depth() { --p.depth_; }
    Parser& p;
  };

  static ExprPtr make(Expr::Kind kind, int line) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // Statements until a block tag named in end_names (consumed with its name; its rest is the caller's).
  Body subparse(const std::vector<std::string>& end_names, std::string& ended_by, int open_line, const std::string& block) {
    Depth depth(*this);
    open_blocks_.push_back({&end_names, block});
    struct Pop {
      std::vector<OpenBlock>& stack;
      ~Pop() { stack.pop_back(); }
    } pop{open_blocks_};
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == Token::Type::end) {
        if (end_names.empty()) return body;
        std::string wanted;
        for (const auto& n : end_names) wanted += (wanted.empty() ? "'" : " or '") + n + "'";
        fail(t.line, "unexpected end of template; looking for " + wanted + " to close '" + block + "' opened on line " +
                         std::to_string(open_line));
      }
      if (t.type == Token::Type::text) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::text;
        n->line = t.line;
        n->text = t.value;
        body.push_back(std::move(n));
        next();
      } else if (t.type == Token::Type::print_begin) {
        auto n = std::make_unique<Node>();
        n->kind = Node::Kind::print;
        n->line = t.line;
        next();
        n->exprs.push_back(parse_tuple(true));
        expect(Token::Type::print_end, "end of print statement");
        body.push_back(std::move(n));
      } else if (t.type == Token::Type::block_begin) {
        next();
        if (cur().type == Token::Type::name &&
            std::find(end_names.begin(), end_names.end(), cur().value) != end_names.end()) {
          ended_by = next().value;
          return body;
        }
        body.push_back(parse_statement());
      } else {
        fail(t.line, "unexpected " + describe(t));
      }
    }
  }

  NodePtr parse_statement() {
    const Token& t = cur();
    if (t.type != Token::Type::name) fail(t.line, "tag name expected");
    int line = t.line;
    std::string tag = next().value;
    auto n = std::make_unique<Node>();
    n->line = line;
    if (tag == "if") {
      parse_if(*n);
    } else if (tag == "for") {
      parse_for(*n);
    } else if (tag == "set") {
      parse_set(*n);
    } else if (tag == "macro") {
      parse_macro(*n);
    } else if (tag == "call") {
      parse_call_block(*n);
    } else if (tag == "filter") {
      n->kind = Node::Kind::filter_block;
      n->exprs.push_back(parse_filters(nullptr, true));
      expect_block_end();
      std::string ended_by;
      n->bodies.push_back(subparse({"endfilter"}, ended_by, line, "filter"));
      expect_block_end();
    } else if (tag == "generation") {
      n->kind = Node::Kind::scoped_block;
      expect_block_end();
      n->bodies.push_back(parse_function_body({"endgeneration"}, line, "generation"));
      expect_block_end();
    } else if (tag == "include" || tag == "extends" || tag == "import" || tag == "from") {
      parse_load(*n, tag);
    } else if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) fail(line, tag == "break" ? "'break' outside loop" : "'continue' not properly in loop");  // Python's words
      n->kind = tag == "break" ? Node::Kind::break_ : Node::Kind::continue_;
      expect_block_end();
    } else {
      fail(line, "Encountered unknown tag '" + tag + "'." + looking_for());
    }
    return n;
  }

  void parse_if(Node& n) {
    n.kind = Node::Kind::if_;
    int line = n.line;
    n.exprs.push_back(parse_tuple(false));
    expect_block_end();
    while (true) {
      std::string ended_by;
      n.bodies.push_back(subparse({"elif", "else", "endif"}, ended_by, line, "if"));
      if (ended_by == "elif") {
        n.exprs.push_back(parse_tuple(false));
        expect_block_end();
      } else if (ended_by == "else") {
        expect_block_end();
        n.bodies.push_back(subparse({"endif"}, ended_by, line, "if"));
        expect_block_end();
        return;
      } else {
        expect_block_end();
        return;
      }
    }
  }

  std::vector<std::string> parse_targets() {
    std::vector<std::string> names;
    bool paren = skip_op("(");
    do {
      names.push_back(expect_name());
    } while (skip_op(","));
    if (paren) expect_op(")");
    return names;
  }

  void parse_for(Node& n) {
    n.kind = Node::Kind::for_;
    n.names = parse_targets();
    if (!skip_name("in")) fail(cur().line, "expected 'in', got " + describe(cur()));
    n.exprs.push_back(parse_tuple(false, true));
    n.exprs.push_back(skip_name("if") ? parse_expression(true) : nullptr);
    n.recursive = skip_name("recursive");
    expect_block_end();
    std::string ended_by;
    ++loop_depth_;
    n.bodies.push_back(subparse({"else", "endfor"}, ended_by, n.line, "for"));
    --loop_depth_;
    expect_block_end();
    if (ended_by == "else") {
      n.bodies.push_back(subparse({"endfor"}, ended_by, n.line, "for"));
      expect_block_end();
    }
  }

  void parse_set(Node& n) {
    n.kind = Node::Kind::set;
    std::string first = expect_name();
    if (skip_op(".")) {  // {% set ns.attr ... %}: the namespace is looked up by name
      n.names.push_back(first);
      n.text = expect_name();
    } else {
      n.names.push_back(first);
      while (skip_op(",")) n.names.push_back(expect_name());
    }
    if (skip_op("=")) {
      n.exprs.push_back(parse_tuple(true));
      expect_block_end();
      return;
    }
    if (n.names.size() != 1) fail(cur().line, "expected token '=', got " + describe(cur()));
    n.kind = Node::Kind::set_block;
    n.exprs.push_back(is_op("|") ? parse_filters(nullptr, false) : nullptr);
    expect_block_end();
    std::string ended_by;
    n.bodies.push_back(subparse({"endset"}, ended_by, n.line, "set"));
    expect_block_end();
  }

  // (a, b=default, ...): names and default expressions (null: required).
  void parse_signature(Node& n) {
    expect_op("(");
    while (!is_op(")")) {
      if (!n.names.empty()) expect_op(",");
      if (is_op(")")) break;
      n.names.push_back(expect_name());
      n.exprs.push_back(skip_op("=") ? parse_expression(true) : nullptr);
    }
    expect_op(")");
  }

  void parse_macro(Node& n) {
    n.kind = Node::Kind::macro;
    n.text = expect_name();
    parse_signature(n);
    expect_block_end();
    n.bodies.push_back(parse_function_body({"endmacro"}, n.line, "macro"));
    expect_block_end();
  }

  // The body of a macro, a call block or a generation block: jinja2 compiles it to a Python
  // function, so a loop around it does not make `break` or `continue` legal inside.
  Body parse_function_body(const std::vector<std::string>& end_names, int open_line, const std::string& block) {
    std::string ended_by;
    int saved = loop_depth_;
    loop_depth_ = 0;
    Body body = subparse(end_names, ended_by, open_line, block);
    loop_depth_ = saved;
    return body;
  }

  // include/extends/import/from parse as in jinja2; rendering them fails as jinja2 does without a loader.
  void parse_load(Node& n, const std::string& tag) {
    n.kind = Node::Kind::load;
    n.text = tag;
    n.exprs.push_back(parse_expression(true));
    if (tag == "include") {
      if (is_name("ignore") && p_ + 1 < t_.size() && t_[p_ + 1].value == "missing") {
        next();
        next();
      }
    } else if (tag == "import") {
      if (!skip_name("as")) fail(cur().line, "expected token 'as', got " + describe(cur()));
      expect_name();
    } else if (tag == "from") {
      if (!skip_name("import")) fail(cur().line, "expected token 'import', got " + describe(cur()));
      do {
        if (is_name("with") || is_name("without")) break;
        expect_name();
        if (skip_name("as")) expect_name();
      } while (skip_op(","));
    }
    if (tag != "extends" && (is_name("with") || is_name("without")) && p_ + 1 < t_.size() && t_[p_ + 1].value == "context") {
      next();
      next();
    }
    expect_block_end();
  }

  void parse_call_block(Node& n) {
    n.kind = Node::Kind::call_block;
    if (is_op("(")) parse_signature(n);
    ExprPtr call = parse_expression(true);
    if (call->kind != Expr::Kind::call) fail(n.line, "expected call");
    n.exprs.insert(n.exprs.begin(), std::move(call));
    expect_block_end();
    n.bodies.push_back(parse_function_body({"endcall"}, n.line, "call"));
    expect_block_end();
  }

  // expr, expr, ... as a tuple; a single expression stays itself.
  ExprPtr parse_tuple(bool with_condexpr, bool stop_at_if = false) {
    int line = cur().line;
    ExprPtr first = parse_expression(with_condexpr);
    if (!is_op(",")) return first;
    auto tuple = make(Expr::Kind::tuple, line);
    tuple->items.push_back(std::move(first));
    while (skip_op(",")) {
      if (cur().type == Token::Type::block_end || cur().type == Token::Type::print_end || is_op(")") ||
          (stop_at_if && is_name("if")))
        break;
      tuple->items.push_back(parse_expression(with_condexpr));
    }
    return tuple;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    Depth depth(*this);
    ExprPtr e = parse_or();
    if (!with_condexpr) return e;
    while (is_name("if")) {
      int line = next().line;
      auto c = make(Expr::Kind::conditional, line);
      c->items.push_back(std::move(e));
      c->items.push_back(parse_or());
      c->items.push_back(skip_name("else") ? parse_expression(true) : nullptr);
      e = std::move(c);
    }
    return e;
  }

  ExprPtr binary(const std::string& op, ExprPtr left, ExprPtr right, int line) {
    auto b = make(Expr::Kind::binary, line);
    b->name = op;
    b->items.push_back(std::move(left));
    b->items.push_back(std::move(right));
    return b;
  }

  ExprPtr parse_or() {
    ExprPtr e = parse_and();
    while (is_name("or")) {
      int line = next().line;
      e = binary("or", std::move(e), parse_and(), line);
    }
    return e;
  }

  ExprPtr parse_and() {
    ExprPtr e = parse_not();
    while (is_name("and")) {
      int line = next().line;
      e = binary("and", std::move(e), parse_not(), line);
    }
    return e;
  }

  ExprPtr parse_not() {
    if (is_name("not")) {
      Depth depth(*this);
      int line = next().line;
      auto u = make(Expr::Kind::unary, line);
      u->name = "not";
      u->items.push_back(parse_not());
      return u;
    }
    return parse_compare();
  }

  // a < b <= c: one comparison node, evaluated pairwise from the left as Python does.
  ExprPtr parse_compare() {
    int line = cur().line;
    ExprPtr e = parse_math1();
    ExprPtr chain;
    while (true) {
      std::string op;
      if (cur().type == Token::Type::op &&
          (is_op("==") || is_op("!=") || is_op("<") || is_op(">") || is_op("<=") || is_op(">="))) {
        op = next().value;
      } else if (is_name("in")) {
        next();
        op = "in";
      } else if (is_name("not") && p_ + 1 < t_.size() && t_[p_ + 1].type == Token::Type::name && t_[p_ + 1].value == "in") {
        next();
        next();
        op = "not in";
      } else {
        return chain ? std::move(chain) : std::move(e);
      }
      if (!chain) {
        chain = make(Expr::Kind::comparison, line);
        chain->items.push_back(std::move(e));
      }
      chain->operators.push_back(op);
      chain->items.push_back(parse_math1());
    }
  }

  ExprPtr parse_math1() {
    ExprPtr e = parse_concat();
    while (is_op("+") || is_op("-")) {
      const Token& t = next();
      std::string op = t.value;
      e = binary(op, std::move(e), parse_concat(), t.line);
    }
    return e;
  }

  ExprPtr parse_concat() {
    ExprPtr e = parse_math2();
    while (is_op("~")) {
      int line = next().line;
      e = binary("~", std::move(e), parse_math2(), line);
    }
    return e;
  }

  ExprPtr parse_math2() {
    ExprPtr e = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      const Token& t = next();
      std::string op = t.value;
      e = binary(op, std::move(e), parse_pow(), t.line);
    }
    return e;
  }

  ExprPtr parse_pow() {
    ExprPtr e = parse_unary(true);
    while (is_op("**")) {
      int line = next().line;
      e = binary("**", std::move(e), parse_unary(true), line);
    }
    return e;
  }

  ExprPtr parse_unary(bool with_filter) {
    Depth depth(*this);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      const Token& t = next();
      e = make(Expr::Kind::unary, t.line);
      e->name = t.value;
      e->items.push_back(parse_unary(false));
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    int line = t.line;
    if (t.type == Token::Type::name) {
      std::string n = next().value;
      if (n == "true" || n == "True") return literal(Value(true), line);
      if (n == "false" || n == "False") return literal(Value(false), line);
      if (n == "none" || n == "None") return literal(Value::none(), line);
      auto e = make(Expr::Kind::name, line);
      e->name = n;
      return e;
    }
    if (t.type == Token::Type::string) {
      std::string s = next().value;
      while (cur().type == Token::Type::string) s += next().value;
      return literal(Value(s), line);
    }
    if (t.type == Token::Type::integer) return literal(integer_value(next().value, line), line);
    // strtod, not stod: a literal past the double range is inf, as in Python, not an exception.
    if (t.type == Token::Type::real) return literal(Value(std::strtod(next().value.c_str(), nullptr)), line);
    if (skip_op("(")) {
      if (skip_op(")")) return make(Expr::Kind::tuple, line);
      ExprPtr e = parse_tuple(true);
      expect_op(")");
      return e;
    }
    if (skip_op("[")) {
      auto e = make(Expr::Kind::list, line);
      while (!is_op("]")) {
        if (!e->items.empty()) expect_op(",");
        if (is_op("]")) break;
        e->items.push_back(parse_expression(true));
      }
      expect_op("]");
      return e;
    }
    if (skip_op("{")) {
      auto e = make(Expr::Kind::dict, line);
      while (!is_op("}")) {
        if (!e->items.empty()) expect_op(",");
        if (is_op("}")) break;
        e->items.push_back(parse_expression(true));
        expect_op(":");
        e->items.push_back(parse_expression(true));
      }
      expect_op("}");
      return e;
    }
    fail(line, "unexpected " + describe(t));
  }

  ExprPtr literal(Value v, int line) {
    auto e = make(Expr::Kind::literal, line);
    e->value = std::move(v);
    return e;
  }

  // An integer literal's digits. Python's ints are unbounded, rbee's are 64-bit.
  Value integer_value(const std::string& text, int line) {
    try {
      return Value(int64_t(std::stoll(text)));
    } catch (const std::out_of_range&) {
      fail(line, "integer literal " + text + " does not fit in 64 bits");
    }
  }

  ExprPtr parse_postfix(ExprPtr e) {
    while (true) {
      int line = cur().line;
      if (skip_op(".")) {
        if (cur().type == Token::Type::integer) {
          auto s = make(Expr::Kind::subscript, line);
          s->items.push_back(std::move(e));
          s->items.push_back(literal(integer_value(next().value, line), line));
          e = std::move(s);
        } else {
          auto a = make(Expr::Kind::attribute, line);
          a->name = expect_name();
          a->items.push_back(std::move(e));
          e = std::move(a);
        }
      } else if (skip_op("[")) {
        e = parse_subscript(std::move(e), line);
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr target, int line) {
    ExprPtr parts[3];
    bool slice = false;
    for (int i = 0; i < 3; ++i) {
      if (!is_op(":") && !is_op("]")) parts[i] = parse_expression(true);
      if (i < 2 && skip_op(":")) {
        slice = true;
        continue;
      }
      break;
    }
    expect_op("]");
    auto e = make(slice ? Expr::Kind::slice : Expr::Kind::subscript, line);
    e->items.push_back(std::move(target));
    if (!slice && !parts[0]) fail(line, "expected an index");
    for (int i = 0; i < (slice ? 3 : 1); ++i) e->items.push_back(std::move(parts[i]));
    return e;
  }

  void parse_arguments(Expr& e) {
    expect_op("(");
    for (bool first = true; !is_op(")"); first = false) {
      if (!first) {
        expect_op(",");
        if (is_op(")")) break;
      }
      if (cur().type == Token::Type::name && p_ + 1 < t_.size() && t_[p_ + 1].type == Token::Type::op &&
          t_[p_ + 1].value == "=") {
        std::string key = next().value;
        next();
        e.keywords.emplace_back(key, parse_expression(true));
      } else {
        if (!e.keywords.empty()) fail(cur().line, "positional argument after keyword argument");
        e.items.push_back(parse_expression(true));
      }
    }
    expect_op(")");
  }

  ExprPtr parse_call(ExprPtr callee) {
    auto e = make(Expr::Kind::call, cur().line);
    e->items.push_back(std::move(callee));
    parse_arguments(*e);
    return e;
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    while (true) {
      if (is_op("|")) {
        e = parse_filters(std::move(e), false);
      } else if (is_name("is")) {
        e = parse_test(std::move(e));
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }

  // | name(args) | name ...; start_inline: the first filter has no leading '|' (filter blocks).
  ExprPtr parse_filters(ExprPtr input, bool start_inline) {
    while (start_inline || is_op("|")) {
      if (!start_inline) next();
      start_inline = false;
      int line = cur().line;
      std::string name = expect_name();
      while (skip_op(".")) name += "." + expect_name();
      auto f = make(Expr::Kind::filter, line);
      f->name = name;
      f->items.push_back(std::move(input));
      if (is_op("(")) parse_arguments(*f);
      input = std::move(f);
    }
    return input;
  }

  ExprPtr parse_test(ExprPtr input) {
    int line = next().line;
    auto t = make(Expr::Kind::test, line);
    t->negated = skip_name("not");
    t->name = expect_name();
    while (skip_op(".")) t->name += "." + expect_name();
    t->items.push_back(std::move(input));
    const Token& c = cur();
    if (is_op("(")) {
      parse_arguments(*t);
    } else if ((c.type == Token::Type::name || c.type == Token::Type::string || c.type == Token::Type::integer ||
                c.type == Token::Type::real || is_op("[") || is_op("{")) &&
               !is_name("else") && !is_name("or") && !is_name("and")) {
      if (is_name("is")) fail(c.line, "You cannot chain multiple tests with is");
      t->items.push_back(parse_postfix(parse_primary()));
    }
    return t;
  }

  // jinja2's hint after an unknown tag: the end tags of the innermost open block.
  std::string looking_for() const {
    const OpenBlock& open = open_blocks_.back();
    if (open.end_names->empty()) return "";
    std::string wanted;
    for (const auto& n : *open.end_names) wanted += (wanted.empty() ? "'" : " or '") + n + "'";
    return " Jinja was looking for the following tags: " + wanted + ". The innermost block that needs to be closed is '" +
           open.block + "'.";
  }

  struct OpenBlock {
    const std::vector<std::string>* end_names;
    std::string block;
  };
  std::vector<OpenBlock> open_blocks_;
  std::vector<Token> t_;
  const std::string& name_;
  size_t p_ = 0;
  int depth_ = 0;
  int loop_depth_ = 0;
};

}  // namespace

Body parse(const std::string& source, const std::string& template_name) {
  Body body = Parser(tokenize(source, template_name), template_name).parse_template();
  check_filter_and_test_names(body, template_name);
  return body;
}

}  // namespace rbee::chat::jinja
