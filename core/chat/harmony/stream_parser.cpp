#include "chat/harmony/stream_parser.hpp"

#include <array>

#include "chat/harmony/header.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat::harmony {
namespace {

constexpr std::array<std::string_view, 3> stop_tokens{end_token, return_token, call_token};
constexpr std::array<std::string_view, 1> start_tokens{start_token};
constexpr std::array<std::string_view, 4> header_ends{message_token, end_token, return_token, call_token};

// The first of `markers` in text: its position and length (npos when none).
std::pair<size_t, size_t> first_marker(std::string_view text, std::span<const std::string_view> markers) {
  std::pair<size_t, size_t> found{std::string_view::npos, 0};
  for (std::string_view marker : markers)
    if (const size_t at = text.find(marker); at < found.first) found = {at, marker.size()};
  return found;
}

}  // namespace

StreamParser::StreamParser(std::optional<Role> role)
    : state_(role ? State::header : State::expect_start), role_(role) {}

std::vector<StreamEvent> StreamParser::push(std::string_view text) {
  held_ += text;
  std::vector<StreamEvent> events;
  process(false, events);
  return events;
}

std::vector<StreamEvent> StreamParser::finish() {
  std::vector<StreamEvent> events;
  process(true, events);
  return events;
}

void StreamParser::process(bool at_end, std::vector<StreamEvent>& events) {
  for (bool more = true; more;) {
    switch (state_) {
      case State::expect_start: more = process_expect_start(at_end); break;
      case State::header: more = process_header(at_end, events); break;
      case State::content: more = process_content(at_end, events); break;
    }
  }
}

bool StreamParser::process_expect_start(bool at_end) {
  if (held_.empty()) return false;
  if (held_.starts_with(start_token)) {
    held_.erase(0, start_token.size());
    role_.reset();
    state_ = State::header;
    return true;
  }
  if (!at_end && partial_marker_length(held_, start_tokens) == held_.size()) return false;
  role_ = Role::assistant;  // text where <|start|> belongs: the model left out "<|start|>assistant"
  state_ = State::header;
  return true;
}

bool StreamParser::process_header(bool at_end, std::vector<StreamEvent>& events) {
  // "<|start|>" repeating the header the prompt opened.
  if (role_ && held_.starts_with(start_token)) held_.erase(0, start_token.size());
  const auto [at, length] = first_marker(held_, header_ends);
  if (at == std::string::npos && !at_end) return false;
  const bool has_message = at != std::string::npos && std::string_view(held_).substr(at, length) == message_token;
  if (at == std::string::npos && held_.empty()) return false;  // the output ended where a header begins
  const std::string header = held_.substr(0, at);
  held_.erase(0, at == std::string::npos ? held_.size() : at + length);
  ParsedHeader parsed = parse_header(header, role_, has_message);
  role_.reset();
  messages_.push_back(std::move(parsed.message));
  state_ = State::content;
  add_content(parsed.remaining, events);
  if (!has_message) {
    events.push_back({messages_.size() - 1, "", true});
    state_ = State::expect_start;
  }
  return true;
}

bool StreamParser::process_content(bool at_end, std::vector<StreamEvent>& events) {
  const auto [at, length] = first_marker(held_, stop_tokens);
  if (at != std::string::npos) {
    add_content(std::string_view(held_).substr(0, at), events);
    held_.erase(0, at + length);
    events.push_back({messages_.size() - 1, "", true});
    state_ = State::expect_start;
    return true;
  }
  const size_t ready = at_end ? held_.size() : held_.size() - partial_marker_length(held_, stop_tokens);
  add_content(std::string_view(held_).substr(0, ready), events);
  held_.erase(0, ready);
  if (at_end) {
    events.push_back({messages_.size() - 1, "", true});
    state_ = State::expect_start;
  }
  return false;
}

void StreamParser::add_content(std::string_view text, std::vector<StreamEvent>& events) {
  if (text.empty()) return;
  Message& message = messages_.back();
  std::get<std::string>(message.content) += text;
  if (!events.empty() && events.back().message == messages_.size() - 1 && !events.back().ended)
    events.back().text += text;
  else
    events.push_back({messages_.size() - 1, std::string(text), false});
}

std::vector<Message> parse_messages(std::string_view text, std::optional<Role> role) {
  StreamParser parser(role);
  parser.push(text);
  parser.finish();
  return parser.messages();
}

}  // namespace rbee::chat::harmony
