#pragma once
// Runs recorded model outputs through the output parser whole, one character at a time, one
// byte at a time and in pieces of mixed sizes; all must agree.
#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chat/output/output_parser.hpp"

namespace rbee::chat {

inline void PrintTo(const ParsedOutput& out, std::ostream* os) {
  *os << "{content: \"" << out.content << "\", reasoning: \"" << out.reasoning << "\", tool_calls: [";
  for (const ToolCall& call : out.tool_calls) *os << "{" << call.id << ", " << call.name << ", " << call.arguments << "}";
  *os << "]}";
}

}  // namespace rbee::chat

namespace rbee::chat::test {

inline constexpr std::uint64_t id_seed = 7;

inline std::size_t utf8_sequence_length(char lead) {
  const auto byte = static_cast<unsigned char>(lead);
  return byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
}

enum class Pieces { characters, bytes, mixed_sizes };

inline ParsedOutput parse_in_pieces(std::string_view text, const OutputFormat& format, Pieces pieces) {
  static constexpr std::size_t mixed_sizes[] = {3, 1, 5, 2, 8, 13};
  OutputParser parser(format, id_seed);
  ParsedOutput out;
  for (std::size_t at = 0, count = 0; at < text.size(); ++count) {
    const std::size_t n = pieces == Pieces::bytes        ? 1
                          : pieces == Pieces::characters ? utf8_sequence_length(text[at])
                                                         : mixed_sizes[count % std::size(mixed_sizes)];
    out.add(parser.push(text.substr(at, n)));
    at += n;
  }
  out.add(parser.finish());
  return out;
}

// The output parsed whole, after checking that streaming it gives the same.
inline ParsedOutput parse_every_way(std::string_view text, const OutputFormat& format) {
  const ParsedOutput whole = parse_output(text, format, id_seed);
  EXPECT_EQ(parse_in_pieces(text, format, Pieces::characters), whole) << "fed one character at a time";
  EXPECT_EQ(parse_in_pieces(text, format, Pieces::bytes), whole) << "fed one byte at a time";
  EXPECT_EQ(parse_in_pieces(text, format, Pieces::mixed_sizes), whole) << "fed in pieces of mixed sizes";
  return whole;
}

// The calls' names and arguments (ids are random-looking; tool_call_ids tests check them).
inline std::vector<std::pair<std::string, std::string>> calls_of(const ParsedOutput& out) {
  std::vector<std::pair<std::string, std::string>> calls;
  for (const ToolCall& call : out.tool_calls) calls.emplace_back(call.name, call.arguments);
  return calls;
}

using Calls = std::vector<std::pair<std::string, std::string>>;

}  // namespace rbee::chat::test
