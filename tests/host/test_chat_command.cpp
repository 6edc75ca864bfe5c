// `rbee chat` driven through a pseudo-terminal on the tiny Llama fixture: turns, the KV cache
// kept between them, /reset, /save and /load, Ctrl-C mid-answer, a context that fills.
#include <gtest/gtest.h>

#include <regex>

#include "fixtures_path.hpp"
#include "host/pty_session.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

const std::string kPrompt = "\n> ";

std::vector<std::string> chat_args(std::vector<std::string> extra) {
  std::vector<std::string> args{"-v", "chat", (fixtures() / "tiny/llama/model-f32.gguf").string(),
                                "--chat-template-file", (fixtures() / "chat/zephyr.jinja").string(), "--temp", "0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// Types a line and returns what the screen shows until the next prompt, the echo removed.
std::string say(PtySession& chat, const std::string& line) {
  chat.type(line + "\n");
  std::string shown = chat.read_until(kPrompt);
  EXPECT_FALSE(shown.empty()) << "no prompt after \"" << line << "\"; screen:\n" << chat.screen();
  if (shown.rfind(line + "\n", 0) == 0) shown.erase(0, line.size() + 1);
  shown = std::regex_replace(shown, std::regex("\x1b\\[[0-9;]*m"), "");  // the log's colours
  return shown.substr(0, shown.size() - kPrompt.size() + 1);
}

// The answer text: what precedes the turn's log line.
std::string answer_of(const std::string& shown) { return shown.substr(0, shown.find("[info] turn:")); }

// (prompt tokens, tokens reused from the cache) from the turn's log line.
std::pair<int, int> turn_tokens(const std::string& shown) {
  std::smatch m;
  std::regex line(R"(turn: (\d+) prompt tokens \((\d+) reused)");
  if (!std::regex_search(shown, m, line)) {
    ADD_FAILURE() << "no turn log line in:\n" << shown;
    return {-1, -1};
  }
  return {std::stoi(m[1]), std::stoi(m[2])};
}

TEST(ChatCommand, TurnsReuseTheCacheAndMatchAFreshEvaluation) {
  TempDir dir;
  std::string saved = (dir / "turn1.json").string();
  std::string first_answer, second_answer;
  {
    PtySession chat(chat_args({"-n", "12"}));
    ASSERT_TRUE(chat.started());
    ASSERT_FALSE(chat.read_until(kPrompt).empty()) << chat.screen();
    std::string shown = say(chat, "Hello there");
    first_answer = answer_of(shown);
    auto [prompt1, reused1] = turn_tokens(shown);
    EXPECT_EQ(reused1, 0);
    EXPECT_GT(prompt1, 4);
    EXPECT_NE(say(chat, "/save " + saved).find("saved 2 messages"), std::string::npos);

    shown = say(chat, "Tell me more");
    second_answer = answer_of(shown);
    auto [prompt2, reused2] = turn_tokens(shown);
    // The first turn's prompt was cached (and the answer too, as far as its text tokenizes back
    // to the same tokens: this random model's answers are not always valid UTF-8).
    EXPECT_GE(reused2, prompt1) << chat.screen();
    EXPECT_LT(reused2, prompt2) << chat.screen();

    // After /reset the first question gets the first answer again.
    EXPECT_NE(say(chat, "/reset").find("forgotten"), std::string::npos);
    EXPECT_EQ(answer_of(say(chat, "Hello there")), first_answer);
    chat.type("/exit\n");
    EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
  }
  // A fresh process that evaluates the whole conversation at once answers the same.
  PtySession fresh(chat_args({"-n", "12"}));
  ASSERT_FALSE(fresh.read_until(kPrompt).empty()) << fresh.screen();
  EXPECT_NE(say(fresh, "/load " + saved).find("loaded 2 messages"), std::string::npos);
  std::string shown = say(fresh, "Tell me more");
  EXPECT_EQ(turn_tokens(shown).second, 0);
  EXPECT_EQ(answer_of(shown), second_answer);
  fresh.type("\x04");  // Ctrl-D leaves too
  EXPECT_EQ(fresh.wait_exit(), 0) << fresh.screen();
}

TEST(ChatCommand, CtrlCStopsTheAnswerNotTheProgram) {
  PtySession chat(chat_args({"--ctx", "4096"}));
  ASSERT_FALSE(chat.read_until(kPrompt).empty()) << chat.screen();
  chat.type("Write a long story\n");
  ASSERT_FALSE(chat.read_until("Write a long story\n").empty()) << chat.screen();
  ASSERT_FALSE(chat.read_until(" ").empty()) << "no answer began:\n" << chat.screen();  // the answer is streaming
  chat.ctrl_c();
  std::string shown = chat.read_until(kPrompt);
  EXPECT_NE(shown.find("[stopped]"), std::string::npos) << chat.screen();
  // The conversation goes on.
  EXPECT_NE(say(chat, "/save /dev/null").find("saved 2 messages"), std::string::npos) << chat.screen();
  chat.type("/exit\n");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
}

TEST(ChatCommand, ABadConversationFileIsSaidAndTheConversationKept) {
  TempDir dir;
  dir.write("not-json.json", "[{\"role\": ");
  dir.write("no-role.json", R"([{"content": "hi"}])");
  PtySession chat(chat_args({"-n", "4"}));
  ASSERT_FALSE(chat.read_until(kPrompt).empty()) << chat.screen();
  say(chat, "Hello");
  EXPECT_NE(say(chat, "/load " + (dir / "not-json.json").string()).find("not JSON"), std::string::npos) << chat.screen();
  EXPECT_NE(say(chat, "/load " + (dir / "no-role.json").string()).find("messages[0]: missing \"role\""),
            std::string::npos) << chat.screen();
  EXPECT_NE(say(chat, "/load " + (dir / "absent.json").string()).find("cannot be read"), std::string::npos);
  EXPECT_NE(say(chat, "/save /dev/null").find("saved 2 messages"), std::string::npos) << chat.screen();
  chat.type("/exit\n");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
}

// /save onto a file the chat reads (the model, the template) is refused and the file kept.
TEST(ChatCommand, SaveRefusesToOverwriteItsInputs) {
  TempDir dir;
  const auto model = dir / "model.gguf", template_file = dir / "zephyr.jinja";
  std::filesystem::copy_file(fixtures() / "tiny/llama/model-f32.gguf", model);
  std::filesystem::copy_file(fixtures() / "chat/zephyr.jinja", template_file);
  const auto model_bytes = read_bytes(model);
  const auto template_text = read_text(template_file);
  PtySession chat({"chat", model.string(), "--chat-template-file", template_file.string(), "--temp", "0", "-n", "4"});
  ASSERT_FALSE(chat.read_until(kPrompt).empty()) << chat.screen();
  say(chat, "Hello");
  for (const auto& input : {model, template_file})
    EXPECT_NE(say(chat, "/save " + input.string()).find(input.string() + " is an input"), std::string::npos)
        << chat.screen();
  EXPECT_NE(say(chat, "/save /dev/null").find("saved 2 messages"), std::string::npos) << chat.screen();
  chat.type("/exit\n");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
  EXPECT_EQ(read_bytes(model), model_bytes);
  EXPECT_EQ(read_text(template_file), template_text);
}

TEST(ChatCommand, AFullContextIsSaidAndResetRecovers) {
  PtySession chat(chat_args({"--ctx", "48"}));
  ASSERT_FALSE(chat.read_until(kPrompt).empty()) << chat.screen();
  std::string shown = say(chat, "Hello");
  EXPECT_NE(shown.find("[context full"), std::string::npos) << chat.screen();
  // The next question no longer fits at all: said, and nothing is evaluated.
  shown = say(chat, "And now a much longer question that takes many more tokens than are left");
  EXPECT_NE(shown.find("[context full: the conversation is"), std::string::npos) << chat.screen();
  EXPECT_EQ(shown.find("[info] turn:"), std::string::npos) << chat.screen();
  say(chat, "/reset");
  shown = say(chat, "Hi");
  EXPECT_NE(shown.find("[info] turn:"), std::string::npos) << chat.screen();
  chat.type("/exit\n");
  EXPECT_EQ(chat.wait_exit(), 0) << chat.screen();
}

}  // namespace
}  // namespace rbee::test
