#include "chat/harmony/header.hpp"

#include <sstream>
#include <vector>

#include "chat/output/text_scan.hpp"

namespace rbee::chat::harmony {
namespace {

// Removes <|channel|>NAME from the header and returns NAME ("" when there is none).
std::string take_channel(std::string& header) {
  const size_t at = header.find(channel_token);
  if (at == std::string::npos) return "";
  const size_t begin = at + channel_token.size();
  size_t end = begin;
  while (end < header.size() && !is_space(header[end]) && header[end] != '<') ++end;
  std::string channel = header.substr(begin, end - begin);
  header.erase(at, end - at);
  return channel;
}

std::vector<std::string> words_of(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) out += (i ? " " : "") + words[i];
  return out;
}

std::string without_to(const std::string& word) { return word.starts_with("to=") ? word.substr(3) : word; }

}  // namespace

ParsedHeader parse_header(std::string header, std::optional<Role> role, bool with_recipient) {
  ParsedHeader parsed;
  Message& message = parsed.message;
  message.channel = take_channel(header);
  // "to=f<|constrain|>json": the content type is a word of its own.
  for (size_t at = header.find(constrain_token); at != std::string::npos; at = header.find(constrain_token, at + 2)) {
    header.insert(at, " ");
    ++at;
  }
  std::vector<std::string> words = words_of(header);

  if (role) {
    message.role = *role;
  } else if (words.empty()) {
    message.role = Role::assistant;
  } else if (const std::optional<Role> named = role_named(words.front())) {
    message.role = *named;
    if (*named == Role::tool) message.name = words.front();
  } else {
    message.role = Role::tool;
    message.name = words.front();
    words.erase(words.begin());
  }
  if (!words.empty() && words.front() == role_name(message.role)) words.erase(words.begin());

  if (with_recipient && !words.empty()) {
    const size_t count = words.size();
    std::string last = words.back();
    words.pop_back();
    if (last.starts_with("to=")) {
      message.recipient = last.substr(3);
    } else if (count == 1 && !last.starts_with(constrain_token)) {
      message.recipient = last;
    } else {
      message.content_type = last;
      if (!words.empty()) {
        message.recipient = without_to(words.back());
        words.pop_back();
      }
    }
  }
  parsed.remaining = join(words);
  return parsed;
}

}  // namespace rbee::chat::harmony
