// gpt-oss models get the harmony renderer as their default chat template (GGUF
// general.architecture "gpt-oss", config.json model_type "gpt_oss"), and its output is read
// as harmony; a harmony Jinja template (--chat-template-file) is read as harmony too.
#include <gtest/gtest.h>

#include "chat/harmony/chat_conversation.hpp"
#include "chat/template_source.hpp"
#include "fixtures_path.hpp"
#include "formats/model_source.hpp"

namespace rbee::chat {
namespace {

using nlohmann::ordered_json;

const ordered_json conversation = ordered_json::parse(R"([
    {"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])");

TEST(HarmonySelection, GptOssDefaultsToTheHarmonyRenderer) {
  const std::filesystem::path folder = rbee::test::shared_fixtures() / "tiny" / "gpt_oss";
  if (!std::filesystem::exists(folder)) GTEST_SKIP() << "the tiny gpt_oss model " << folder << " is absent";
  for (const std::filesystem::path& path : {folder, folder / "model-f32.gguf"}) {
    const auto source = ModelSource::open(path);
    EXPECT_EQ(chat_template_variants(*source), std::vector<std::string>{"default"}) << path;
    const ChatTemplate chat_template = load_chat_template(*source);
    EXPECT_TRUE(chat_template.is_harmony()) << path;
    const ordered_json extra = {{"reasoning_effort", "low"}};
    const std::string prompt = chat_template.render(conversation, nullptr, true, extra);
    EXPECT_EQ(prompt, harmony::render_chat(conversation, nullptr, true, extra)) << path;
    EXPECT_NE(prompt.find("Reasoning: low"), std::string::npos);
    EXPECT_EQ(chat_template.output_format(prompt), harmony_output_format()) << path;
    // Messages are checked as for any template.
    EXPECT_THROW(chat_template.render(ordered_json::array({"hi"}), nullptr, true), std::invalid_argument);
  }
}

TEST(HarmonySelection, HarmonyJinjaTemplateIsReadAsHarmony) {
  const ChatTemplate jinja("{{- '<|start|>assistant<|channel|>final<|message|>' }}", "inline", ordered_json::object());
  EXPECT_FALSE(jinja.is_harmony());
  EXPECT_EQ(jinja.output_format(""), harmony_output_format());
  const ChatTemplate chatml("{{- '<|im_start|>assistant\\n' }}", "inline", ordered_json::object());
  EXPECT_FALSE(chatml.output_format("").harmony);
}

}  // namespace
}  // namespace rbee::chat
