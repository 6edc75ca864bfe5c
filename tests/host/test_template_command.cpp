// `rbee template` run as a user runs it: the prompt printed byte for byte as transformers renders
// it (tests/fixtures/chat-templates/template_sources.json), and bad input ending in one clear error.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "formats/gguf_writer.hpp"
#include "rbee_process.hpp"

namespace {

using nlohmann::ordered_json;
using rbee::test::expect_clean_error;
using rbee::test::run_rbee;
using rbee::test::TempDir;

const ordered_json& fixture() {
  static const ordered_json f =
      ordered_json::parse(rbee::test::read_text(rbee::test::fixtures() / "chat-templates" / "template_sources.json"));
  return f;
}
const ordered_json& conversation(const std::string& name) { return fixture()["conversations"][name]; }
std::string expected(const std::string& tmpl, const std::string& tokens, const std::string& conv) {
  return fixture()["synthetic"][tmpl]["expected"][tokens][conv]["output"];
}

// A folder holding the synthetic templates and the conversation's messages and tools files.
struct Inputs {
  explicit Inputs(const std::string& conv) {
    rbee::test::write_text(dir / "default.jinja", fixture()["synthetic"]["default"]["template"]);
    rbee::test::write_text(dir / "messages.json", conversation(conv)["messages"].dump());
    rbee::test::write_text(dir / "tools.json", conversation(conv)["tools"].dump());
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
  TempDir dir;
};

TEST(TemplateCommand, PrintsThePromptExactly) {
  Inputs in("system_and_user");
  auto r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("messages.json")});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "none", "system_and_user"));
}

TEST(TemplateCommand, NoGenerationPrompt) {
  Inputs in("no_generation_prompt");
  auto r = run_rbee({"template", "--chat-template-file", in.path("default.jinja"), "--messages", in.path("messages.json"),
                     "--no-generation-prompt"});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "none", "no_generation_prompt"));
}

TEST(TemplateCommand, ToolsAndVariables) {
  Inputs tools("tools");
  auto r = run_rbee({"template", "--template", tools.path("default.jinja"), "--messages", tools.path("messages.json"),
                     "--tools", tools.path("tools.json")});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "none", "tools"));

  Inputs vars("extra_variables");
  r = run_rbee({"template", "--template", vars.path("default.jinja"), "--messages", vars.path("messages.json"),
                "--var", "enable_thinking=false", "--var", R"(eos_token="<override>")"});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "none", "extra_variables"));
}

// A GGUF holding the synthetic templates (default and tool_use) and bos/eos/unk tokens.
std::string write_model(const TempDir& dir) {
  rbee::test::Bytes tokens;
  tokens.put<uint32_t>(rbee::test::kString).put<uint64_t>(3).str("<unk>").str("<s>").str("</s>");
  rbee::test::GgufWriter w;
  w.string("general.architecture", "llama");
  w.kv("tokenizer.ggml.tokens", rbee::test::kArray, tokens);
  w.scalar<uint32_t>("tokenizer.ggml.bos_token_id", rbee::test::kU32, 1);
  w.scalar<uint32_t>("tokenizer.ggml.eos_token_id", rbee::test::kU32, 2);
  w.scalar<uint32_t>("tokenizer.ggml.unknown_token_id", rbee::test::kU32, 0);
  w.string("tokenizer.chat_template", fixture()["synthetic"]["default"]["template"].get<std::string>());
  w.string("tokenizer.chat_template.tool_use", fixture()["synthetic"]["tool_use"]["template"].get<std::string>());
  return dir.write("model.gguf", w.bytes()).string();
}

TEST(TemplateCommand, ModelTemplatesAndTokens) {
  Inputs in("tools");
  const std::string model = write_model(in.dir);
  // With tools and no --variant, tool_use is chosen, as transformers does.
  auto r = run_rbee({"template", model, "--messages", in.path("messages.json"), "--tools", in.path("tools.json")});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("tool_use", "gguf", "tools"));
  r = run_rbee({"template", model, "--variant", "default", "--messages", in.path("messages.json"), "--tools",
                in.path("tools.json")});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "gguf", "tools"));
  // A template file rendered with the model's special tokens.
  Inputs plain("system_and_user");
  r = run_rbee({"template", model, "--template", plain.path("default.jinja"), "--messages", plain.path("messages.json")});
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_EQ(r.out, expected("default", "gguf", "system_and_user"));
  r = run_rbee({"template", model, "--variant", "rag", "--messages", plain.path("messages.json")});
  expect_clean_error(r, {model, "no chat template named 'rag'", "default, tool_use"});
}

// ---- bad input: one clear error, exit status 1, no crash ----

struct BadTemplate {
  explicit BadTemplate(const std::string& source) {
    rbee::test::write_text(in.dir / "bad.jinja", source);
  }
  rbee::test::RunResult run() const {
    return run_rbee({"template", "--template", in.path("bad.jinja"), "--messages", in.path("messages.json")});
  }
  Inputs in{"system_and_user"};
};

TEST(TemplateCommand, TemplateSyntaxErrorNamesFileAndLine) {
  BadTemplate t("{% for m in messages %}\n{{ m.content + }}\n{% endfor %}");
  expect_clean_error(t.run(), {t.in.path("bad.jinja") + ":2:"});
}

TEST(TemplateCommand, UnknownFilter) {
  BadTemplate t("{{ messages | frobnicate }}");
  expect_clean_error(t.run(), {t.in.path("bad.jinja") + ":1:", "No filter named 'frobnicate'"});
}

TEST(TemplateCommand, InfiniteMacroRecursion) {
  BadTemplate t("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}\n{{ f(0) }}");
  expect_clean_error(t.run(), {t.in.path("bad.jinja"), "maximum recursion depth"});
}

TEST(TemplateCommand, TenMegabyteTemplateRenders) {
  std::string source;
  while (source.size() < (size_t(10) << 20)) source += "{% if add_generation_prompt %}" + std::string(1000, 'x') + "{% endif %}\n";
  BadTemplate t(source);
  auto r = t.run();
  ASSERT_EQ(r.status, 0) << r.describe();
  EXPECT_GT(r.out.size(), size_t(9) << 20);
}

TEST(TemplateCommand, BadMessagesFiles) {
  Inputs in("system_and_user");
  rbee::test::write_text(in.dir / "broken.json", R"([{"role": "user", "content": "hi"})");
  auto r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("broken.json")});
  expect_clean_error(r, {in.path("broken.json"), "not valid JSON"});

  rbee::test::write_text(in.dir / "no-role.json", R"([{"role": "user", "content": "hi"}, {"content": "hi"}])");
  r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("no-role.json")});
  expect_clean_error(r, {in.path("no-role.json"), "messages[1]", "\"role\""});

  r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("absent.json")});
  expect_clean_error(r, {in.path("absent.json"), "cannot open"});

  r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("messages.json"), "--tools",
                in.path("messages.json")});
  ASSERT_EQ(r.status, 0) << r.describe();  // an array, so acceptable as tools
  rbee::test::write_text(in.dir / "tools-object.json", R"({"name": "f"})");
  r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("messages.json"), "--tools",
                in.path("tools-object.json")});
  expect_clean_error(r, {in.path("tools-object.json"), "expected an array of tools"});
}

TEST(TemplateCommand, BadArguments) {
  Inputs in("system_and_user");
  auto r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("messages.json"),
                     "--var", "enable_thinking=nope"});
  expect_clean_error(r, {"--var enable_thinking", "not JSON"});
  r = run_rbee({"template", "--template", in.path("default.jinja"), "--messages", in.path("messages.json"), "--var", "x"});
  expect_clean_error(r, {"--var 'x'", "NAME=JSON"});
  r = run_rbee({"template", "--messages", in.path("messages.json")});
  expect_clean_error(r, {"MODEL", "--template"});
  r = run_rbee({"template", in.path("messages.json"), "--messages", in.path("messages.json")});
  expect_clean_error(r, {in.path("messages.json")});
}

}  // namespace
