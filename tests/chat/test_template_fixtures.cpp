// Every third-party chat template rendered for every conversation of
// tests/fixtures/chat-templates/conversations.json must equal, byte for byte, what jinja2 3.1
// rendered with transformers' settings (tools/chat-templates/render_expectations.py wrote
// expectations.jsonl with Debian's /usr/bin/python3); where jinja2 failed, rbee must fail too.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "chat/jinja/template.hpp"
#include "fixtures_path.hpp"
#include "jinja_test_support.hpp"

namespace {

using nlohmann::ordered_json;
namespace jinja = rbee::chat::jinja;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The template's source: a .jinja file, or the chat_template field of a mistral.rs JSON file.
std::string template_source(const std::filesystem::path& path) {
  std::string text = read_file(path);
  if (path.extension() == ".json") return ordered_json::parse(text)["chat_template"].get<std::string>();
  return text;
}

// rbee's "<template>:<line>: <what>" against jinja2's "<ExceptionType>: <what>" (syntax errors:
// "line <n>: <what>"): the reason must be the same text, and a syntax error's line the same line.
bool same_reason(const std::string& rbee, const std::string& jinja2) {
  size_t colon = jinja2.find(": ");
  std::string reason = jinja2.substr(colon + 2);
  if (jinja2.rfind("line ", 0) == 0 && rbee.find(":" + jinja2.substr(5, colon - 5) + ": ") == std::string::npos) return false;
  return rbee.find(reason) != std::string::npos;
}

struct Outcome {
  int passed = 0;
  int failed = 0;
  std::string first_failure;
};

TEST(ChatTemplates, RenderAsJinja2) {
  const auto templates = rbee::test::shared_fixtures() / "third-party" / "templates";
  if (!std::filesystem::exists(templates)) GTEST_SKIP() << "no shared fixtures at " << templates;
  const auto expectations_dir = rbee::test::fixtures() / "chat-templates";
  const ordered_json conversations = ordered_json::parse(read_file(expectations_dir / "conversations.json"));
  std::ifstream lines(expectations_dir / "expectations.jsonl");
  ASSERT_TRUE(lines) << "missing expectations.jsonl";

  std::map<std::string, Outcome> outcomes;
  const auto options = rbee::test::chat::fixed_clock();  // as render_expectations.py's
  int cases = 0;
  for (std::string line; std::getline(lines, line);) {
    const ordered_json expected = ordered_json::parse(line);
    const std::string name = expected["template"].get<std::string>();
    const std::string case_name = expected["case"].get<std::string>();
    ordered_json context = conversations.at(case_name);
    context["bos_token"] = expected["bos_token"];
    context["eos_token"] = expected["eos_token"];
    ++cases;
    Outcome& outcome = outcomes[name];
    std::string problem;
    try {
      const auto tmpl = jinja::Template::parse(template_source(templates / name), name);
      const std::string got = tmpl.render(context, options);
      if (expected.contains("error")) problem = "rendered, but jinja2 failed: " + expected["error"].get<std::string>();
      else if (got != expected["output"].get<std::string>())
        problem = "output differs\n--- jinja2:\n" + expected["output"].get<std::string>() + "\n--- rbee:\n" + got;
    } catch (const jinja::Error& e) {
      if (!expected.contains("error")) problem = std::string("rbee failed: ") + e.what();
      else if (!same_reason(e.what(), expected["error"].get<std::string>()))
        problem = std::string("rbee failed for another reason: ") + e.what() + "\n--- jinja2: " + expected["error"].get<std::string>();
    }
    if (problem.empty()) {
      ++outcome.passed;
    } else {
      ++outcome.failed;
      if (outcome.first_failure.empty()) outcome.first_failure = case_name + ": " + problem;
    }
  }
  ASSERT_GT(cases, 0);

  int passed = 0;
  for (const auto& [name, outcome] : outcomes) {
    passed += outcome.passed;
    EXPECT_EQ(outcome.failed, 0) << name << ": " << outcome.first_failure;
  }
  std::cout << "[ chat  ] " << passed << " of " << cases << " cases (" << outcomes.size()
            << " templates) render as jinja2 does\n";
}

}  // namespace
