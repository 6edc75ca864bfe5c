// gpt-oss's own Jinja chat template (llama.cpp's models/templates/openai-gpt-oss-120b.jinja, a
// third-party file) rendered through rbee's chat layer must equal the harmony renderer's
// render_chat for the same conversations, except where the template departs from the format
// (each such case asserts exactly how).
#include <gtest/gtest.h>

#include "chat/chat_template.hpp"
#include "chat/harmony/chat_conversation.hpp"
#include "harmony_test_support.hpp"

namespace rbee::chat::harmony {
namespace {

using nlohmann::ordered_json;

class HarmonyTemplate : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::filesystem::path path =
        rbee::test::shared_fixtures() / "third-party" / "templates" / "llama.cpp" / "openai-gpt-oss-120b.jinja";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "gpt-oss's chat template " << path << " is absent";
    template_.emplace(test::read_text(path), path.string(), ordered_json::object());
  }

  std::string jinja(const ordered_json& messages, const ordered_json& tools, bool prompt,
                    const ordered_json& extra = ordered_json::object()) const {
    return template_->render(messages, tools, prompt, extra);
  }

  // Both renderings, checked equal.
  void expect_same(const ordered_json& messages, const ordered_json& tools, bool prompt,
                   const ordered_json& extra = ordered_json::object()) const {
    EXPECT_EQ(render_chat(messages, tools, prompt, extra), jinja(messages, tools, prompt, extra))
        << messages.dump() << " tools " << tools.dump() << " extra " << extra.dump();
  }

  std::optional<ChatTemplate> template_;
};

const ordered_json weather_tools = ordered_json::parse(R"([
  {"type": "function", "function": {"name": "get_weather", "description": "Gets the weather.",
    "parameters": {"type": "object", "properties": {
      "location": {"type": "string", "description": "The city"},
      "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
      "days": {"type": "integer"},
      "hourly": {"type": "boolean"},
      "sources": {"type": "array", "items": {"type": "string"}}},
      "required": ["location"]}}},
  {"type": "function", "function": {"name": "get_time", "description": "Gets the time.",
    "parameters": {"type": "object", "properties": {}}}}
])");

TEST_F(HarmonyTemplate, PlainConversations) {
  expect_same(ordered_json::parse(R"([{"role": "user", "content": "Hi"}])"), nullptr, true);
  expect_same(ordered_json::parse(R"([{"role": "user", "content": "Hi"}])"), nullptr, true,
              {{"reasoning_effort", "high"}});
  expect_same(ordered_json::parse(R"([{"role": "user", "content": "Hi"}])"), nullptr, true,
              {{"reasoning_effort", "low"}, {"model_identity", "You are a bee."}});
  expect_same(ordered_json::parse(R"([
      {"role": "user", "content": "What is 2 + 2?"},
      {"role": "assistant", "content": "4", "thinking": "Simple."},
      {"role": "user", "content": "And 3 + 5?"}])"),
              nullptr, true);
}

TEST_F(HarmonyTemplate, ToolsAndInstructions) {
  const ordered_json ask = ordered_json::parse(R"([{"role": "user", "content": "Weather in Paris?"}])");
  expect_same(ask, weather_tools, true);
  ordered_json with_system = ask;
  with_system.insert(with_system.begin(), ordered_json{{"role", "system"}, {"content", "Be brief."}});
  expect_same(with_system, weather_tools, true);
  ordered_json with_developer = ask;
  with_developer.insert(with_developer.begin(), ordered_json{{"role", "developer"}, {"content", "Be brief."}});
  expect_same(with_developer, weather_tools, true);
}

TEST_F(HarmonyTemplate, BuiltInTools) {
  const ordered_json ask = ordered_json::parse(R"([{"role": "user", "content": "Search."}])");
  expect_same(ask, nullptr, true, {{"builtin_tools", {"browser"}}});
  expect_same(ask, nullptr, true, {{"builtin_tools", {"python", "browser"}}});
  expect_same(ask, weather_tools, true, {{"builtin_tools", {"browser", "python"}}});
}

TEST_F(HarmonyTemplate, ToolCallsBeforeAndAfterTheAnswer) {
  const ordered_json calling = ordered_json::parse(R"([
      {"role": "user", "content": "Weather in Paris?"},
      {"role": "assistant", "content": "", "thinking": "Need the tool.",
       "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris"}}}]}])");
  expect_same(calling, weather_tools, true);  // the ongoing call keeps its analysis
  ordered_json answered = calling;
  answered.push_back({{"role", "assistant"}, {"content", "Sunny."}});
  answered.push_back({{"role", "user"}, {"content", "Thanks"}});
  expect_same(answered, weather_tools, true);  // answered: the analysis goes
}

TEST_F(HarmonyTemplate, LastAnswerWithoutGenerationPrompt) {
  expect_same(ordered_json::parse(R"([
      {"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Hello!", "thinking": "Greet back."}])"),
              nullptr, false);
  expect_same(ordered_json::parse(R"([
      {"role": "user", "content": "Hi"},
      {"role": "assistant", "content": "Hello!"}])"),
              nullptr, false);
}

// The template writes a tool's result through tojson (a JSON string, quoted); harmony writes
// the result as it is, as openai/harmony and its format guide do.
TEST_F(HarmonyTemplate, ToolResultIsQuotedByTheTemplateOnly) {
  const ordered_json messages = ordered_json::parse(R"([
      {"role": "user", "content": "Weather in Paris?"},
      {"role": "assistant", "content": "",
       "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"location": "Paris"}}}]},
      {"role": "tool", "content": "{\"sunny\": true}"}])");
  const std::string ours = render_chat(messages, weather_tools, true);
  const std::string raw = "<|message|>{\"sunny\": true}<|end|>";
  ASSERT_NE(ours.find("<|start|>functions.get_weather to=assistant<|channel|>commentary" + raw), std::string::npos);
  std::string quoted = ours;
  quoted.replace(quoted.find(raw), raw.size(), "<|message|>\"{\\\"sunny\\\": true}\"<|end|>");
  EXPECT_EQ(jinja(messages, weather_tools, true), quoted);
}

// The template writes a comma after a default's comment ("// default: 1,"); harmony does not.
TEST_F(HarmonyTemplate, DefaultsEndDifferently) {
  const ordered_json tools = ordered_json::parse(R"([{"type": "function", "function": {"name": "f",
      "description": "F.", "parameters": {"type": "object", "properties": {
        "unit": {"type": "string", "enum": ["c", "f"], "default": "c"}, "days": {"type": "integer", "default": 1}}}}}])");
  const ordered_json messages = ordered_json::parse(R"([{"role": "user", "content": "Hi"}])");
  const std::string ours = render_chat(messages, tools, true);
  const std::string params = "unit?: \"c\" | \"f\", // default: c\ndays?: number, // default: 1\n";
  const size_t at = ours.find(params);
  ASSERT_NE(at, std::string::npos) << ours;
  std::string theirs = ours;
  theirs.replace(at, params.size(), "unit?: \"c\" | \"f\", // default: c,\ndays?: number, // default: 1,\n");
  EXPECT_EQ(jinja(messages, tools, true), theirs);
}

// The template ends instructions with "\n\n" even when no tools follow; harmony does not.
TEST_F(HarmonyTemplate, InstructionsWithoutToolsEndDifferently) {
  const ordered_json messages = ordered_json::parse(R"([
      {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])");
  std::string ours = render_chat(messages, nullptr, true);
  const std::string instructions = "# Instructions\n\nBe brief.";
  const size_t at = ours.find(instructions + "<|end|>");
  ASSERT_NE(at, std::string::npos);
  ours.insert(at + instructions.size(), "\n\n");
  EXPECT_EQ(jinja(messages, nullptr, true), ours);
}

}  // namespace
}  // namespace rbee::chat::harmony
