// Mistral calls: the [TOOL_CALLS] JSON array (v3 tokenizers) and [TOOL_CALLS]name[ARGS]{...} (v11+).
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;
using rbee::chat::test::Calls;
using rbee::chat::test::calls_of;
using rbee::chat::test::parse_every_way;

const OutputFormat mistral{.tool_calls = ToolCallFormat::mistral};

// vLLM's tests/tool_use/test_mistral_tool_parser.py (pre-v11 case "single_tool_add").
TEST(OutputMistral, ArrayForm) {
  const ParsedOutput out = parse_every_way(R"([TOOL_CALLS][{"name": "add", "arguments":{"a": 3.5, "b": 4}}])", mistral);
  EXPECT_EQ(out.content, "");
  EXPECT_EQ(calls_of(out), (Calls{{"add", R"({"a":3.5,"b":4})"}}));
}

// Mistral Nemo writes ids of its own (its template's format); several calls in one array.
TEST(OutputMistral, ArrayWithSeveralCallsAndIds) {
  const ParsedOutput out = parse_every_way(
      R"([TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "VvvODy9mT"}, )"
      R"({"name": "get_weather", "arguments": {"city": "Lyon"}, "id": "a1B2c3D4e"}])",
      mistral);
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", R"({"city":"Paris"})"}, {"get_weather", R"({"city":"Lyon"})"}}));
}

// vLLM's test of the v11 form ("single_tool_add_args"), then two calls as Devstral writes them.
TEST(OutputMistral, NameArgsForm) {
  ParsedOutput out = parse_every_way(R"([TOOL_CALLS]add_this_and_that[ARGS]{"a": 3.5, "b": 4})", mistral);
  EXPECT_EQ(calls_of(out), (Calls{{"add_this_and_that", R"({"a":3.5,"b":4})"}}));
  out = parse_every_way(
      R"(I'll run both.[TOOL_CALLS]list_files[ARGS]{"path": "src/"}[TOOL_CALLS]read_file[ARGS]{"path": "README.md"})",
      mistral);
  EXPECT_EQ(out.content, "I'll run both.");
  EXPECT_EQ(calls_of(out), (Calls{{"list_files", R"({"path":"src/"})"}, {"read_file", R"({"path":"README.md"})"}}));
}

// Mistral Small 3.2's template writes [CALL_ID] between the name and [ARGS].
TEST(OutputMistral, NameCallIdArgsForm) {
  const ParsedOutput out = parse_every_way(R"([TOOL_CALLS]get_weather[CALL_ID]a1B2c3D4e[ARGS]{"city": "Paris"})", mistral);
  EXPECT_EQ(calls_of(out), (Calls{{"get_weather", R"({"city":"Paris"})"}}));
}

TEST(OutputMistral, MalformedIsContent) {
  for (const std::string text : {
           R"([TOOL_CALLS][{"name": "add", "arguments": {"a": 1})",  // cut off
           R"([TOOL_CALLS][{"name": "add", "arguments": {"a": 1}]})",  // brackets crossed
           R"([TOOL_CALLS][{"name": "add", "arguments": {"a": 01}}])",  // not JSON
           R"([TOOL_CALLS]add{"a": 1})",                                // no [ARGS]
       }) {
    const ParsedOutput out = parse_every_way(text, mistral);
    EXPECT_EQ(out.content, text);
    EXPECT_TRUE(out.tool_calls.empty()) << text;
  }
}

TEST(OutputMistral, BracketsInContentAreContent) {
  const std::string text = "Use [TOOL] or [TOOL_CALL] or [ARGS]{} and [1, 2].";
  EXPECT_EQ(parse_every_way(text, mistral).content, text);
}

}  // namespace
