#pragma once
// Stop strings (OpenAI's `stop`) in generated text that arrives piece by piece: text that may be
// the start of a stop string is held back until later pieces decide, so a stop string split
// across tokens is still found and never reaches the client, streamed or not.
#include <string>
#include <string_view>
#include <vector>

namespace rbee::host::server {

class StopMatcher {
 public:
  // Empty strings are ignored.
  explicit StopMatcher(std::vector<std::string> stops);

  // The text now certain to come before any stop string. Once a stop string is found: the text
  // before it, and stopped() is true; pieces after that give "".
  std::string push(std::string_view piece);
  // At the end of generation: what was held back.
  std::string finish();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace rbee::host::server
