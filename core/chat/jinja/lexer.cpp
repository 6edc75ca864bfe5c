#include "chat/jinja/lexer.hpp"

#include <array>
#include <cctype>
#include <string_view>

#include "chat/jinja/error.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// jinja2 joins source.splitlines() with "\n": CR LF and CR become LF, one trailing newline goes.
std::string normalize_newlines(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class Lexer {
 public:
  Lexer(const std::string& source, const std::string& name) : src_(normalize_newlines(source)), name_(name) {}

  std::vector<Token> run() {
    while (pos_ < src_.size()) {
      size_t open = find_tag(pos_);
      std::string text = src_.substr(pos_, open - pos_);
      if (open == src_.size()) {
        emit_text(std::move(text), pos_);
        pos_ = open;
        break;
      }
      char kind = src_[open + 1];
      char modifier = open + 2 < src_.size() ? src_[open + 2] : '\0';
      if (modifier == '-') {
        size_t keep = text.size();
        while (keep > 0 && is_space(text[keep - 1])) --keep;
        text.resize(keep);
      } else if (modifier != '+' && kind != '{') {
        lstrip(text, pos_);
      }
      emit_text(std::move(text), pos_);
      size_t after = open + 2 + ((modifier == '-' || modifier == '+') ? 1 : 0);
      int line = line_at(open);
      if (kind == '#') {
        skip_comment(after, line);
      } else if (kind == '%' && lex_raw(after, line)) {
        continue;
      } else {
        tokens_.push_back({kind == '{' ? Token::Type::print_begin : Token::Type::block_begin, "", line});
        pos_ = after;
        lex_tag(kind == '{' ? '}' : '%', line);
      }
    }
    tokens_.push_back({Token::Type::end, "", line_at(src_.size())});
    return std::move(tokens_);
  }

 private:
  [[noreturn]] void fail(int line, const std::string& what) {
    throw Error(name_ + ":" + std::to_string(line) + ": " + what);
  }

  int line_at(size_t pos) {
    for (; line_pos_ < pos && line_pos_ < src_.size(); ++line_pos_)
      if (src_[line_pos_] == '\n') ++line_;
    return line_;
  }

  size_t find_tag(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i)
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    return src_.size();
  }

  // lstrip_blocks: spaces and tabs between the line's start and a block tag go.
  void lstrip(std::string& text, size_t text_start) const {
    size_t line_start = text.rfind('\n');
    size_t from = line_start == std::string::npos ? 0 : line_start + 1;
    if (line_start == std::string::npos && text_start != 0 && src_[text_start - 1] != '\n') return;
    for (size_t i = from; i < text.size(); ++i)
      if (!is_space(text[i])) return;
    text.resize(from);
  }

  void emit_text(std::string text, size_t at) {
    if (!text.empty()) tokens_.push_back({Token::Type::text, std::move(text), line_at(at)});
  }

  // After a tag's end: `-` strips all following whitespace, trim_blocks one newline.
  void after_end(bool strip, bool plus, bool trim) {
    if (strip) {
      while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
    } else if (!plus && trim && pos_ < src_.size() && src_[pos_] == '\n') {
      ++pos_;
    }
  }

  void skip_comment(size_t from, int line) {
    size_t close = src_.find("#}", from);
    if (close == std::string::npos) fail(line, "missing end of comment tag");
    bool strip = close > from && src_[close - 1] == '-';
    bool plus = close > from && src_[close - 1] == '+';
    pos_ = close + 2;
    after_end(strip, plus, true);
  }

  // The end of `raw%}` or `raw-%}` (spaces allowed around `raw`) at `pos`, or npos.
  size_t raw_tag_end(size_t pos, const char* word, bool allow_plus, char& sign) const {
    while (pos < src_.size() && is_space(src_[pos])) ++pos;
    size_t n = std::char_traits<char>::length(word);
    if (src_.compare(pos, n, word) != 0) return std::string::npos;
    pos += n;
    while (pos < src_.size() && is_space(src_[pos])) ++pos;
    for (char s : {'-', '+', '\0'}) {
      if (s == '+' && !allow_plus) continue;
      std::string end = s ? std::string(1, s) + "%}" : std::string("%}");
      if (src_.compare(pos, end.size(), end) == 0) {
        sign = s;
        return pos + end.size();
      }
    }
    return std::string::npos;
  }

  // `{% raw %}...{% endraw %}`, lexed as jinja2 does: the body is text; whitespace control and
  // lstrip_blocks apply around both tags, trim_blocks only after endraw. False when not raw.
  bool lex_raw(size_t after_open, int line) {
    char sign = '\0';
    size_t body = raw_tag_end(after_open, "raw", false, sign);
    if (body == std::string::npos) return false;
    pos_ = body;
    after_end(sign == '-', false, false);
    body = pos_;
    for (size_t open = src_.find("{%", body); open != std::string::npos; open = src_.find("{%", open + 1)) {
      char modifier = open + 2 < src_.size() ? src_[open + 2] : '\0';
      bool has_modifier = modifier == '-' || modifier == '+';
      char end_sign = '\0';
      size_t end = raw_tag_end(open + 2 + (has_modifier ? 1 : 0), "endraw", true, end_sign);
      if (end == std::string::npos) continue;
      std::string text = src_.substr(body, open - body);
      if (modifier == '-') {
        size_t keep = text.size();
        while (keep > 0 && is_space(text[keep - 1])) --keep;
        text.resize(keep);
      } else if (modifier != '+') {
        lstrip(text, body);
      }
      emit_text(std::move(text), body);
      pos_ = end;
      after_end(end_sign == '-', end_sign == '+', true);
      return true;
    }
    fail(line, "Missing end of raw directive");
  }

  void lex_tag(char closer, int open_line) {
    int brackets = 0;  // as jinja2: inside (), [] or {} a '}}' or '%}' does not end the tag
    while (true) {
      while (pos_ < src_.size() && is_space(src_[pos_])) ++pos_;
      if (pos_ >= src_.size()) fail(open_line, closer == '%' ? "unexpected end of template, expected '%}'" : "unexpected end of template, expected '}}'");
      int line = line_at(pos_);
      std::string_view rest(src_.data() + pos_, src_.size() - pos_);
      for (char sign : {'-', '+', '\0'}) {
        if (brackets > 0) break;
        std::string end = sign ? std::string(1, sign) : std::string();
        end += closer;
        end += '}';
        if (rest.substr(0, end.size()) == end && !(sign == '+' && closer == '}')) {
          tokens_.push_back({closer == '}' ? Token::Type::print_end : Token::Type::block_end, "", line});
          pos_ += end.size();
          after_end(sign == '-', sign == '+', closer == '%');
          return;
        }
      }
      char c = src_[pos_];
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t start = pos_;
        while (pos_ < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
        tokens_.push_back({Token::Type::name, src_.substr(start, pos_ - start), line});
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        lex_number(line);
      } else if (c == '\'' || c == '"') {
        lex_string(c, line);
      } else {
        static const std::array<std::string_view, 26> ops = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%",
                                                             "~", "<", ">", "=", "(", ")", "[", "]", "{", "}", ",",
                                                             ".", ":", "|", ";"};
        bool found = false;
        for (auto op : ops) {
          if (rest.substr(0, op.size()) == op) {
            if (op == "(" || op == "[" || op == "{") ++brackets;
            if ((op == ")" || op == "]" || op == "}") && brackets > 0) --brackets;
            tokens_.push_back({Token::Type::op, std::string(op), line});
            pos_ += op.size();
            found = true;
            break;
          }
        }
        if (!found) fail(line, std::string("unexpected char '") + c + "'");
      }
    }
  }

  void lex_number(int line) {
    size_t start = pos_;
    auto digits = [&] {
      while (pos_ < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
    };
    digits();
    bool real = false;
    if (pos_ + 1 < src_.size() && src_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
      real = true;
      ++pos_;
      digits();
    }
    if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
      size_t save = pos_++;
      if (pos_ < src_.size() && (src_[pos_] == '+' || src_[pos_] == '-')) ++pos_;
      if (pos_ < src_.size() && std::isdigit(static_cast<unsigned char>(src_[pos_]))) {
        real = true;
        digits();
      } else {
        pos_ = save;
      }
    }
    std::string text;
    for (size_t i = start; i < pos_; ++i)
      if (src_[i] != '_') text += src_[i];
    tokens_.push_back({real ? Token::Type::real : Token::Type::integer, text, line});
  }

  // A string literal, its escapes decoded as Python's unicode-escape does.
  void lex_string(char quote, int line) {
    std::string out;
    ++pos_;
    while (true) {
      if (pos_ >= src_.size()) fail(line, "unexpected end of string");
      char c = src_[pos_++];
      if (c == quote) break;
      if (c != '\\') { out += c; continue; }
      if (pos_ >= src_.size()) fail(line, "unexpected end of string");
      char e = src_[pos_++];
      // \xHH, \uHHHH, \UHHHHHHHH: exactly n hex digits naming a code point, as Python requires.
      auto hex = [&](int n) {
        if (pos_ + n > src_.size()) fail(line, std::string("truncated \\") + e + " escape");
        uint32_t cp = 0;
        for (int i = 0; i < n; ++i) {
          const char d = src_[pos_ + i];
          const int v = d >= '0' && d <= '9' ? d - '0' : d >= 'a' && d <= 'f' ? d - 'a' + 10 : d >= 'A' && d <= 'F' ? d - 'A' + 10 : -1;
          if (v < 0) fail(line, std::string("\\") + e + " escape needs " + std::to_string(n) + " hex digits");
          cp = cp * 16 + uint32_t(v);
        }
        if (cp > 0x10FFFF) fail(line, std::string("\\") + e + " escape past the last code point U+10FFFF");
        pos_ += n;
        out += utf8::encode(char32_t(cp));
      };
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case '\n': break;
        case 'x': hex(2); break;
        case 'u': hex(4); break;
        case 'U': hex(8); break;
        default: out += '\\'; out += e;
      }
    }
    tokens_.push_back({Token::Type::string, std::move(out), line});
  }

  std::string src_;
  const std::string& name_;
  size_t pos_ = 0;
  size_t line_pos_ = 0;
  int line_ = 1;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source, const std::string& template_name) {
  return Lexer(source, template_name).run();
}

}  // namespace rbee::chat::jinja
