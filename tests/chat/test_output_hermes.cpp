// Hermes-style calls: Hermes 2 Pro / 3, Qwen2.5, Qwen3, SmolLM3.
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::Calls;
using rbee::chat::test::calls_of;
using rbee::chat::test::parse_every_way;

const OutputFormat hermes{.tool_calls = ToolCallFormat::hermes};
const OutputFormat qwen3{.reasoning = true, .tool_calls = ToolCallFormat::hermes};

// Qwen2.5's reply in the Qwen docs' function-calling guide (docs/source/framework/function_call.md).
TEST(OutputHermes, Qwen25TwoCalls) {
  const ParsedOutput out = parse_every_way(
      "<tool_call>\n"
      "{\"name\": \"get_current_temperature\", \"arguments\": {\"location\": \"San Francisco, CA, USA\"}}\n"
      "</tool_call>\n"
      "<tool_call>\n"
      "{\"name\": \"get_temperature_date\", \"arguments\": {\"location\": \"San Francisco, CA, USA\", \"date\": \"2024-10-01\"}}\n"
      "</tool_call>",
      hermes);
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{
      {"get_current_temperature", R"({"location":"San Francisco, CA, USA"})"},
      {"get_temperature_date", R"({"location":"San Francisco, CA, USA","date":"2024-10-01"})"},
  }));
}

// Qwen3 in thinking mode: its think block, then a call shaped as in the guide above.
TEST(OutputHermes, Qwen3ReasoningThenCall) {
  const ParsedOutput out = parse_every_way(
      "<think>\nOkay, the user is asking for the temperature in San Francisco. I should call "
      "get_current_temperature.\n</think>\n\n"
      "<tool_call>\n{\"name\": \"get_current_temperature\", \"arguments\": {\"location\": \"San Francisco, CA, USA\", "
      "\"unit\": \"celsius\"}}\n</tool_call>",
      qwen3);
  EXPECT_EQ(out.reasoning,
            "Okay, the user is asking for the temperature in San Francisco. I should call get_current_temperature.");
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"get_current_temperature", R"({"location":"San Francisco, CA, USA","unit":"celsius"})"}}));
}

// The call is Hermes 2 Pro's model card example (arguments before name); the text around it is ours.
TEST(OutputHermes, ContentBeforeAndAfterCalls) {
  const ParsedOutput out = parse_every_way(
      "Let me look that up.\n\n<tool_call>\n{\"arguments\": {\"symbol\": \"TSLA\"}, \"name\": \"get_stock_fundamentals\"}\n"
      "</tool_call>\n\nDone.",
      hermes);
  EXPECT_EQ(out.content, "Let me look that up.Done.");
  EXPECT_EQ(calls_of(out), (Calls{{"get_stock_fundamentals", R"({"symbol":"TSLA"})"}}));
}

TEST(OutputHermes, UnclosedButCompleteCallAtTheEndIsACall) {
  const ParsedOutput out = parse_every_way("<tool_call>\n{\"name\": \"ping\", \"arguments\": {}}\n", hermes);
  EXPECT_EQ(calls_of(out), (Calls{{"ping", "{}"}}));
  EXPECT_EQ(out.content, "");
}

TEST(OutputHermes, MalformedJsonIsContent) {
  const std::string broken = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"\n</tool_call>";
  ParsedOutput out = parse_every_way(broken, hermes);
  EXPECT_EQ(out.content, broken);
  EXPECT_TRUE(out.tool_calls.empty());
  // Cut off by the token limit.
  out = parse_every_way("Sure.\n<tool_call>\n{\"name\": \"get_weather\", \"argu", hermes);
  EXPECT_EQ(out.content, "Sure.<tool_call>\n{\"name\": \"get_weather\", \"argu");
  EXPECT_TRUE(out.tool_calls.empty());
  // Valid JSON that is no call.
  out = parse_every_way("<tool_call>[1, 2]</tool_call>", hermes);
  EXPECT_EQ(out.content, "<tool_call>[1, 2]</tool_call>");
}

TEST(OutputHermes, MarkerLookalikesAreContent) {
  const std::string text = "Use <tool to call, or <tool_calls>, or </tool_call> or a < tool_call>.";
  const ParsedOutput out = parse_every_way(text, hermes);
  EXPECT_EQ(out.content, text);
  EXPECT_TRUE(out.tool_calls.empty());
  EXPECT_EQ(parse_every_way("ends with <tool", hermes).content, "ends with <tool");
}

TEST(OutputHermes, ArgumentsKeepOrderAndUnicode) {
  const ParsedOutput out = parse_every_way(
      "<tool_call>\n{\"name\": \"translate\", \"arguments\": {\"z\": \"日本語 😀\", \"a\": [1, 2.5, null], \"q\": \"say \\\"hi\\\"\"}}\n</tool_call>",
      hermes);
  EXPECT_EQ(calls_of(out), (Calls{{"translate", R"({"z":"日本語 😀","a":[1,2.5,null],"q":"say \"hi\""})"}}));
}

}  // namespace
