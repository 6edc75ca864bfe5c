#pragma once
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rbee {

// Pre-tokenizer: each regex in turn splits every piece into its matches and the text between
// them (Hugging Face's Split with "Isolated" behaviour, as llama.cpp applies its lists).
// PCRE2 in UTF mode with Unicode properties; invalid UTF-8 never matches a letter class.
class RegexSplitter {
 public:
  explicit RegexSplitter(const std::vector<std::string>& regexes);
  ~RegexSplitter();
  RegexSplitter(RegexSplitter&&) noexcept;
  RegexSplitter& operator=(RegexSplitter&&) noexcept;

  std::vector<std::string_view> split(std::string_view text) const;

 private:
  struct Compiled;
  std::vector<std::unique_ptr<Compiled>> compiled_;
};

// The regex list llama.cpp uses for a `tokenizer.ggml.pre` name; throws std::invalid_argument
// for names it does not know.
std::vector<std::string> pre_tokenizer_regexes(std::string_view pre);

}  // namespace rbee
