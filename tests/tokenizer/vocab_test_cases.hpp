#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace rbee::test {

struct VocabCase {
  std::string text;
  std::vector<int32_t> ids;
};

// llama.cpp's tokenizer vectors: <vocab>.inp holds texts separated by
// "\n__ggml_vocab_test__\n", <vocab>.out one line of space-separated ids per text
// (read as tests/test-tokenizer-0.cpp reads them).
inline std::vector<VocabCase> read_vocab_cases(const std::filesystem::path& inp,
                                               const std::filesystem::path& out) {
  std::ifstream fi(inp, std::ios::binary), fo(out);
  std::stringstream raw;
  raw << fi.rdbuf();
  const std::string text = raw.str();
  const std::string sep = "\n__ggml_vocab_test__\n";

  std::vector<VocabCase> cases;
  for (size_t pos = 0; pos < text.size();) {
    const size_t next = text.find(sep, pos);
    cases.push_back({text.substr(pos, next == std::string::npos ? std::string::npos : next - pos), {}});
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  size_t i = 0;
  for (std::string line; std::getline(fo, line); ++i) {
    if (i >= cases.size()) return {};  // count mismatch: caller fails on the size check
    std::istringstream ids(line);
    for (int32_t id; ids >> id;) cases[i].ids.push_back(id);
  }
  return i == cases.size() ? cases : std::vector<VocabCase>{};
}

}  // namespace rbee::test
