#include "chat/jinja/filters.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <map>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/group_filters.hpp"
#include "chat/jinja/operators.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/string_ops.hpp"
#include "chat/jinja/tests.hpp"
#include "chat/jinja/text_filters.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

namespace {

using Filter = Value (*)(const Value&, CallArgs&);

std::string text(const Value& v) { return python::str(v); }

ValueList items_of(const Value& v) {
  if (v.is_generator()) return v.as_list();
  return v.iterate();
}

// Sorting key: strings compare lowercased unless case_sensitive.
Value sort_key(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value(strings::lower(v.as_string()));
  return v;
}

CallArgs rest_arguments(const CallArgs& a, size_t from) {
  CallArgs rest;
  if (from < a.positional.size()) rest.positional.assign(a.positional.begin() + long(from), a.positional.end());
  rest.keyword = a.keyword;
  return rest;
}

// select/reject(test, args) and selectattr/rejectattr(attribute, test, args).
Value select(const Value& input, CallArgs& a, bool keep_matching, bool by_attribute) {
  size_t first = by_attribute ? 1 : 0;
  Value attribute = by_attribute ? a.get(0, "attribute") : Value();
  std::string test = a.positional.size() > first ? text(a.positional[first]) : std::string();
  CallArgs test_args = rest_arguments(a, first + 1);
  test_args.keyword.clear();
  ValueList out;
  if (!input.truthy()) return Value(out, true);  // jinja2 yields nothing for None and other falsy input
  for (const auto& item : items_of(input)) {
    Value subject = by_attribute ? attribute_path(item, attribute) : item;
    bool match = test.empty() ? subject.truthy() : apply_test(test, subject, test_args);
    if (match == keep_matching) out.push_back(item);
  }
  return Value(out, true);
}

Value do_map(const Value& input, CallArgs& a) {
  ValueList out;
  if (!input.truthy()) return Value(out, true);  // jinja2 yields nothing for None and other falsy input
  if (a.has(99, "attribute")) {
    Value attribute = a.get(99, "attribute");
    bool has_default = a.has(99, "default");
    Value fallback = a.get(99, "default");
    for (const auto& item : items_of(input)) {
      Value v = attribute_path(item, attribute);
      out.push_back(v.is_undefined() && has_default ? fallback : v);
    }
    return Value(out, true);
  }
  if (a.positional.empty()) throw EvalError("map requires a filter argument");
  std::string filter = text(a.positional[0]);
  if (!has_filter(filter)) throw EvalError("No filter named '" + filter + "'.");
  CallArgs filter_args = rest_arguments(a, 1);
  for (const auto& item : items_of(input)) out.push_back(apply_filter(filter, item, filter_args));
  return Value(out, true);
}

Value sorted(const Value& input, CallArgs& a) {
  bool reverse = a.get(0, "reverse", Value(false)).truthy();
  bool case_sensitive = a.get(1, "case_sensitive", Value(false)).truthy();
  Value attribute = a.get(2, "attribute");
  ValueList items = items_of(input);
  // jinja2's make_multi_attrgetter: "age,name" sorts by a list of attributes.
  std::vector<Value> paths;
  if (attribute.is_string()) {
    for (const auto& part : strings::split(attribute.as_string(), std::string(","), -1, false)) paths.emplace_back(part);
  } else if (!attribute.is_undefined() && !attribute.is_none()) {
    paths.push_back(attribute);
  }
  auto key = [&](const Value& v) {
    if (paths.empty()) return ValueList{sort_key(v, case_sensitive)};
    ValueList keys;
    for (const auto& path : paths) keys.push_back(sort_key(attribute_path(v, path), case_sensitive));
    return keys;
  };
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    return reverse ? compare(Value(key(y)), Value(key(x))) < 0 : compare(Value(key(x)), Value(key(y))) < 0;
  });
  return Value(items);
}

Value dictsort(const Value& input, CallArgs& a) {
  if (!input.is_dict()) throw EvalError("dictsort filter expects a mapping");
  bool case_sensitive = a.get(0, "case_sensitive", Value(false)).truthy();
  std::string by = text(a.get(1, "by", Value("key")));
  bool reverse = a.get(2, "reverse", Value(false)).truthy();
  size_t index = by == "key" ? 0 : by == "value" ? 1 : throw EvalError("You can only sort by either \"key\" or \"value\"");
  ValueList pairs;
  for (const auto& [k, v] : input.as_dict().items) pairs.push_back(Value::tuple({k, v}));
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    Value kx = sort_key(x.as_list()[index], case_sensitive), ky = sort_key(y.as_list()[index], case_sensitive);
    return reverse ? compare(ky, kx) < 0 : compare(kx, ky) < 0;
  });
  return Value(pairs);
}

Value extreme(const Value& input, CallArgs& a, bool want_max) {
  bool case_sensitive = a.get(0, "case_sensitive", Value(false)).truthy();
  Value attribute = a.get(1, "attribute");
  ValueList items = items_of(input);
  if (items.empty()) return Value::undefined(std::string("No aggregated item, sequence was empty."));
  auto key = [&](const Value& v) { return sort_key(attribute.is_undefined() ? v : attribute_path(v, attribute), case_sensitive); };
  const Value* best = &items[0];
  for (const auto& item : items) {
    int c = compare(key(item), key(*best));
    if (want_max ? c > 0 : c < 0) best = &item;
  }
  return *best;
}

Value unique(const Value& input, CallArgs& a) {
  bool case_sensitive = a.get(0, "case_sensitive", Value(false)).truthy();
  Value attribute = a.get(1, "attribute");
  ValueList out, seen;
  for (const auto& item : items_of(input)) {
    Value key = sort_key(attribute.is_undefined() ? item : attribute_path(item, attribute), case_sensitive);
    if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return s.equals(key); })) {
      seen.push_back(key);
      out.push_back(item);
    }
  }
  return Value(out, true);
}

Value join(const Value& input, CallArgs& a) {
  std::string separator = text(a.get(0, "d", Value("")));
  Value attribute = a.get(1, "attribute");
  std::string out;
  bool first = true;
  for (const auto& item : items_of(input)) {
    out += (first ? "" : separator) + text(attribute.is_undefined() ? item : attribute_path(item, attribute));
    first = false;
  }
  return Value(out);
}

Value length(const Value& input, CallArgs&) {
  if (input.is_string()) return Value(int64_t(utf8::length(input.as_string())));
  if (input.is_list() && !input.is_generator()) return Value(int64_t(input.as_list().size()));
  if (input.is_dict() && !input.is_namespace()) return Value(int64_t(input.as_dict().items.size()));
  if (input.is_undefined()) return Value(0);
  throw EvalError("object of type '" + input.type_name() + "' has no len()");
}

// transformers' tojson: json.dumps(x, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys).
Value tojson(const Value& input, CallArgs& a) {
  python::JsonOptions o;
  o.ensure_ascii = a.get(0, "ensure_ascii", Value(false)).truthy();
  Value indent = a.get(1, "indent", Value::none());
  if (indent.is_int()) o.indent = std::string(size_t(std::max<int64_t>(0, indent.as_int())), ' ');
  else if (indent.is_string()) o.indent = indent.as_string();
  if (o.indent) o.item_separator = ",";
  Value separators = a.get(2, "separators", Value::none());
  if (separators.is_list() && separators.as_list().size() == 2) {
    o.item_separator = text(separators.as_list()[0]);
    o.key_separator = text(separators.as_list()[1]);
  }
  o.sort_keys = a.get(3, "sort_keys", Value(false)).truthy();
  return Value(python::dumps(input, o));
}

Value indent(const Value& input, CallArgs& a) {
  Value width = a.get(0, "width", Value(4));
  std::string indention = width.is_string() ? width.as_string() : std::string(size_t(std::max<int64_t>(0, width.as_int())), ' ');
  bool first = a.get(1, "first", Value(false)).truthy();
  bool blank = a.get(2, "blank", Value(false)).truthy();
  std::vector<std::string> lines = strings::split(text(input) + "\n", std::string("\n"), -1, false);
  lines.pop_back();  // splitlines() after the appended newline
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out += "\n" + ((blank || !lines[i].empty()) ? indention : "");
    out += lines[i];
  }
  return Value(first ? indention + out : out);
}

Value to_int(const Value& input, CallArgs& a) {
  Value fallback = a.get(0, "default", Value(0));
  if (input.is_undefined()) throw EvalError(input.hint());
  if (input.is_number()) return Value(input.is_real() ? int64_t(input.as_real()) : input.as_int());
  if (!input.is_string()) return fallback;
  // int(s), else int(float(s)), as jinja2; Python's ints are unbounded, rbee's are 64-bit.
  std::string s = strings::strip(input.as_string(), std::nullopt, true, true);
  if (s.empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  long long whole = std::strtoll(s.c_str(), &end, 10);
  if (*end == '\0') {
    if (errno == ERANGE) throw EvalError("int filter: " + s + " does not fit in 64 bits");
    return Value(int64_t(whole));
  }
  double d = std::strtod(s.c_str(), &end);
  if (*end != '\0' || std::isnan(d)) return fallback;
  if (std::fabs(d) >= 9223372036854775808.0) throw EvalError("int filter: " + s + " does not fit in 64 bits");
  return Value(int64_t(d));
}

Value to_float(const Value& input, CallArgs& a) {
  Value fallback = a.get(0, "default", Value(0.0));
  if (input.is_undefined()) throw EvalError(input.hint());
  if (input.is_number()) return Value(input.as_real());
  if (input.is_string()) {
    try {
      size_t used = 0;
      std::string s = strings::strip(input.as_string(), std::nullopt, true, true);
      double d = std::stod(s, &used);
      if (used == s.size()) return Value(d);
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

Value round_filter(const Value& input, CallArgs& a) {
  int64_t precision = a.get(0, "precision", Value(0)).as_int();
  std::string method = text(a.get(1, "method", Value("common")));
  if (method == "common" && !input.is_real()) return input;  // Python's round() keeps an int an int
  double scale = std::pow(10.0, double(precision));
  double x = input.as_real() * scale;
  double r = method == "ceil" ? std::ceil(x) : method == "floor" ? std::floor(x) : std::nearbyint(x);
  return Value(r / scale);
}

Value escape(const Value& input, CallArgs&) {
  if (input.is_markup()) return input;
  return Value::markup(strings::html_escape(text(input)));
}

// jinja2's title: each word (after whitespace, '-', or an opening bracket) capitalized.
Value title(const Value& input, CallArgs&) {
  std::string out;
  bool word_start = true;
  for (const auto& c : utf8::characters(text(input))) {
    bool boundary = strings::is_python_space(c) || c == "-" || c == "(" || c == "{" || c == "[" || c == "<";
    out += boundary ? c : word_start ? strings::upper(c) : strings::lower(c);
    word_start = boundary;
  }
  return Value(out);
}

Value batch(const Value& input, CallArgs& a) {
  int64_t n = a.get(0, "linecount").as_int();
  if (n <= 0) throw EvalError("batch size must be positive");
  bool fill = a.has(1, "fill_with");
  Value fill_with = a.get(1, "fill_with");
  ValueList out, row;
  for (const auto& item : items_of(input)) {
    row.push_back(item);
    if (int64_t(row.size()) == n) { out.emplace_back(row); row.clear(); }
  }
  if (!row.empty()) {
    while (fill && int64_t(row.size()) < n) row.push_back(fill_with);
    out.emplace_back(row);
  }
  return Value(out, true);
}

Value sum(const Value& input, CallArgs& a) {
  Value attribute = a.get(0, "attribute");
  Value total = a.get(1, "start", Value(0));
  for (const auto& item : items_of(input))
    total = binary_operation("+", total, attribute.is_undefined() ? item : attribute_path(item, attribute));
  return total;
}

Value reverse(const Value& input, CallArgs&) {
  if (input.is_string()) {
    auto cs = utf8::characters(input.as_string());
    std::string out;
    for (auto it = cs.rbegin(); it != cs.rend(); ++it) out += *it;
    return Value(out);
  }
  ValueList items = items_of(input);
  std::reverse(items.begin(), items.end());
  return Value(items, true);
}

Value default_filter(const Value& input, CallArgs& a) {
  bool boolean = a.get(1, "boolean", Value(false)).truthy();
  if (input.is_undefined() || (boolean && !input.truthy())) return a.get(0, "default_value", Value(""));
  return input;
}

Value first(const Value& input, CallArgs&) {
  ValueList items = items_of(input);
  return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}

Value last(const Value& input, CallArgs&) {
  if (input.is_generator()) throw EvalError("'generator' object is not reversible");
  ValueList items = items_of(input);
  return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}

Value items(const Value& input, CallArgs&) {
  if (input.is_undefined()) return Value(ValueList{}, true);
  if (!input.is_dict()) throw EvalError("Can only get item pairs from a mapping.");
  ValueList out;
  for (const auto& [k, v] : input.as_dict().items) out.push_back(Value::tuple({k, v}));
  return Value(out, true);
}

Value center(const Value& input, CallArgs& a) {
  return Value(strings::center(text(input), a.get(0, "width", Value(80)).as_int(), " "));
}

const std::map<std::string, Filter>& registry() {
  static const std::map<std::string, Filter> filters = {
      {"abs", [](const Value& v, CallArgs&) { return v.is_real() ? Value(std::fabs(v.as_real())) : Value(int64_t(std::llabs(negate(negate(v)).as_int()))); }},
      {"attr", [](const Value& v, CallArgs& a) { return python_attribute(v, text(a.get(0, "name"))); }},
      {"batch", batch},
      {"capitalize", [](const Value& v, CallArgs&) { return Value(strings::capitalize(text(v))); }},
      {"center", center},
      {"count", length},
      {"d", default_filter},
      {"default", default_filter},
      {"dictsort", dictsort},
      {"e", escape},
      {"escape", escape},
      {"first", first},
      {"filesizeformat", filesizeformat_filter},
      {"float", to_float},
      {"format", format_filter},
      {"groupby", groupby_filter},
      {"forceescape", [](const Value& v, CallArgs&) { return Value::markup(strings::html_escape(text(v))); }},
      {"indent", indent},
      {"int", to_int},
      {"items", items},
      {"join", join},
      {"last", last},
      {"length", length},
      {"list", [](const Value& v, CallArgs&) { return Value(items_of(v)); }},
      {"lower", [](const Value& v, CallArgs&) { return Value(strings::lower(text(v))); }},
      {"map", do_map},
      {"max", [](const Value& v, CallArgs& a) { return extreme(v, a, true); }},
      {"min", [](const Value& v, CallArgs& a) { return extreme(v, a, false); }},
      {"reject", [](const Value& v, CallArgs& a) { return select(v, a, false, false); }},
      {"rejectattr", [](const Value& v, CallArgs& a) { return select(v, a, false, true); }},
      {"replace", [](const Value& v, CallArgs& a) {
         Value count = a.get(2, "count", Value::none());
         return Value(strings::replace(text(v), text(a.get(0, "old")), text(a.get(1, "new")), count.is_none() ? -1 : count.as_int()));
       }},
      {"reverse", reverse},
      {"round", round_filter},
      {"safe", [](const Value& v, CallArgs&) { return Value::markup(text(v)); }},
      {"select", [](const Value& v, CallArgs& a) { return select(v, a, true, false); }},
      {"selectattr", [](const Value& v, CallArgs& a) { return select(v, a, true, true); }},
      {"slice", slice_filter},
      {"sort", sorted},
      {"string", [](const Value& v, CallArgs&) { return Value(text(v)); }},
      {"striptags", striptags_filter},
      {"sum", sum},
      {"title", title},
      {"tojson", tojson},
      {"trim", [](const Value& v, CallArgs& a) {
         Value chars = a.get(0, "chars", Value::none());
         return Value(strings::strip(text(v), chars.is_none() ? std::nullopt : std::optional<std::string>(text(chars)), true, true));
       }},
      {"truncate", truncate_filter},
      {"unique", unique},
      {"upper", [](const Value& v, CallArgs&) { return Value(strings::upper(text(v))); }},
      {"urlencode", urlencode_filter},
      {"wordcount", [](const Value& v, CallArgs&) { return Value(int64_t(strings::split(text(v), std::nullopt, -1, false).size())); }},
      {"xmlattr", xmlattr_filter},
  };
  return filters;
}

}  // namespace

bool has_filter(const std::string& name) { return registry().count(name) > 0; }

Value apply_filter(const std::string& name, const Value& input, CallArgs& args) {
  auto it = registry().find(name);
  if (it == registry().end()) throw EvalError("No filter named '" + name + "' found.");
  return it->second(input, args);
}

}  // namespace rbee::chat::jinja
