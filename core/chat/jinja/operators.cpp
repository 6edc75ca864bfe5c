#include "chat/jinja/operators.hpp"

#include <cmath>

#include "chat/jinja/error.hpp"
#include "chat/jinja/percent_format.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/string_ops.hpp"

namespace rbee::chat::jinja {

namespace {

constexpr size_t max_repeat_bytes = size_t(64) << 20;  // 'x' * n beyond this is refused

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
  throw EvalError("unsupported operand type(s) for " + op + ": '" + a.type_name() + "' and '" + b.type_name() + "'");
}

void raise_if_undefined(const Value& v) {
  if (v.is_undefined()) throw EvalError(v.hint().empty() ? "undefined value" : v.hint());
}

double floor_mod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

Value repeat(const Value& seq, int64_t n) {
  if (n < 0) n = 0;
  size_t unit = seq.is_string() ? seq.as_string().size() : seq.as_list().size() * 16;
  if (unit && size_t(n) > max_repeat_bytes / unit) throw EvalError("repetition result too large");
  if (seq.is_string()) {
    std::string out;
    for (int64_t i = 0; i < n; ++i) out += seq.as_string();
    return Value(out);
  }
  ValueList out;
  for (int64_t i = 0; i < n; ++i) out.insert(out.end(), seq.as_list().begin(), seq.as_list().end());
  return Value(out);
}

// Python's ints do not overflow; rbee's are 64-bit and refuse what does not fit.
[[noreturn]] void too_large() { throw EvalError("integer result does not fit in 64 bits"); }
int64_t add(int64_t a, int64_t b) { int64_t r; if (__builtin_add_overflow(a, b, &r)) too_large(); return r; }
int64_t subtract(int64_t a, int64_t b) { int64_t r; if (__builtin_sub_overflow(a, b, &r)) too_large(); return r; }
int64_t multiply(int64_t a, int64_t b) { int64_t r; if (__builtin_mul_overflow(a, b, &r)) too_large(); return r; }

int64_t power(int64_t base, int64_t exponent) {
  int64_t result = 1;
  while (exponent > 0) {
    if (exponent & 1) result = multiply(result, base);
    exponent >>= 1;
    if (exponent > 0) base = multiply(base, base);
  }
  return result;
}

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  bool ints = !a.is_real() && !b.is_real();
  if (op == "+") return ints ? Value(add(a.as_int(), b.as_int())) : Value(a.as_real() + b.as_real());
  if (op == "-") return ints ? Value(subtract(a.as_int(), b.as_int())) : Value(a.as_real() - b.as_real());
  if (op == "*") return ints ? Value(multiply(a.as_int(), b.as_int())) : Value(a.as_real() * b.as_real());
  if (op == "/") {
    if (b.as_real() == 0) throw EvalError("division by zero");
    return Value(a.as_real() / b.as_real());
  }
  if (op == "//" || op == "%") {
    if (b.as_real() == 0) throw EvalError(ints ? "integer division or modulo by zero" : "float floor division by zero");
    if (ints) {
      int64_t x = a.as_int(), y = b.as_int();
      if (y == -1) return op == "//" ? Value(subtract(0, x)) : Value(0);
      int64_t q = x / y, r = x % y;  // C++ truncates toward zero, Python floors
      if (r != 0 && ((r < 0) != (y < 0))) {
        --q;
        r += y;
      }
      return op == "//" ? Value(q) : Value(r);
    }
    if (op == "%") return Value(floor_mod(a.as_real(), b.as_real()));
    return Value(std::floor(a.as_real() / b.as_real()));
  }
  if (op == "**") {
    if (ints && b.as_int() >= 0) return Value(power(a.as_int(), b.as_int()));
    return Value(std::pow(a.as_real(), b.as_real()));
  }
  unsupported(op, a, b);
}

}  // namespace

Value binary_operation(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") return Value(python::str(a) + python::str(b));
  if (op == "==") return Value(a.equals(b));
  if (op == "!=") return Value(!a.equals(b));
  if (op == "in") return Value(contains(b, a));
  if (op == "not in") return Value(!contains(b, a));
  raise_if_undefined(a);
  raise_if_undefined(b);
  if (op == "<") return Value(compare(a, b, "<") < 0);
  if (op == ">") return Value(compare(a, b, ">") > 0);
  if (op == "<=") return Value(compare(a, b, "<=") <= 0);
  if (op == ">=") return Value(compare(a, b, ">=") >= 0);
  if (a.is_number() && b.is_number()) return arithmetic(op, a, b);
  if (op == "%" && a.is_string()) return Value(python::percent_format(a.as_string(), b));
  if (op == "+") {
    if (a.is_string() && b.is_string()) {
      if (!a.is_markup() && !b.is_markup()) return Value(a.as_string() + b.as_string());
      auto escaped = [](const Value& v) { return v.is_markup() ? v.as_string() : strings::html_escape(v.as_string()); };
      return Value::markup(escaped(a) + escaped(b));
    }
    if (a.is_list() && b.is_list() && !a.is_generator() && !b.is_generator()) {
      ValueList out = a.as_list();
      out.insert(out.end(), b.as_list().begin(), b.as_list().end());
      return Value(out);
    }
    if (a.is_string()) throw EvalError("can only concatenate str (not \"" + b.type_name() + "\") to str");
    if (a.is_list()) throw EvalError("can only concatenate list (not \"" + b.type_name() + "\") to list");
  }
  if (op == "*") {
    if ((a.is_string() || a.is_list()) && (b.is_int() || b.is_bool())) return repeat(a, b.as_int());
    if ((b.is_string() || b.is_list()) && (a.is_int() || a.is_bool())) return repeat(b, a.as_int());
  }
  unsupported(op, a, b);
}

int compare(const Value& a, const Value& b, const char* op) {
  raise_if_undefined(a);
  raise_if_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (!a.is_real() && !b.is_real()) return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
    return a.as_real() < b.as_real() ? -1 : a.as_real() > b.as_real();
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());  // UTF-8 byte order is code point order
    return c < 0 ? -1 : c > 0;
  }
  if (a.is_list() && b.is_list()) {
    const auto& x = a.as_list();
    const auto& y = b.as_list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i)
      if (!x[i].equals(y[i])) return compare(x[i], y[i], op);
    return x.size() < y.size() ? -1 : x.size() > y.size();
  }
  throw EvalError(std::string("'") + op + "' not supported between instances of '" + a.type_name() + "' and '" +
                  b.type_name() + "'");
}

bool contains(const Value& container, const Value& item) {
  if (container.is_undefined()) return false;
  if (container.is_string()) {
    if (!item.is_string()) throw EvalError("'in <string>' requires string as left operand, not " + item.type_name());
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_dict()) return container.as_dict().find(item) != nullptr;
  if (container.is_list()) {
    for (const auto& v : container.as_list())
      if (v.equals(item)) return true;
    return false;
  }
  throw EvalError("argument of type '" + container.type_name() + "' is not iterable");
}

Value negate(const Value& v) {
  raise_if_undefined(v);
  if (v.is_real()) return Value(-v.as_real());
  if (v.is_number()) return Value(subtract(0, v.as_int()));
  throw EvalError("bad operand type for unary -: '" + v.type_name() + "'");
}

}  // namespace rbee::chat::jinja
