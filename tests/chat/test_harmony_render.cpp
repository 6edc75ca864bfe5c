// The harmony renderer against openai/harmony's own test vectors: each conversation built as
// the reference's tests/test_harmony.py builds it, rendered, equal byte for byte.
#include <gtest/gtest.h>

#include "chat/harmony/renderer.hpp"
#include "chat/harmony/tool_sections.hpp"
#include "harmony_test_support.hpp"

namespace rbee::chat::harmony {
namespace {

using nlohmann::ordered_json;

const std::string identity = "You are ChatGPT, a large language model trained by OpenAI.";

Message system(SystemContent content) { return {Role::system, "", "", "", "", std::move(content)}; }
Message developer(DeveloperContent content) { return {Role::developer, "", "", "", "", std::move(content)}; }
Message user(std::string text) { return {Role::user, "", "", "", "", std::move(text)}; }
Message assistant(std::string channel, std::string text) {
  return {Role::assistant, "", "", std::move(channel), "", std::move(text)};
}

DeveloperContent function_tools(std::vector<ToolDescription> tools, std::optional<std::string> instructions = {}) {
  return {std::move(instructions), {{"functions", "", std::move(tools)}}};
}

TEST(HarmonyRender, SimpleConvo) {
  RBEE_HARMONY_VECTOR(expected, "test_simple_convo");
  EXPECT_EQ(render_for_completion({system({}), user("What is 2 + 2?")}), expected);
}

TEST(HarmonyRender, ReasoningEffortWithAndWithoutInstructions) {
  const std::pair<ReasoningEffort, const char*> efforts[] = {
      {ReasoningEffort::low, "low"}, {ReasoningEffort::medium, "medium"}, {ReasoningEffort::high, "high"}};
  for (const auto& [effort, name] : efforts) {
    for (const bool instructions : {true, false}) {
      const std::string file =
          std::string("test_simple_convo_") + name + "_effort" + (instructions ? "" : "_no_instruction");
      RBEE_HARMONY_VECTOR(expected, file);
      SystemContent content;
      content.reasoning_effort = effort;
      std::vector<Message> messages{system(content)};
      if (instructions) messages.push_back(developer({"Answer the user's questions like a robot.", {}}));
      messages.push_back(user("What is the capital of the largest country in the world?"));
      EXPECT_EQ(render_for_completion(messages), expected) << file;
    }
  }
}

TEST(HarmonyRender, RequiredChannelsAndDates) {
  struct Case {
    const char* file;
    ReasoningEffort effort;
    std::optional<std::string> date, cutoff;
    const char* question;
  };
  const Case cases[] = {
      {"test_reasoning_system_message", ReasoningEffort::medium, {}, {}, "What is 2 + 2?"},
      {"test_reasoning_system_message_no_instruction", ReasoningEffort::high, {}, {},
       "What is the best place to eat candy in the world?"},
      {"test_reasoning_system_message_with_dates", ReasoningEffort::medium, "2021-01-01", "2021-01", "What is 42 * pi?"},
  };
  for (const Case& c : cases) {
    RBEE_HARMONY_VECTOR(expected, c.file);
    SystemContent content;
    content.model_identity = identity;
    content.reasoning_effort = c.effort;
    content.valid_channels = {"analysis", "final"};
    content.conversation_start_date = c.date;
    if (c.cutoff) content.knowledge_cutoff = c.cutoff;
    EXPECT_EQ(render_for_completion({system(content), user(c.question)}), expected) << c.file;
  }
}

TEST(HarmonyRender, FunctionsWithParameters) {
  RBEE_HARMONY_VECTOR(expected, "test_render_functions_with_parameters");
  SystemContent content;
  content.reasoning_effort = ReasoningEffort::high;
  content.conversation_start_date = "2025-06-28";
  const ordered_json format = {{"type", "string"}, {"enum", {"celsius", "fahrenheit"}}, {"default", "celsius"}};
  const ordered_json weather = {
      {"type", "object"},
      {"properties",
       {{"location", {{"type", "string"}, {"description", "The city and state, e.g. San Francisco, CA"}}},
        {"format", format}}},
      {"required", ordered_json::array({"location"})}};
  const ordered_json weathers = {
      {"type", "object"},
      {"properties",
       {{"locations",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "List of city and state, e.g. [\"San Francisco, CA\", \"New York, NY\"]"}}},
        {"format", format}}},
      {"required", ordered_json::array({"locations"})}};
  const ordered_json kitchensink = {
      {"description", "params object"},
      {"type", "object"},
      {"properties",
       {{"string",
         {{"type", "string"}, {"title", "STRING"}, {"description", "A string"}, {"examples", {"hello", "world"}}}},
        {"string_nullable",
         {{"type", "string"}, {"nullable", true}, {"description", "A nullable string"}, {"default", "the default"}}},
        {"string_enum", {{"type", "string"}, {"enum", {"a", "b", "c"}}}},
        {"oneof_string_or_number",
         {{"oneOf",
           {{{"type", "string"}, {"default", "default_string_in_oneof"}},
            {{"type", "number"}, {"description", "numbers can happen too"}}}},
          {"description", "a oneof"},
          {"default", 20}}}}}};
  const std::vector<Message> messages{
      system(content),
      developer(function_tools(
          {
              {"get_location", "Gets the location of the user.", nullptr},
              {"get_current_weather", "Gets the current weather in the provided location.", weather},
              {"get_multiple_weathers", "Gets the current weather in the provided list of locations.", weathers},
              {"kitchensink", "A function with various complex schemas.", kitchensink},
          },
          "Always respond in riddles")),
      user("What is the weather like in SF?"),
  };
  EXPECT_EQ(render_for_completion(messages), expected);
}

SystemContent dated(std::vector<ToolNamespace> tools = {}) {
  SystemContent content;
  content.conversation_start_date = "2025-06-28";
  content.tools = std::move(tools);
  return content;
}

TEST(HarmonyRender, BuiltInTools) {
  {
    RBEE_HARMONY_VECTOR(expected, "test_no_tools");
    EXPECT_EQ(render_for_completion({system(dated())}), expected);
  }
  {
    RBEE_HARMONY_VECTOR(expected, "test_browser_tool_only");
    EXPECT_EQ(render_for_completion({system(dated({browser_tool()}))}), expected);
  }
  {
    RBEE_HARMONY_VECTOR(expected, "test_browser_and_python_tool");
    // Given in the other order: namespaces render in name order.
    EXPECT_EQ(render_for_completion({system(dated({python_tool(), browser_tool()}))}), expected);
  }
  {
    RBEE_HARMONY_VECTOR(expected, "test_browser_and_function_tool");
    const ordered_json location = {{"type", "object"},
                                   {"properties", {{"location", {{"type", "string"}}}}},
                                   {"required", ordered_json::array({"location"})}};
    const std::vector<Message> messages{
        system(dated({browser_tool()})),
        developer(function_tools({{"lookup_weather",
                                   "Use this tool to lookup the weather in a given location. Call it with the "
                                   "parameter 'location', can be any textual description of a location.",
                                   location}})),
    };
    EXPECT_EQ(render_for_completion(messages), expected);
  }
}

TEST(HarmonyRender, DropsAnalysisOfAnsweredTurns) {
  const std::vector<Message> messages{
      user("What is 2 + 2?"),
      assistant("analysis", "User asks: \xE2\x80\x9CWhat is 2 + 2?\xE2\x80\x9D Simple arithmetic. Provide answer."),
      assistant("final", "2 + 2 equals 4."),
      user("What about 9 / 2?"),
  };
  RBEE_HARMONY_VECTOR(expected, "test_dropping_cot_by_default");
  EXPECT_EQ(render_for_completion(messages, Role::assistant, {.auto_drop_analysis = true}), expected);
}

TEST(HarmonyRender, KeepsAnalysisWhenAsked) {
  RBEE_HARMONY_VECTOR(expected, "test_preserve_cot");
  const std::vector<Message> messages{
      user("What is 2 + 2?"),
      assistant("analysis", "User asks a simple question: \"What is 2 + 2?\" The answer: 4."),
      assistant("final", "2 + 2 equals 4."),
      user("What about 9 / 2?"),
  };
  EXPECT_EQ(render_for_completion(messages, Role::assistant, {.auto_drop_analysis = false}), expected);
}

TEST(HarmonyRender, KeepsAnalysisOfAnOngoingToolCall) {
  RBEE_HARMONY_VECTOR(expected, "test_does_not_drop_if_ongoing_analysis");
  Message call = assistant("commentary", "{\"location\": \"San Francisco\"}");
  call.recipient = "functions.lookup_weather";
  call.content_type = "<|constrain|>json";
  const std::vector<Message> messages{
      user("What is the weather in SF?"),
      assistant("analysis",
                "User asks: \xE2\x80\x9CWhat is the weather in SF?\xE2\x80\x9D We need to use lookup_weather tool."),
      call,
      {Role::tool, "functions.lookup_weather", "", "", "", std::string("{\"temperature\": 20, \"description\": \"sunny\"}")},
  };
  EXPECT_EQ(render_for_completion(messages, Role::assistant, {.auto_drop_analysis = true}), expected);
}

TEST(HarmonyRender, KeepsAnalysisBetweenFinals) {
  RBEE_HARMONY_VECTOR(expected, "test_keep_analysis_between_finals");
  const std::vector<Message> messages{
      user("What is 2 + 2?"),  assistant("analysis", "thinking 2+2"), assistant("final", "4"),
      user("What is 3 + 5?"),  assistant("analysis", "thinking 3+5"), assistant("final", "8"),
  };
  // The default config drops analysis only before the first final: thinking 2+2 goes, 3+5 stays.
  EXPECT_EQ(render_conversation(messages), expected);
  EXPECT_NE(render_conversation(messages, {.auto_drop_analysis = false}).find("thinking 2+2"), std::string::npos);
}

TEST(HarmonyRender, ToolResponseHeader) {
  RBEE_HARMONY_VECTOR(expected, "test_tool_response_parsing");
  const Message response{Role::tool, "browser.search", "assistant", "commentary", "",
                         std::string("{\"result\": \"https://openai.com/\"}")};
  std::string rendered = render_message(response);
  ASSERT_TRUE(rendered.ends_with("<|end|>"));
  rendered.resize(rendered.size() - std::string_view("<|end|>").size());
  // The vector is the rendering less <|end|>, as the reference decodes it: trailing space stripped.
  EXPECT_EQ(rendered, expected);
}

TEST(HarmonyRender, TrainingEndsTheFinalAnswerWithReturn) {
  const std::vector<Message> answered{user("hi"), assistant("final", "hello")};
  EXPECT_EQ(render_for_training(answered),
            "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>hello<|return|>");
  EXPECT_EQ(render_conversation(answered),
            "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>hello<|end|>");
  EXPECT_EQ(render_for_training({user("hi")}), render_conversation({user("hi")}));
}

TEST(HarmonyRender, RefusesMisplacedContent) {
  EXPECT_THROW(render_message({Role::tool, "", "", "", "", std::string("x")}), std::invalid_argument);
  EXPECT_THROW(render_message({Role::user, "", "", "", "", SystemContent{}}), std::invalid_argument);
  EXPECT_THROW(render_message({Role::system, "", "", "", "", DeveloperContent{}}), std::invalid_argument);
}

}  // namespace
}  // namespace rbee::chat::harmony
