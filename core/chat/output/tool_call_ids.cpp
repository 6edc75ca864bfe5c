#include "chat/output/tool_call_ids.hpp"

#include <random>
#include <string_view>

namespace rbee::chat {

std::string ToolCallIds::next() {
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  // splitmix64: one well-mixed word per id.
  state_ += 0x9E3779B97F4A7C15ull;
  std::uint64_t bits = state_;
  bits = (bits ^ (bits >> 30)) * 0xBF58476D1CE4E5B9ull;
  bits = (bits ^ (bits >> 27)) * 0x94D049BB133111EBull;
  bits ^= bits >> 31;
  std::string id;
  for (int i = 0; i < 9; ++i, bits /= alphabet.size()) id += alphabet[bits % alphabet.size()];
  return id;
}

std::uint64_t random_id_seed() {
  std::random_device device;
  return (std::uint64_t{device()} << 32) | device();
}

}  // namespace rbee::chat
