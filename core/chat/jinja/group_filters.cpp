#include "chat/jinja/group_filters.hpp"

#include <algorithm>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/operators.hpp"
#include "chat/jinja/string_ops.hpp"

namespace rbee::chat::jinja {

namespace {

ValueList items_of(const Value& v) { return v.is_generator() ? v.as_list() : v.iterate(); }

}  // namespace

// Sorted by the attribute, then runs of equal keys: a list of (grouper, list) named tuples.
Value groupby_filter(const Value& input, CallArgs& a) {
  Value attribute = a.get(0, "attribute");
  Value fallback = a.get(1, "default", Value::none());
  bool case_sensitive = a.get(2, "case_sensitive", Value(false)).truthy();
  auto grouper = [&](const Value& item) {
    Value v = attribute_path(item, attribute);
    return v.is_undefined() && !fallback.is_none() ? fallback : v;
  };
  auto key = [&](const Value& item) {
    Value v = grouper(item);
    return !case_sensitive && v.is_string() ? Value(strings::lower(v.as_string())) : v;
  };
  ValueList items = items_of(input);
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) { return compare(key(x), key(y)) < 0; });
  static const auto fields = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"grouper", "list"});
  ValueList groups;
  for (size_t i = 0; i < items.size();) {
    Value k = key(items[i]);
    ValueList members;
    for (; i < items.size() && key(items[i]).equals(k); ++i) members.push_back(items[i]);
    // The group is named by its first member's own value, not the lowercased key.
    Value name = case_sensitive ? k : grouper(members.front());
    groups.push_back(Value::named_tuple({name, Value(members)}, fields));
  }
  return Value(groups);
}

// `slices` columns of nearly equal length, the first ones one longer; fill_with pads the others.
Value slice_filter(const Value& input, CallArgs& a) {
  int64_t slices = a.get(0, "slices").as_int();
  if (slices <= 0) throw EvalError("integer division or modulo by zero");
  bool fill = a.has(1, "fill_with") && !a.get(1, "fill_with").is_none();
  Value fill_with = a.get(1, "fill_with");
  ValueList items = items_of(input);
  int64_t length = int64_t(items.size()), per_slice = length / slices, with_extra = length % slices, offset = 0;
  ValueList out;
  for (int64_t n = 0; n < slices; ++n) {
    int64_t start = offset + n * per_slice;
    if (n < with_extra) ++offset;
    int64_t end = offset + (n + 1) * per_slice;
    ValueList column(items.begin() + start, items.begin() + end);
    if (fill && n >= with_extra) column.push_back(fill_with);
    out.emplace_back(column);
  }
  return Value(out, true);
}

}  // namespace rbee::chat::jinja
