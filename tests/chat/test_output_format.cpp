// Choosing the output format from real chat templates and rendered prompts.
#include <fstream>
#include <sstream>

#include "fixtures_path.hpp"
#include "output_test_support.hpp"

namespace {

using namespace rbee::chat;

std::string read_template(const std::string& name) {
  std::ifstream in(rbee::test::shared_fixtures() / "third-party/templates" / name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Case {
  const char* template_file;
  ToolCallFormat tool_calls;
  bool reasoning;
};

TEST(OutputFormatDetection, RealTemplates) {
  if (!std::filesystem::exists(rbee::test::shared_fixtures() / "third-party/templates")) {
    GTEST_SKIP() << "no shared fixtures at " << rbee::test::shared_fixtures();
  }
  const Case cases[] = {
      {"hf-ollama-utils/Qwen-Qwen2.5-0.5B-Instruct.jinja", ToolCallFormat::hermes, false},
      {"hf-ollama-utils/Qwen-Qwen3-0.6B.jinja", ToolCallFormat::hermes, true},
      {"llama.cpp/HuggingFaceTB-SmolLM3-3B.jinja", ToolCallFormat::none, true},
      {"mistral.rs/smollm3.jinja", ToolCallFormat::hermes, true},
      {"llama.cpp/NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", ToolCallFormat::hermes, false},
      {"llama.cpp/meta-llama-Llama-3.1-8B-Instruct.jinja", ToolCallFormat::llama3_json, false},
      {"hf-ollama-utils/meta-llama-Llama-3.2-3B-Instruct.jinja", ToolCallFormat::llama3_json, false},
      {"llama.cpp/mistralai-Mistral-Nemo-Instruct-2407.jinja", ToolCallFormat::mistral, false},
      {"llama.cpp/Mistral-Small-3.2-24B-Instruct-2506.jinja", ToolCallFormat::mistral, false},
      {"extracted/deepseek-ai-DeepSeek-V3.jinja", ToolCallFormat::deepseek, false},
      {"llama.cpp/deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja", ToolCallFormat::deepseek, true},
      {"hf-ollama-utils/google-gemma-3-1b-it.jinja", ToolCallFormat::none, false},
  };
  for (const Case& c : cases) {
    const std::string source = read_template(c.template_file);
    ASSERT_FALSE(source.empty()) << c.template_file;
    const OutputFormat format = detect_output_format(source, "<|im_start|>assistant\n");
    EXPECT_EQ(format.tool_calls, c.tool_calls) << c.template_file;
    EXPECT_EQ(format.reasoning, c.reasoning) << c.template_file;
    EXPECT_FALSE(format.starts_in_reasoning) << c.template_file;
  }
}

TEST(OutputFormatDetection, PromptEndingInsideThink) {
  // DeepSeek-R1's generation prompt, and Qwen3 with enable_thinking=false (a closed empty block).
  EXPECT_EQ(detect_output_format("", "<｜User｜>Hi<｜Assistant｜><think>\n"),
            (OutputFormat{.reasoning = true, .starts_in_reasoning = true}));
  const OutputFormat qwen3_off = detect_output_format("<think>", "<|im_start|>assistant\n<think>\n\n</think>\n\n");
  EXPECT_TRUE(qwen3_off.reasoning);
  EXPECT_FALSE(qwen3_off.starts_in_reasoning);
}

TEST(OutputFormatDetection, NamesForOverrides) {
  EXPECT_EQ(tool_call_format_named("mistral"), ToolCallFormat::mistral);
  EXPECT_EQ(tool_call_format_named("llama3_json"), ToolCallFormat::llama3_json);
  EXPECT_EQ(tool_call_format_named("Mistral"), std::nullopt);
}

}  // namespace
