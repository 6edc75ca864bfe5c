#pragma once
#include <optional>
#include <string>
#include <vector>

// Python's str methods on UTF-8 text, shared by the str methods and the filters.
namespace rbee::chat::jinja::strings {

bool is_python_space(const std::string& character);
// strip/lstrip/rstrip: `chars` absent strips whitespace.
std::string strip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right);
// split/rsplit: `sep` absent splits on runs of whitespace and drops empty parts.
std::vector<std::string> split(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit, bool from_right);
std::string replace(const std::string& s, const std::string& old, const std::string& with, int64_t count);
std::string upper(const std::string& s);
std::string lower(const std::string& s);
std::string title(const std::string& s);       // jinja2's title filter and str.title agree on ASCII
std::string capitalize(const std::string& s);
int64_t count(const std::string& s, const std::string& sub);
// Python's str.center: `s` in the middle of `width` characters of `fill`.
std::string center(const std::string& s, int64_t width, const std::string& fill);
std::string html_escape(const std::string& s);  // markupsafe.escape: & < > " '

}  // namespace rbee::chat::jinja::strings
