#include "chat/jinja/string_ops.hpp"

#include <algorithm>
#include <cctype>

#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja::strings {

bool is_python_space(const std::string& c) {
  if (c.size() == 1) return c[0] == ' ' || (c[0] >= '\t' && c[0] <= '\r') || (c[0] >= 0x1c && c[0] <= 0x1f);
  static const char* const unicode_spaces[] = {"\u0085", "\u00a0", "\u1680", "\u2000", "\u2001", "\u2002", "\u2003",
                                               "\u2004", "\u2005", "\u2006", "\u2007", "\u2008", "\u2009", "\u200a",
                                               "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"};
  return std::find(std::begin(unicode_spaces), std::end(unicode_spaces), c) != std::end(unicode_spaces);
}

std::string strip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right) {
  auto cs = utf8::characters(s);
  std::vector<std::string> set;
  if (chars) set = utf8::characters(*chars);
  auto strippable = [&](const std::string& c) {
    return chars ? std::find(set.begin(), set.end(), c) != set.end() : is_python_space(c);
  };
  size_t b = 0, e = cs.size();
  if (left) while (b < e && strippable(cs[b])) ++b;
  if (right) while (e > b && strippable(cs[e - 1])) --e;
  std::string out;
  for (size_t i = b; i < e; ++i) out += cs[i];
  return out;
}

std::vector<std::string> split(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit, bool from_right) {
  std::vector<std::string> parts;
  if (sep) {
    if (from_right) {
      size_t end = s.size();
      while (maxsplit < 0 || int64_t(parts.size()) < maxsplit) {
        size_t at = end >= sep->size() ? s.rfind(*sep, end - sep->size()) : std::string::npos;
        if (at == std::string::npos) break;
        parts.push_back(s.substr(at + sep->size(), end - at - sep->size()));
        end = at;
      }
      parts.push_back(s.substr(0, end));
      std::reverse(parts.begin(), parts.end());
    } else {
      size_t start = 0;
      while (maxsplit < 0 || int64_t(parts.size()) < maxsplit) {
        size_t at = s.find(*sep, start);
        if (at == std::string::npos) break;
        parts.push_back(s.substr(start, at - start));
        start = at + sep->size();
      }
      parts.push_back(s.substr(start));
    }
    return parts;
  }
  auto cs = utf8::characters(s);
  if (from_right) std::reverse(cs.begin(), cs.end());
  size_t i = 0;
  while (i < cs.size()) {
    while (i < cs.size() && is_python_space(cs[i])) ++i;
    if (i == cs.size()) break;
    if (maxsplit >= 0 && int64_t(parts.size()) == maxsplit) {
      std::string rest;  // Python keeps the whitespace at the far end of the unsplit rest
      for (size_t k = i; k < cs.size(); ++k) rest += cs[k];
      parts.push_back(rest);
      break;
    }
    std::string word;
    while (i < cs.size() && !is_python_space(cs[i])) word += cs[i++];
    parts.push_back(word);
  }
  if (from_right) {
    for (auto& p : parts) {
      auto pc = utf8::characters(p);
      std::reverse(pc.begin(), pc.end());
      p.clear();
      for (auto& c : pc) p += c;
    }
    std::reverse(parts.begin(), parts.end());
  }
  return parts;
}

std::string replace(const std::string& s, const std::string& old, const std::string& with, int64_t count) {
  std::string out;
  if (old.empty()) {  // Python inserts `with` around every character
    auto cs = utf8::characters(s);
    int64_t done = 0;
    for (auto& c : cs) {
      if (count < 0 || done < count) { out += with; ++done; }
      out += c;
    }
    if (count < 0 || done < count) out += with;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t at = s.find(old, start);
    if (at == std::string::npos) break;
    out += s.substr(start, at - start) + with;
    start = at + old.size();
    ++done;
  }
  return out + s.substr(start);
}

std::string upper(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = char(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(const std::string& s) {
  std::string out = s;
  for (auto& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string title(const std::string& s) {
  std::string out = s;
  bool previous_cased = false;
  for (auto& c : out) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      c = char(previous_cased ? std::tolower(u) : std::toupper(u));
      previous_cased = true;
    } else {
      previous_cased = u >= 0x80;  // letters beyond ASCII stay as they are and keep the word going
    }
  }
  return out;
}

std::string capitalize(const std::string& s) {
  std::string out = lower(s);
  if (!out.empty()) out[0] = char(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

int64_t count(const std::string& s, const std::string& sub) {
  if (sub.empty()) return int64_t(utf8::length(s)) + 1;
  int64_t n = 0;
  for (size_t at = s.find(sub); at != std::string::npos; at = s.find(sub, at + sub.size())) ++n;
  return n;
}

std::string center(const std::string& s, int64_t width, const std::string& fill) {
  int64_t n = int64_t(utf8::length(s));
  if (width <= n) return s;
  int64_t pad = width - n, left = pad / 2 + (pad & width & 1);
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (int64_t i = left; i < pad; ++i) out += fill;
  return out;
}

}  // namespace rbee::chat::jinja::strings
