// <think> blocks of DeepSeek-R1, Qwen3 and SmolLM3 separated as reasoning.
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::parse_every_way;

const OutputFormat thinking{.reasoning = true};
const OutputFormat forced_open{.reasoning = true, .starts_in_reasoning = true};

// Qwen3 in thinking mode (the Qwen3 model card: "<think>\n...\n</think>\n\n" then the answer).
TEST(OutputReasoning, Qwen3ThinkBlockThenAnswer) {
  const ParsedOutput out = parse_every_way(
      "<think>\nOkay, the user wants 2 + 3. That is 5.\n</think>\n\n2 + 3 = **5**.", thinking);
  EXPECT_EQ(out.reasoning, "Okay, the user wants 2 + 3. That is 5.");
  EXPECT_EQ(out.content, "2 + 3 = **5**.");
  EXPECT_TRUE(out.tool_calls.empty());
}

// Qwen3 with enable_thinking=false: the template writes an empty block into the prompt and the
// output is all answer; an empty block in the output gives no reasoning either.
TEST(OutputReasoning, EmptyThinkBlockGivesNoReasoning) {
  const ParsedOutput out = parse_every_way("<think>\n\n</think>\n\nHello! How can I help?", thinking);
  EXPECT_EQ(out.reasoning, "");
  EXPECT_EQ(out.content, "Hello! How can I help?");
}

// DeepSeek-R1's template ends its generation prompt with "<think>\n": the output starts inside
// the block (the R1 model card asks to force "<think>\n" so).
TEST(OutputReasoning, DeepSeekR1StartsInsideTheBlock) {
  const ParsedOutput out = parse_every_way(
      "Okay, so I need to find 9.11 - 9.8.\nThat is -0.69.\n</think>\n\n9.11 is smaller than 9.8.", forced_open);
  EXPECT_EQ(out.reasoning, "Okay, so I need to find 9.11 - 9.8.\nThat is -0.69.");
  EXPECT_EQ(out.content, "9.11 is smaller than 9.8.");
}

TEST(OutputReasoning, RepeatedOpenTagInsideAnOpenBlockIsDropped) {
  const ParsedOutput out = parse_every_way("<think>\nHmm.\n</think>\nYes.", forced_open);
  EXPECT_EQ(out.reasoning, "Hmm.");
  EXPECT_EQ(out.content, "Yes.");
}

TEST(OutputReasoning, UnclosedBlockIsAllReasoning) {
  const ParsedOutput out = parse_every_way("<think>\nLet me count: one, two, three\n\n", thinking);
  EXPECT_EQ(out.reasoning, "Let me count: one, two, three");
  EXPECT_EQ(out.content, "");
  const ParsedOutput forced = parse_every_way("Still thinking about </th", forced_open);
  EXPECT_EQ(forced.reasoning, "Still thinking about </th");
  EXPECT_EQ(forced.content, "");
}

TEST(OutputReasoning, OutputWithoutBlockIsContent) {
  const ParsedOutput out = parse_every_way("  The answer is 4.", thinking);
  EXPECT_EQ(out.reasoning, "");
  EXPECT_EQ(out.content, "  The answer is 4.");
}

// A think tag that does not open the output is content (the model talks about tags).
TEST(OutputReasoning, ThinkMentionedInContentIsContent) {
  const std::string text = "Models such as R1 write <think> first; I think </think> closes it.";
  EXPECT_EQ(parse_every_way(text, thinking).content, text);
  const ParsedOutput after = parse_every_way("<think>x</think>Write <think>...</think> tags.", thinking);
  EXPECT_EQ(after.reasoning, "x");
  EXPECT_EQ(after.content, "Write <think>...</think> tags.");
  EXPECT_EQ(parse_every_way("<thinking>is not a tag", thinking).content, "<thinking>is not a tag");
}

TEST(OutputReasoning, ReasoningOffLeavesTagsInContent) {
  const std::string text = "<think>\nhmm\n</think>\n\nHi";
  EXPECT_EQ(parse_every_way(text, OutputFormat{}).content, text);
}

TEST(OutputReasoning, InnerWhitespaceAndNonAsciiKept) {
  const ParsedOutput out = parse_every_way("<think>\n  Étape 1 : 😀\n\n  Étape 2\n</think>\n\nRéponse : 42 ✓", thinking);
  EXPECT_EQ(out.reasoning, "Étape 1 : 😀\n\n  Étape 2");
  EXPECT_EQ(out.content, "Réponse : 42 ✓");
}

}  // namespace
