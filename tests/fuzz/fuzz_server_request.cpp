// The body of POST /v1/chat/completions or /v1/completions (first byte picks which): parsed and
// checked as rbee serve does, then a chat request's messages and tools rendered through a real
// template, as the server does before it queues the request.
#include <fstream>
#include <sstream>

#include "api_error.hpp"
#include "chat/chat_template.hpp"
#include "chat/jinja/error.hpp"
#include "completion_request.hpp"
#include "fuzz_input.hpp"
#include "request_body.hpp"

namespace {

const rbee::chat::ChatTemplate& chat_template() {
  static const rbee::chat::ChatTemplate t = [] {
    std::ifstream in(RBEE_TEST_FIXTURES "/chat/zephyr.jinja");
    std::stringstream source;
    source << in.rdbuf();
    return rbee::chat::ChatTemplate(source.str(), "zephyr.jinja", {{"eos_token", "</s>"}});
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool chat = data[0] & 1;
  try {
    const auto body = rbee::host::server::parse_request_body(rbee::fuzz::as_text(data + 1, size - 1));
    const auto request = rbee::host::server::read_completion_request(body, chat, {});
    if (chat) chat_template().render(request.messages, request.tools, true);
  } catch (const rbee::host::server::ApiError&) {
  } catch (const std::invalid_argument&) {  // validate_messages: a message of the wrong shape
  } catch (const rbee::chat::jinja::Error&) {
  }
  return 0;
}
