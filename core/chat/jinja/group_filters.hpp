#pragma once
#include "chat/jinja/value.hpp"

// jinja2's filters that split a sequence into groups: groupby and slice. Registered by filters.cpp.
namespace rbee::chat::jinja {

Value groupby_filter(const Value& input, CallArgs& args);
Value slice_filter(const Value& input, CallArgs& args);

}  // namespace rbee::chat::jinja
