// gpt-oss's harmony output read into content, reasoning and tool calls, whole and streamed.
#include <gtest/gtest.h>

#include "output_test_support.hpp"

namespace rbee::chat::test {
namespace {

OutputFormat harmony_format(bool tool_calls = true) {
  OutputFormat format;
  format.harmony = true;
  format.tool_calls = tool_calls ? ToolCallFormat::harmony : ToolCallFormat::none;
  return format;
}

TEST(OutputHarmony, DetectedFromTheTemplate) {
  const OutputFormat format = detect_output_format("{{- \"<|start|>assistant<|channel|>final<|message|>\" }}", "");
  EXPECT_TRUE(format.harmony);
  EXPECT_EQ(format.tool_calls, ToolCallFormat::harmony);
  EXPECT_FALSE(detect_output_format("<|im_start|>assistant\n", "").harmony);
}

TEST(OutputHarmony, AnalysisIsReasoningFinalIsContent) {
  const ParsedOutput out = parse_every_way(
      "<|channel|>analysis<|message|>User asks 2+2. Answer 4.<|end|>"
      "<|start|>assistant<|channel|>final<|message|>2 + 2 = 4.",
      harmony_format());
  EXPECT_EQ(out.reasoning, "User asks 2+2. Answer 4.");
  EXPECT_EQ(out.content, "2 + 2 = 4.");
  EXPECT_TRUE(out.tool_calls.empty());
}

TEST(OutputHarmony, FunctionCallOnTheCommentaryChannel) {
  // <|call|> ends generation: the output stops before it.
  const ParsedOutput out = parse_every_way(
      "<|channel|>analysis<|message|>Need the weather.<|end|>"
      "<|start|>assistant<|channel|>commentary to=functions.get_weather <|constrain|>json<|message|>"
      "{\"location\": \"Tokyo\", \"unit\": \"c\"}",
      harmony_format());
  EXPECT_EQ(out.reasoning, "Need the weather.");
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", "{\"location\":\"Tokyo\",\"unit\":\"c\"}"}}));
  ASSERT_EQ(out.tool_calls.size(), 1u);
  EXPECT_EQ(out.tool_calls[0].id.size(), 9u);
}

TEST(OutputHarmony, RecipientBeforeTheChannelAndCallToken) {
  const ParsedOutput out = parse_every_way(
      "<|start|>assistant to=functions.lookup<|channel|>commentary json<|message|>{\"q\": 1}<|call|>", harmony_format());
  EXPECT_EQ(calls_of(out), (Calls{{"lookup", "{\"q\":1}"}}));
}

TEST(OutputHarmony, ArgumentsThatAreNotAnObjectComeAsWritten) {
  const ParsedOutput out =
      parse_every_way("<|channel|>commentary to=functions.f json<|message|> {\"a\": <|call|>", harmony_format());
  EXPECT_EQ(calls_of(out), (Calls{{"f", "{\"a\":"}}));
}

TEST(OutputHarmony, WithoutToolCallsACallIsContent) {
  const ParsedOutput out = parse_every_way(
      "<|channel|>commentary to=functions.f json<|message|>{\"a\": 1}<|call|>", harmony_format(false));
  EXPECT_TRUE(out.tool_calls.empty());
  EXPECT_EQ(out.content, "{\"a\": 1}");
}

TEST(OutputHarmony, BuiltInToolCallsAreReasoning) {
  const ParsedOutput out = parse_every_way(
      "<|channel|>analysis<|message|>Let me search.<|end|>"
      "<|start|>assistant<|channel|>analysis to=browser.search code<|message|>{\"query\": \"x\"}<|call|>",
      harmony_format());
  EXPECT_TRUE(out.tool_calls.empty());
  EXPECT_EQ(out.reasoning, "Let me search.\n\n{\"query\": \"x\"}");
}

TEST(OutputHarmony, MessagesOfOneKindAreJoined) {
  const ParsedOutput out = parse_every_way(
      "<|channel|>analysis<|message|>First.<|end|><|start|>assistant<|channel|>commentary<|message|>Preamble.<|end|>"
      "<|start|>assistant<|channel|>analysis<|message|>Second.<|end|>"
      "<|start|>assistant<|channel|>final<|message|>Answer.<|return|>",
      harmony_format());
  EXPECT_EQ(out.reasoning, "First.\n\nSecond.");
  EXPECT_EQ(out.content, "Preamble.\n\nAnswer.");
}

TEST(OutputHarmony, DeltasNeverCarryPartOfAMarker) {
  OutputParser parser(harmony_format(), id_seed);
  std::string seen;
  for (const char c : std::string_view("<|channel|>final<|message|>a<b<|end|>")) {
    const OutputDelta delta = parser.push(std::string(1, c));
    EXPECT_EQ(delta.content.find("<|"), std::string::npos) << delta.content;
    seen += delta.content;
  }
  seen += parser.finish().content;
  EXPECT_EQ(seen, "a<b");
}

}  // namespace
}  // namespace rbee::chat::test
