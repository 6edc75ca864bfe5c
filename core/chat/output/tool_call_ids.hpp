#pragma once
#include <cstdint>
#include <string>

namespace rbee::chat {

// Ids for tool calls: 9 letters and digits, the shape Mistral's templates require of the ids
// they get back (any string does for OpenAI clients). The same seed gives the same ids.
class ToolCallIds {
 public:
  explicit ToolCallIds(std::uint64_t seed) : state_(seed) {}
  std::string next();

 private:
  std::uint64_t state_;
};

// A seed for a request whose ids need not be reproducible.
std::uint64_t random_id_seed();

}  // namespace rbee::chat
