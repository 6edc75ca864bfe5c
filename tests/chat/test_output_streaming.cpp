// What each streamed delta carries: nothing of a marker before it is decided, whole characters,
// calls with ids.
#include <algorithm>
#include <cctype>
#include <set>

#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::id_seed;

const OutputFormat qwen3{.reasoning = true, .tool_calls = ToolCallFormat::hermes};

TEST(OutputStreaming, MarkerSplitAcrossPiecesIsHeldBack) {
  OutputParser parser(qwen3, id_seed);
  EXPECT_EQ(parser.push("<thi").reasoning, "");
  OutputDelta delta = parser.push("nk>\nStep one.\n</th");
  EXPECT_EQ(delta.reasoning, "Step one.");
  EXPECT_EQ(delta.content, "");
  delta = parser.push("ink>\n\nI will check.\n<too");
  EXPECT_EQ(delta.reasoning, "");
  EXPECT_EQ(delta.content, "I will check.");
  delta = parser.push("l_call>\n{\"name\": \"f\", \"arguments\": {\"x\": 1}}\n</tool_");
  EXPECT_TRUE(delta.empty());
  delta = parser.push("call>");
  ASSERT_EQ(delta.tool_calls.size(), 1u);
  EXPECT_EQ(delta.tool_calls[0].index, 0u);
  EXPECT_EQ(delta.tool_calls[0].name, "f");
  EXPECT_EQ(delta.tool_calls[0].arguments, R"({"x":1})");
  EXPECT_EQ(delta.tool_calls[0].id.size(), 9u);
  EXPECT_TRUE(parser.finish().empty());
}

TEST(OutputStreaming, HeldLookalikeIsReleasedWhenDecided) {
  OutputParser parser(qwen3, id_seed);
  EXPECT_EQ(parser.push("a <tool").content, "a");
  EXPECT_EQ(parser.push("box> b").content, " <toolbox> b");
  EXPECT_EQ(parser.push(" <tool_c").content, "");
  EXPECT_EQ(parser.finish().content, " <tool_c");
}

TEST(OutputStreaming, SplitUtf8CharacterIsHeldBack) {
  OutputParser parser(OutputFormat{}, id_seed);
  const std::string smile = "😀";
  EXPECT_EQ(parser.push("ok " + smile.substr(0, 2)).content, "ok ");
  EXPECT_EQ(parser.push(smile.substr(2)).content, smile);
  EXPECT_EQ(parser.push("\xE2\x9C").content, "");
  EXPECT_EQ(parser.finish().content, "\xE2\x9C");  // a broken character at the end goes out as it is
}

TEST(OutputStreaming, NoDeltaCarriesPartOfAMarker) {
  const std::string text =
      "<think>\nhm\n</think>\n\nText <tool_call>\n{\"name\": \"a\", \"arguments\": {}}\n</tool_call>\n"
      "<tool_call>\n{\"name\": \"b\", \"arguments\": {\"k\": \"v\"}}\n</tool_call>";
  OutputParser parser(qwen3, id_seed);
  std::size_t next_index = 0;
  for (char c : text) {
    const OutputDelta delta = parser.push(std::string_view(&c, 1));
    for (std::string_view piece : {std::string_view(delta.content), std::string_view(delta.reasoning)}) {
      EXPECT_EQ(piece.find('<'), std::string_view::npos) << piece;
      EXPECT_EQ(piece.find('>'), std::string_view::npos) << piece;
    }
    for (const ToolCallDelta& call : delta.tool_calls) EXPECT_EQ(call.index, next_index++);
  }
  EXPECT_TRUE(parser.finish().empty());
  EXPECT_EQ(next_index, 2u);
}

TEST(OutputStreaming, IdsAreDistinctAlphanumericAndFollowTheSeed) {
  const std::string text =
      "<tool_call>{\"name\": \"a\"}</tool_call><tool_call>{\"name\": \"b\"}</tool_call><tool_call>{\"name\": \"c\"}</tool_call>";
  const ParsedOutput first = parse_output(text, qwen3, 1);
  ASSERT_EQ(first.tool_calls.size(), 3u);
  std::set<std::string> ids;
  for (const ToolCall& call : first.tool_calls) {
    EXPECT_EQ(call.id.size(), 9u);
    EXPECT_TRUE(std::ranges::all_of(call.id, [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }));
    ids.insert(call.id);
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_EQ(parse_output(text, qwen3, 1), first);
  EXPECT_NE(parse_output(text, qwen3, 2).tool_calls[0].id, first.tool_calls[0].id);
}

TEST(OutputStreaming, ArbitraryBytesNeverThrow) {
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise += static_cast<char>((i * 7919 + 13) % 256);
  for (ToolCallFormat format : {ToolCallFormat::none, ToolCallFormat::hermes, ToolCallFormat::llama3_json,
                                ToolCallFormat::mistral, ToolCallFormat::deepseek}) {
    const OutputFormat with{.reasoning = true, .tool_calls = format};
    for (const std::string& text : {noise, "<tool_call>{\"name\": \"\xff\xfe\", \"arguments\": {}}</tool_call>" + noise,
                                    "[TOOL_CALLS]" + noise, "<|python_tag|>" + noise, "{\"name\": \"" + noise}) {
      EXPECT_NO_THROW(rbee::chat::test::parse_every_way(text, with));
    }
  }
}

}  // namespace
