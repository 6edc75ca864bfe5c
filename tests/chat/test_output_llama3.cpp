// Llama 3.1 / 3.2 / 3.3 calls: JSON as the whole output, or after <|python_tag|>.
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::Calls;
using rbee::chat::test::calls_of;
using rbee::chat::test::parse_every_way;

const OutputFormat llama{.tool_calls = ToolCallFormat::llama3_json};

// The Llama 3.1 prompt-format page (llama.com, "JSON based tool calling"); <|eot_id|> stops
// generation, so it is not in the text.
TEST(OutputLlama3, JsonCall) {
  const ParsedOutput out = parse_every_way(
      "{\"name\": \"get_current_conditions\", \"parameters\": {\"location\": \"San Francisco, CA\", \"unit\": \"Fahrenheit\"}}",
      llama);
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"get_current_conditions", R"({"location":"San Francisco, CA","unit":"Fahrenheit"})"}}));
}

TEST(OutputLlama3, JsonCallAfterPythonTagAndTypeField) {
  const ParsedOutput out = parse_every_way(
      "<|python_tag|>{\"type\": \"function\", \"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}", llama);
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", R"({"city":"Paris"})"}}));
  const ParsedOutput bare = parse_every_way("\n{\"type\": \"function\", \"name\": \"noop\", \"parameters\": {}}", llama);
  EXPECT_EQ(calls_of(bare), (Calls{{"noop", "{}"}}));
}

// meta-llama/llama-models' test of builtin tool calls (brave_search), and the prompt-format page's
// wolfram_alpha call (precise= and n= added here to cover the other literals).
TEST(OutputLlama3, BuiltinToolCall) {
  ParsedOutput out = parse_every_way(
      "<|python_tag|>brave_search.call(query=\"current weather in Menlo Park, California\")", llama);
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"brave_search", R"({"query":"current weather in Menlo Park, California"})"}}));
  out = parse_every_way(
      "<|python_tag|>wolfram_alpha.call(query=\"solve x^3 - 4x^2 + 6x - 24 = 0\", precise=True, n=3)", llama);
  EXPECT_EQ(calls_of(out), (Calls{{"wolfram_alpha", R"({"query":"solve x^3 - 4x^2 + 6x - 24 = 0","precise":true,"n":3})"}}));
}

// With code_interpreter the model writes plain code after <|python_tag|> (the prompt-format page
// describes it; this code is ours).
TEST(OutputLlama3, CodeInterpreterCode) {
  const std::string code = "import math\nprint(math.sqrt(2) + len('a, b)'))";
  const ParsedOutput out = parse_every_way("<|python_tag|>" + code, llama);
  EXPECT_EQ(calls_of(out), (Calls{{"python", R"js({"code":"import math\nprint(math.sqrt(2) + len('a, b)'))"})js"}}));
}

TEST(OutputLlama3, JsonAnswerThatIsNoCallIsContent) {
  const std::string answer = "{\"city\": \"Paris\", \"population\": 2102650}";
  EXPECT_EQ(parse_every_way(answer, llama).content, answer);
  const std::string nameless = "{\"name\": 3, \"parameters\": {}}";
  EXPECT_EQ(parse_every_way(nameless, llama).content, nameless);
  const std::string prose = "Paris has {\"name\": \"x\", \"parameters\": {}} in it.";
  EXPECT_EQ(parse_every_way(prose, llama).content, prose);
}

TEST(OutputLlama3, MalformedIsContent) {
  const std::string cut = "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Par";
  EXPECT_EQ(parse_every_way(cut, llama).content, cut);
  const std::string bad_builtin = "<|python_tag|>brave_search.call(query=\"unterminated)";
  EXPECT_EQ(parse_every_way(bad_builtin, llama).content, bad_builtin);
}

}  // namespace
