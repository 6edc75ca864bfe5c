// DeepSeek V3 / R1 calls in their special tokens (checked against the templates under
// ../shared/fixtures/third-party/templates: extracted/deepseek-ai-DeepSeek-V3.jinja).
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::Calls;
using rbee::chat::test::calls_of;
using rbee::chat::test::parse_every_way;

const OutputFormat deepseek_v3{.tool_calls = ToolCallFormat::deepseek};
const OutputFormat deepseek_r1{.reasoning = true, .starts_in_reasoning = true, .tool_calls = ToolCallFormat::deepseek};

// sglang's deepseekv3_detector.py docstring example: two calls.
TEST(OutputDeepSeek, V3TwoCalls) {
  const ParsedOutput out = parse_every_way(
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_current_weather\n```json\n{\"location\": \"Tokyo\"}\n```"
      "<｜tool▁call▁end｜>\n<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_current_weather\n```json\n{\"location\": \"Paris\"}\n```"
      "<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
      deepseek_v3);
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"get_current_weather", R"({"location":"Tokyo"})"},
                                  {"get_current_weather", R"({"location":"Paris"})"}}));
}

// R1: the generation prompt opened <think>; reasoning, then content, then a call (the call as a
// DeepSeek-V3-0324 output quoted in a public integration note; the text around it is ours).
TEST(OutputDeepSeek, R1ReasoningThenCall) {
  const ParsedOutput out = parse_every_way(
      "Okay, the user wants the weather in 北京. I'll use get_weather.\n</think>\n\n"
      "Checking the weather.<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n"
      "{\"location\": \"北京\", \"unit\": \"c\"}\n```<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
      deepseek_r1);
  EXPECT_EQ(out.reasoning, "Okay, the user wants the weather in 北京. I'll use get_weather.");
  EXPECT_EQ(out.content, "Checking the weather.");
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", R"({"location":"北京","unit":"c"})"}}));
}

// DeepSeek V3.1's template: name<｜tool▁sep｜>arguments, no fence.
TEST(OutputDeepSeek, V31Form) {
  const ParsedOutput out = parse_every_way(
      "<｜tool▁calls▁begin｜><｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{\"city\": \"Paris\"}<｜tool▁call▁end｜><｜tool▁calls▁end｜>",
      deepseek_v3);
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", R"({"city":"Paris"})"}}));
}

TEST(OutputDeepSeek, MalformedIsContent) {
  const std::string bad = "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"location\": }\n```<｜tool▁call▁end｜>";
  ParsedOutput out = parse_every_way("<｜tool▁calls▁begin｜>" + bad + "<｜tool▁calls▁end｜>", deepseek_v3);
  EXPECT_EQ(out.content, bad);
  EXPECT_TRUE(out.tool_calls.empty());
  const std::string cut = "<｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather\n```json\n{\"location\": \"To";
  out = parse_every_way("<｜tool▁calls▁begin｜>" + cut, deepseek_v3);
  EXPECT_EQ(out.content, cut);
}

}  // namespace
