#pragma once
#include "chat/jinja/value.hpp"

// jinja2's filters on text beyond case and whitespace: format, truncate, striptags, urlencode,
// filesizeformat, xmlattr. Registered by filters.cpp.
namespace rbee::chat::jinja {

Value format_filter(const Value& input, CallArgs& args);
Value truncate_filter(const Value& input, CallArgs& args);
Value striptags_filter(const Value& input, CallArgs& args);
Value urlencode_filter(const Value& input, CallArgs& args);
Value filesizeformat_filter(const Value& input, CallArgs& args);
Value xmlattr_filter(const Value& input, CallArgs& args);

}  // namespace rbee::chat::jinja
