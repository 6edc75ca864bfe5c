// Bad templates end in a clear jinja::Error naming the line, never a crash or a hang.
#include <gtest/gtest.h>

#include "jinja_test_support.hpp"

namespace {

using rbee::test::chat::render;
namespace jinja = rbee::chat::jinja;

std::string error_of(const std::string& source, const std::string& context = "{}",
                     const jinja::RenderOptions& options = rbee::test::chat::fixed_clock()) {
  try {
    jinja::Template::parse(source, "bad").render(nlohmann::ordered_json::parse(context), options);
  } catch (const jinja::Error& e) {
    return e.what();
  }
  return "";
}

TEST(JinjaBadInput, InfiniteMacroRecursionIsStopped) {
  std::string e = error_of("{% macro loop_forever(n) %}{{ loop_forever(n + 1) }}{% endmacro %}\n{{ loop_forever(0) }}");
  EXPECT_NE(e.find("maximum recursion depth"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("bad:", 0), 0u) << e;
}

TEST(JinjaBadInput, InfiniteRecursiveLoopIsStopped) {
  std::string e = error_of("{% for x in [1] recursive %}\n{{ loop([x]) }}{% endfor %}");
  EXPECT_NE(e.find("maximum recursion depth exceeded in a recursive loop"), std::string::npos) << e;
  EXPECT_EQ(e.rfind("bad:2:", 0), 0u) << e;
}

TEST(JinjaBadInput, RecursiveLoopCalledAfterItEndedIsAnError) {
  // jinja2 would run it; rbee refuses rather than reach the loop's finished scope.
  std::string e = error_of("{% set ns = namespace() %}{% for x in [1] recursive %}{% set ns.l = loop %}{% endfor %}\n{{ ns.l([2]) }}");
  EXPECT_EQ(e, "bad:2: the loop was called after it ended");
}

TEST(JinjaBadInput, CallerCalledAfterItsBlockEndedIsAnError) {
  // jinja2 would run it; rbee refuses rather than reach the call block's finished scope.
  std::string e = error_of(
      "{% set ns = namespace() %}{% macro m() %}{% set ns.c = caller %}{% endmacro %}"
      "{% for i in [1] %}{% call m() %}{{ i }}{% endcall %}{% endfor %}\n{{ ns.c() }}");
  EXPECT_EQ(e, "bad:2: caller was called after its {% call %} block ended");
}

// Found by fuzz_chat_template: a \u escape of non-hex text escaped std::stoul's exception.
TEST(JinjaBadInput, BadStringEscapesAreErrors) {
  EXPECT_EQ(error_of("{{ 'a\\u12G4' }}"), "bad:1: \\u escape needs 4 hex digits");
  EXPECT_EQ(error_of("\n{{ 'a\\x+1' }}"), "bad:2: \\x escape needs 2 hex digits");
  EXPECT_EQ(error_of("{{ '\\U00110000' }}"), "bad:1: \\U escape past the last code point U+10FFFF");
  EXPECT_EQ(error_of("{{ '\\u12' }}"), "bad:1: \\u escape needs 4 hex digits");
  EXPECT_EQ(error_of("{{ 'x\\u1"), "bad:1: truncated \\u escape");
  EXPECT_EQ(render("{{ '\\x41\\u00e9\\U0001F41D' }}", "{}"), "A\u00e9\U0001F41D");
}

// Found by fuzz_chat_template: digits past 64 bits reached std::stoll, whose out_of_range escaped.
TEST(JinjaBadInput, NumbersPast64BitsAreErrors) {
  EXPECT_EQ(error_of("{{ x.99999999999999999999 }}", R"({"x": [1]})"),
            "bad:1: integer literal 99999999999999999999 does not fit in 64 bits");
  EXPECT_NE(error_of("{{ [[1]]|map(attribute='99999999999999999999')|list }}").find("does not fit in 64 bits"), std::string::npos);
  EXPECT_NE(error_of("{{ '{99999999999999999999}'.format(1) }}").find("out of range"), std::string::npos);
  EXPECT_NE(error_of("{{ '{0[99999999999999999999]}'.format([1]) }}").find("does not fit in 64 bits"), std::string::npos);
  EXPECT_EQ(render("{{ 1e999 }}", "{}"), "inf");  // Python's float literal past the range
}

TEST(JinjaBadInput, TenMegabyteTemplateRenders) {
  const std::string filler(1000, 'x');
  std::string source;
  while (source.size() < (size_t(10) << 20)) source += "{% if flag %}{{ n }}{% endif %}" + filler + "\n";
  std::string out = render(source, R"({"flag": true, "n": 1})");
  EXPECT_GT(out.size(), size_t(9) << 20);
}

TEST(JinjaBadInput, DeepNestingIsAnError) {
  std::string source = "{{ " + std::string(100000, '(') + "1" + std::string(100000, ')') + " }}";
  std::string e = error_of(source);
  EXPECT_NE(e.find("bad:1: template nested too deeply"), std::string::npos) << e;
  std::string blocks;
  for (int i = 0; i < 100000; ++i) blocks += "{% if true %}";
  e = error_of(blocks);
  EXPECT_NE(e.find("nested too deeply"), std::string::npos) << e;
}

TEST(JinjaBadInput, OutputSizeIsLimited) {
  jinja::RenderOptions options;
  options.max_output_bytes = 1000;
  std::string e = error_of("{% for i in range(100) %}\n{{ 'x' * 100 }}{% endfor %}", "{}", options);
  EXPECT_NE(e.find("bad:2: output exceeds the limit of 1000 bytes"), std::string::npos) << e;
  e = error_of("{{ 'x' * 1000000000000 }}");
  EXPECT_NE(e.find("too large"), std::string::npos) << e;
}

TEST(JinjaBadInput, IntegersBeyond64BitsAreAnError) {
  // Python's ints grow without bound; rbee's are 64-bit and say so rather than wrap.
  EXPECT_NE(error_of("{{ 9223372036854775807 + 1 }}").find("does not fit in 64 bits"), std::string::npos);
  EXPECT_NE(error_of("{{ 3 ** 1000000000000 }}").find("does not fit in 64 bits"), std::string::npos);
  EXPECT_EQ(render("{{ 3 ** 39 }} {{ -9223372036854775807 // -1 }}"), "4052555153018976267 9223372036854775807");
  EXPECT_EQ(error_of("\n{{ 99999999999999999999 }}"), "bad:2: integer literal 99999999999999999999 does not fit in 64 bits");
  EXPECT_NE(error_of("{{ '99999999999999999999' | int }}").find("bad:1: int filter: 99999999999999999999 does not fit in 64 bits"),
            std::string::npos);
}

TEST(JinjaBadInput, UnknownFilterIsRejected) {
  // As jinja2 3.x: at parse time, even where never reached (here a loop over nothing)...
  EXPECT_EQ(error_of("{% for m in [] %}\n{{ m | frobnicate }}{% endfor %}"), "bad:2: No filter named 'frobnicate'.");
  // ...except inside an if, where it fails only when reached.
  EXPECT_EQ(render("{% if x %}{{ x | frobnicate }}{% endif %}"), "");
  EXPECT_EQ(error_of("{% if x %}\n{{ x | frobnicate }}{% endif %}", R"({"x": 1})"), "bad:2: No filter named 'frobnicate' found.");
}

TEST(JinjaBadInput, SyntaxErrorNamesTheLine) {
  std::string e = error_of("{% for m in messages %}\n{{ m.content }}\n{% endfor %}\n{{ 1 + }}\n");
  EXPECT_EQ(e.rfind("bad:4: ", 0), 0u) << e;
  e = error_of("{% if x %}\n\nno end");
  EXPECT_NE(e.find("'endif'"), std::string::npos) << e;
}

TEST(JinjaBadInput, ContextMustBeAnObject) {
  EXPECT_THROW(jinja::Template::parse("x", "bad").render(nlohmann::ordered_json::array()), jinja::Error);
}

}  // namespace
