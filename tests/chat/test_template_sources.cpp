// Where chat templates and special tokens come from (GGUF metadata, Hugging Face folders, a file)
// and what they render, compared with transformers' output that
// tools/chat-templates/render_template_sources.py wrote into tests/fixtures/chat-templates.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <iterator>
#include <nlohmann/json.hpp>

#include "chat/template_source.hpp"
#include "fixtures_path.hpp"
#include "formats/gguf_writer.hpp"
#include "temp_dir.hpp"
#include "util/format_error.hpp"

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;
using rbee::ModelSource;
using rbee::chat::ChatTemplate;
using rbee::test::GgufWriter;
using rbee::test::TempDir;

const ordered_json& fixture() {
  static const ordered_json f = [] {
    std::ifstream in(rbee::test::fixtures() / "chat-templates" / "template_sources.json");
    return ordered_json::parse(in);
  }();
  return f;
}
std::string synthetic(const std::string& name) { return fixture()["synthetic"][name]["template"]; }

// Renders every conversation of the fixture and compares with transformers' output (or error).
void expect_renders(const ChatTemplate& t, const ordered_json& expected, const std::string& what) {
  for (const auto& [name, conversation] : fixture()["conversations"].items()) {
    const ordered_json& want = expected[name];
    try {
      std::string out = t.render(conversation["messages"], conversation["tools"],
                                 conversation["add_generation_prompt"].get<bool>(), conversation["extra"]);
      if (want.contains("output")) EXPECT_EQ(out, want["output"].get<std::string>()) << what << ", " << name;
      else ADD_FAILURE() << what << ", " << name << ": rendered, but jinja2 failed: " << want["error"];
    } catch (const rbee::chat::jinja::Error& e) {
      EXPECT_TRUE(want.contains("error")) << what << ", " << name << ": " << e.what();
    }
  }
}

// The message of what `f` throws (any std::exception), or "" when it does not throw.
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}
#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << "\"" << (text) << "\" lacks \"" << (part) << "\""

// ---- GGUF ----

rbee::test::Bytes string_array(const std::vector<std::string>& items) {
  rbee::test::Bytes b;
  b.put<uint32_t>(rbee::test::kString).put<uint64_t>(items.size());
  for (const auto& s : items) b.str(s);
  return b;
}

// A GGUF with a four-token vocabulary, bos/eos/unk ids and whatever `extra` adds.
fs::path write_gguf(const TempDir& dir, const std::function<void(GgufWriter&)>& extra, bool with_ids = true) {
  GgufWriter w;
  w.string("general.architecture", "llama");
  w.kv("tokenizer.ggml.tokens", rbee::test::kArray, string_array({"<unk>", "<s>", "</s>", "hi"}));
  if (with_ids) {
    w.scalar<uint32_t>("tokenizer.ggml.bos_token_id", rbee::test::kU32, 1);
    w.scalar<uint32_t>("tokenizer.ggml.eos_token_id", rbee::test::kU32, 2);
    w.scalar<int32_t>("tokenizer.ggml.unknown_token_id", rbee::test::kI32, 0);
  }
  extra(w);
  return dir.write("model.gguf", w.bytes());
}

TEST(TemplateSources, GgufDefaultAndNamedVariant) {
  TempDir dir;
  const auto path = write_gguf(dir, [](GgufWriter& w) {
    w.string("tokenizer.chat_template", synthetic("default"));
    w.string("tokenizer.chat_template.tool_use", synthetic("tool_use"));
  });
  const auto source = ModelSource::open(path);
  EXPECT_EQ(rbee::chat::chat_template_variants(*source), (std::vector<std::string>{"default", "tool_use"}));

  const ChatTemplate t = rbee::chat::load_chat_template(*source);
  EXPECT_EQ(t.origin(), path.string() + " (tokenizer.chat_template)");
  EXPECT_EQ(t.source(), synthetic("default"));
  EXPECT_EQ(t.special_tokens(), fixture()["special_tokens"]["gguf"]);
  expect_renders(t, fixture()["synthetic"]["default"]["expected"]["gguf"], "GGUF default");

  const ChatTemplate tool_use = rbee::chat::load_chat_template(*source, "tool_use");
  EXPECT_EQ(tool_use.origin(), path.string() + " (tokenizer.chat_template.tool_use)");
  expect_renders(tool_use, fixture()["synthetic"]["tool_use"]["expected"]["gguf"], "GGUF tool_use");

  // As transformers picks: tool_use only for a conversation with tools, a requested name always.
  EXPECT_EQ(rbee::chat::choose_chat_template_variant(*source, "", true), "tool_use");
  EXPECT_EQ(rbee::chat::choose_chat_template_variant(*source, "", false), "");
  EXPECT_EQ(rbee::chat::choose_chat_template_variant(*source, "default", true), "default");

  const std::string e = error_of([&] { rbee::chat::load_chat_template(*source, "rag"); });
  EXPECT_HAS(e, path.string());
  EXPECT_HAS(e, "no chat template named 'rag'");
  EXPECT_HAS(e, "default, tool_use");
}

TEST(TemplateSources, GgufWithoutTemplateSaysWhereItLooked) {
  TempDir dir;
  const auto source = ModelSource::open(write_gguf(dir, [](GgufWriter&) {}));
  EXPECT_TRUE(rbee::chat::chat_template_variants(*source).empty());
  const std::string e = error_of([&] { rbee::chat::load_chat_template(*source); });
  EXPECT_HAS(e, (dir / "model.gguf").string());
  EXPECT_HAS(e, "tokenizer.chat_template");
  EXPECT_HAS(e, "--chat-template-file");
}

TEST(TemplateSources, GgufBadSpecialTokenIdsAndTypes) {
  const auto error_for = [](const std::function<void(GgufWriter&)>& extra, bool with_ids = true) {
    TempDir dir;
    const auto path = write_gguf(
        dir, [&](GgufWriter& w) { w.string("tokenizer.chat_template", "x"), extra(w); }, with_ids);
    std::string e = error_of([&] { rbee::chat::load_chat_template(*ModelSource::open(path)); });
    EXPECT_HAS(e, path.string());
    return e;
  };
  std::string e = error_for([](GgufWriter& w) { w.scalar<uint32_t>("tokenizer.ggml.padding_token_id", rbee::test::kU32, 99); });
  EXPECT_HAS(e, "tokenizer.ggml.padding_token_id is 99, outside tokenizer.ggml.tokens (4 tokens)");
  e = error_for([](GgufWriter& w) { w.scalar<int32_t>("tokenizer.ggml.padding_token_id", rbee::test::kI32, -1); });
  EXPECT_HAS(e, "tokenizer.ggml.padding_token_id is -1");
  e = error_for([](GgufWriter& w) { w.string("tokenizer.ggml.padding_token_id", "3"); });
  EXPECT_HAS(e, "tokenizer.ggml.padding_token_id: expected a token id");
  e = error_for([](GgufWriter& w) { w.scalar<uint32_t>("tokenizer.chat_template.rag", rbee::test::kU32, 7); });
  EXPECT_HAS(e, "tokenizer.chat_template.rag: expected a string");

  // Ids without the vocabulary they index.
  TempDir dir;
  GgufWriter w;
  w.string("tokenizer.chat_template", "x");
  w.scalar<uint32_t>("tokenizer.ggml.bos_token_id", rbee::test::kU32, 1);
  const auto path = dir.write("no-vocab.gguf", w.bytes());
  e = error_of([&] { rbee::chat::load_chat_template(*ModelSource::open(path)); });
  EXPECT_HAS(e, "tokenizer.ggml.bos_token_id is set but tokenizer.ggml.tokens");
  EXPECT_HAS(e, "missing");
}

TEST(TemplateSources, TemplateErrorsNameTheOrigin) {
  TempDir dir;
  const auto path = write_gguf(dir, [](GgufWriter& w) { w.string("tokenizer.chat_template", "line one\n{{ 1 + }}"); });
  const std::string e = error_of([&] { rbee::chat::load_chat_template(*ModelSource::open(path)); });
  EXPECT_EQ(e.rfind(path.string() + " (tokenizer.chat_template):2: ", 0), 0u) << e;
}

// ---- Hugging Face folders ----

// A folder ModelSource opens (config.json and a safetensors file without tensors) plus `files`.
fs::path hf_folder(const TempDir& dir, const std::map<std::string, std::string>& files) {
  dir.write("config.json", R"({"architectures": ["LlamaForCausalLM"], "model_type": "llama"})");
  const std::string header = "{}      ";  // padded to 8 bytes
  rbee::test::Bytes st;
  st.put<uint64_t>(header.size());
  st.data.insert(st.data.end(), header.begin(), header.end());
  dir.write("model.safetensors", st.data);
  for (const auto& [name, text] : files) {
    fs::create_directories((dir / name).parent_path());
    dir.write(name, text);
  }
  return dir.path();
}

// tokenizer_config.json with the "hf" special tokens, written in each of the forms transformers reads.
ordered_json hf_tokenizer_config(const ordered_json& chat_template) {
  return {{"bos_token", {{"__type", "AddedToken"}, {"content", "<|begin|>"}, {"lstrip", false}}},
          {"eos_token", "<|end|>"},
          {"unk_token", nullptr},
          {"sep_token", ""},
          {"pad_token", {{"content", "<|pad|>"}}},
          {"additional_special_tokens", {"<a>", {{"content", "<b>"}}}},
          {"chat_template", chat_template}};
}

std::unique_ptr<ModelSource> open_hf(const TempDir& dir, const std::map<std::string, std::string>& files) {
  return ModelSource::open(hf_folder(dir, files));
}

TEST(TemplateSources, HfTokenizerConfigStringWithAddedTokens) {
  TempDir dir;
  const auto source = open_hf(dir, {{"tokenizer_config.json", hf_tokenizer_config(synthetic("default")).dump()}});
  EXPECT_EQ(rbee::chat::chat_template_variants(*source), std::vector<std::string>{"default"});
  const ChatTemplate t = rbee::chat::load_chat_template(*source);
  EXPECT_EQ(t.origin(), (dir / "tokenizer_config.json").string() + " (chat_template)");
  EXPECT_EQ(t.special_tokens(), fixture()["special_tokens"]["hf"]);
  expect_renders(t, fixture()["synthetic"]["default"]["expected"]["hf"], "tokenizer_config.json string");
}

TEST(TemplateSources, HfTokenizerConfigListOfNamedTemplates) {
  TempDir dir;
  const ordered_json list = {{{"name", "tool_use"}, {"template", synthetic("tool_use")}},
                             {{"name", "default"}, {"template", synthetic("default")}}};
  const auto source = open_hf(dir, {{"tokenizer_config.json", hf_tokenizer_config(list).dump()}});
  EXPECT_EQ(rbee::chat::chat_template_variants(*source), (std::vector<std::string>{"tool_use", "default"}));
  expect_renders(rbee::chat::load_chat_template(*source), fixture()["synthetic"]["default"]["expected"]["hf"], "list default");
  const ChatTemplate tool_use = rbee::chat::load_chat_template(*source, "tool_use");
  EXPECT_EQ(tool_use.origin(), (dir / "tokenizer_config.json").string() + " (chat_template 'tool_use')");
  expect_renders(tool_use, fixture()["synthetic"]["tool_use"]["expected"]["hf"], "list tool_use");
}

TEST(TemplateSources, HfListWithoutDefaultNeedsAName) {
  TempDir dir;
  const ordered_json list = {{{"name", "tool_use"}, {"template", "x"}}, {{"name", "rag"}, {"template", "y"}}};
  const auto source = open_hf(dir, {{"tokenizer_config.json", ordered_json{{"chat_template", list}}.dump()}});
  const std::string e = error_of([&] { rbee::chat::load_chat_template(*source); });
  EXPECT_HAS(e, "tool_use, rag but no default");
  EXPECT_EQ(rbee::chat::load_chat_template(*source, "rag").source(), "y");
}

TEST(TemplateSources, TemplateFilesWinOverTokenizerConfig) {
  // As transformers: chat_template.jinja and additional_chat_templates/ replace the config's templates.
  TempDir dir;
  const ordered_json list = {{{"name", "default"}, {"template", "config default"}}, {{"name", "rag"}, {"template", "r"}}};
  const auto source = open_hf(dir, {{"tokenizer_config.json", hf_tokenizer_config(list).dump()},
                                    {"chat_template.jinja", synthetic("default")},
                                    {"additional_chat_templates/tool_use.jinja", synthetic("tool_use")}});
  EXPECT_EQ(rbee::chat::chat_template_variants(*source), (std::vector<std::string>{"default", "tool_use"}));
  const ChatTemplate t = rbee::chat::load_chat_template(*source);
  EXPECT_EQ(t.origin(), (dir / "chat_template.jinja").string());
  expect_renders(t, fixture()["synthetic"]["default"]["expected"]["hf"], "chat_template.jinja");
  EXPECT_EQ(rbee::chat::load_chat_template(*source, "tool_use").origin(),
            (dir / "additional_chat_templates" / "tool_use.jinja").string());
}

TEST(TemplateSources, SpecialTokensMapOverridesTokenizerConfig) {
  TempDir dir;
  const auto source = open_hf(dir, {{"tokenizer_config.json", hf_tokenizer_config("x").dump()},
                                    {"special_tokens_map.json", R"({"eos_token": {"content": "<|eot|>"}, "pad_token": null})"}});
  const ordered_json want = {{"bos_token", "<|begin|>"}, {"eos_token", "<|eot|>"}, {"additional_special_tokens", {"<a>", "<b>"}}};
  EXPECT_EQ(rbee::chat::load_chat_template(*source).special_tokens(), want);
}

TEST(TemplateSources, HfBadFilesNameFileAndField) {
  const auto error_for = [](const std::string& config) {
    TempDir dir;
    std::string e = error_of([&] { rbee::chat::load_chat_template(*open_hf(dir, {{"tokenizer_config.json", config}})); });
    EXPECT_HAS(e, (dir / "tokenizer_config.json").string());
    return e;
  };
  EXPECT_HAS(error_for(R"({"chat_template": 5})"), "chat_template: expected a string or a list");
  EXPECT_HAS(error_for(R"({"chat_template": [{"name": "default", "template": "x"}, {"name": "rag"}]})"),
             "chat_template[1]: expected {\"name\": string, \"template\": string}");
  EXPECT_HAS(error_for(R"({"chat_template": "x", "bos_token": 1})"), "bos_token: expected a string or an AddedToken");
  EXPECT_HAS(error_for(R"({"chat_template": "x", "additional_special_tokens": ["<a>", {"lstrip": true}]})"),
             "additional_special_tokens[1]");
  EXPECT_HAS(error_for(R"({"chat_template": "x", "additional_special_tokens": "<a>"})"),
             "additional_special_tokens: expected a list");
  EXPECT_HAS(error_for(R"({"chat_template": "x", "eos_token": ["<a>"]})"), "eos_token: expected a string");
  EXPECT_HAS(error_for(R"({"chat_template": "x",)"), "not valid JSON");
  EXPECT_HAS(error_for(R"(["chat_template"])"), "expected a JSON object");
}

TEST(TemplateSources, HfWithoutTemplateSaysWhereItLooked) {
  TempDir dir;
  const std::string e = error_of([&] { rbee::chat::load_chat_template(*open_hf(dir, {})); });
  EXPECT_HAS(e, dir.path().string());
  EXPECT_HAS(e, "chat_template.jinja");
  EXPECT_HAS(e, "tokenizer_config.json");
  EXPECT_HAS(e, "--chat-template-file");
}

// ---- a template file ----

TEST(TemplateSources, TemplateFileWithAndWithoutModelTokens) {
  TempDir dir;
  const auto file = dir.write("override.jinja", synthetic("default"));
  const ChatTemplate bare = rbee::chat::load_chat_template_file(file, nullptr);
  EXPECT_EQ(bare.origin(), file.string());
  EXPECT_EQ(bare.special_tokens(), ordered_json::object());
  expect_renders(bare, fixture()["synthetic"]["default"]["expected"]["none"], "file without model");

  const auto model = ModelSource::open(write_gguf(dir, [](GgufWriter&) {}));  // no template of its own
  expect_renders(rbee::chat::load_chat_template_file(file, model.get()),
                 fixture()["synthetic"]["default"]["expected"]["gguf"], "file with GGUF tokens");

  const std::string e = error_of([&] { rbee::chat::load_chat_template_file(dir / "absent.jinja", nullptr); });
  EXPECT_HAS(e, (dir / "absent.jinja").string());
  EXPECT_HAS(e, "cannot read");
}

// ---- messages ----

TEST(TemplateSources, RenderChecksTheMessagesFirst) {
  const ChatTemplate t("{{ messages | length }}", "test", ordered_json::object());
  const auto error_for = [&](const std::string& messages, const std::string& extra = "{}") {
    try {
      t.render(ordered_json::parse(messages), nullptr, true, ordered_json::parse(extra));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no std::invalid_argument");
  };
  EXPECT_EQ(t.render(ordered_json::parse(R"([{"role": "user", "content": [{"type": "text", "text": "a"}]},
                                            {"role": "assistant", "content": null}])"), nullptr, true), "2");
  EXPECT_HAS(error_for(R"({"role": "user"})"), "messages: expected an array of messages, got object");
  EXPECT_HAS(error_for(R"([{"role": "user"}, "hi"])"), "messages[1]: expected an object, got string");
  EXPECT_HAS(error_for(R"([{"role": "user"}, {"content": "hi"}])"), "messages[1]: missing \"role\"");
  EXPECT_HAS(error_for(R"([{"role": 3}])"), "messages[0].role: expected a string, got number");
  EXPECT_HAS(error_for(R"([{"role": "user", "content": 3}])"), "messages[0].content: expected a string, null or a list");
  EXPECT_HAS(error_for("[]", "[1]"), "extra template variables: expected an object");
}

// ---- the released tokenizer_config.json files ----

TEST(TemplateSources, ThirdPartyTokenizerConfigs) {
  const fs::path shared = rbee::test::shared_fixtures() / "third-party" / "tokenizers";
  if (!fs::is_directory(shared)) GTEST_SKIP() << shared << " is absent: the third-party tokenizer configs are not checked";
  ASSERT_FALSE(fixture()["third_party"].empty());
  for (const auto& [name, want] : fixture()["third_party"].items()) {
    const fs::path config = shared / name / "tokenizer_config.json";
    if (!fs::exists(config)) {
      ADD_FAILURE() << config << " is missing though the fixture has it";
      continue;
    }
    TempDir dir;
    std::ifstream in(config, std::ios::binary);
    const auto source = open_hf(dir, {{"tokenizer_config.json", std::string(std::istreambuf_iterator<char>(in), {})}});
    if (want.contains("no_template")) {
      EXPECT_HAS(error_of([&] { rbee::chat::load_chat_template(*source); }), "--chat-template-file");
      continue;
    }
    const ChatTemplate t = rbee::chat::load_chat_template(*source);
    EXPECT_EQ(t.special_tokens(), want["special_tokens"]) << name;
    expect_renders(t, want["expected"], name);
  }
}

}  // namespace
