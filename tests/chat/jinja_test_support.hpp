#pragma once
#include <gtest/gtest.h>

#include <ctime>
#include <nlohmann/json.hpp>
#include <string>

#include "chat/jinja/template.hpp"

namespace rbee::test::chat {

// A template, its context (JSON text) and what jinja2 rendered.
struct RenderCase {
  const char* name;
  const char* source;
  const char* context;
  const char* expected;
};

// A template jinja2 rejects (at parse or render time), the line rbee must name and, when given,
// words of jinja2's message that rbee's must hold too.
struct ErrorCase {
  const char* name;
  const char* source;
  const char* context;
  int line;
  const char* message = nullptr;
};

// strftime_now's clock in the tests: 2025-06-15 (a Sunday) 09:30, as in the Python generators (tools/chat-templates).
inline rbee::chat::jinja::RenderOptions fixed_clock() {
  rbee::chat::jinja::RenderOptions options;
  std::tm now{};
  now.tm_year = 2025 - 1900;
  now.tm_mon = 5;
  now.tm_mday = 15;
  now.tm_hour = 9;
  now.tm_min = 30;
  now.tm_wday = 0;
  now.tm_yday = 165;
  options.now = now;
  return options;
}

inline std::string render(const std::string& source, const std::string& context = "{}") {
  return rbee::chat::jinja::Template::parse(source, "test").render(nlohmann::ordered_json::parse(context), fixed_clock());
}

inline void expect_render(const RenderCase& c) {
  try {
    EXPECT_EQ(render(c.source, c.context), c.expected) << c.name << ": " << c.source;
  } catch (const std::exception& e) {
    ADD_FAILURE() << c.name << ": " << e.what() << "\n" << c.source;
  }
}

inline void expect_error(const ErrorCase& c) {
  try {
    std::string out = render(c.source, c.context);
    ADD_FAILURE() << c.name << ": rendered \"" << out << "\" but jinja2 rejects it";
  } catch (const rbee::chat::jinja::Error& e) {
    std::string where = "test:" + std::to_string(c.line) + ": ";
    EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << c.name << ": " << e.what() << " (want " << where << ")";
    if (c.message) {
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << c.name << ": " << e.what() << " (want " << c.message << ")";
    }
  }
}

}  // namespace rbee::test::chat
