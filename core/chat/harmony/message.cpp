#include "chat/harmony/message.hpp"

#include <array>
#include <utility>

namespace rbee::chat::harmony {
namespace {

constexpr std::array<std::pair<Role, std::string_view>, 5> role_names{{
    {Role::user, "user"},
    {Role::assistant, "assistant"},
    {Role::system, "system"},
    {Role::developer, "developer"},
    {Role::tool, "tool"},
}};

constexpr std::array<std::pair<ReasoningEffort, std::string_view>, 3> effort_names{{
    {ReasoningEffort::low, "low"},
    {ReasoningEffort::medium, "medium"},
    {ReasoningEffort::high, "high"},
}};

}  // namespace

std::string_view role_name(Role role) {
  for (const auto& [known, name] : role_names)
    if (known == role) return name;
  return "";
}

std::optional<Role> role_named(std::string_view name) {
  for (const auto& [role, known] : role_names)
    if (known == name) return role;
  return std::nullopt;
}

std::string_view effort_name(ReasoningEffort effort) {
  for (const auto& [known, name] : effort_names)
    if (known == effort) return name;
  return "";
}

std::optional<ReasoningEffort> effort_named(std::string_view name) {
  for (const auto& [effort, known] : effort_names)
    if (known == name) return effort;
  return std::nullopt;
}

const std::string& Message::text() const {
  static const std::string none;
  const std::string* text = std::get_if<std::string>(&content);
  return text ? *text : none;
}

}  // namespace rbee::chat::harmony
