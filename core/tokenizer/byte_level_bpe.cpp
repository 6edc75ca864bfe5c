#include "tokenizer/byte_level_bpe.hpp"

#include <queue>

#include "tokenizer/byte_level.hpp"
#include "util/utf8.hpp"

namespace rbee {
namespace {

struct Symbol {
  int prev, next;
  size_t start, len;  // len 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  int rank;
  std::string text;
};

// Lowest rank first; for equal ranks the leftmost pair.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.rank > b.rank || (a.rank == b.rank && a.left > b.left);
  }
};

}  // namespace

ByteLevelBpe::ByteLevelBpe(const Vocab& vocab, const TokenIndex& index)
    : index_(index),
      ignore_merges_(vocab.ignore_merges),
      splitter_(vocab.pre.empty() ? vocab.pre_regexes : pre_tokenizer_regexes(vocab.pre)) {
  ranks_.reserve(vocab.merges.size());
  for (size_t i = 0; i < vocab.merges.size(); ++i) ranks_.emplace(vocab.merges[i], int(i));
}

int ByteLevelBpe::rank(std::string_view left, std::string_view right) const {
  std::string key;
  key.reserve(left.size() + 1 + right.size());
  key.append(left).append(" ").append(right);
  const auto it = ranks_.find(key);
  return it == ranks_.end() ? -1 : it->second;
}

void ByteLevelBpe::encode(std::string_view text, std::vector<int32_t>& out) const {
  for (std::string_view word : splitter_.split(text)) encode_word(byte_level::encode(word), out);
}

void ByteLevelBpe::encode_word(const std::string& word, std::vector<int32_t>& out) const {
  if (ignore_merges_)
    if (const int32_t id = index_.find(word); id >= 0) {
      out.push_back(id);
      return;
    }

  std::vector<Symbol> symbols;
  for (size_t pos = 0; pos < word.size();) {
    const size_t len = std::min(utf8::sequence_length(uint8_t(word[pos])), word.size() - pos);
    const int i = int(symbols.size());
    symbols.push_back({i - 1, pos + len == word.size() ? -1 : i + 1, pos, len});
    pos += len;
  }
  auto text_of = [&](const Symbol& s) { return std::string_view(word).substr(s.start, s.len); };

  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue;
  auto try_add = [&](int left, int right) {
    if (left < 0 || right < 0) return;
    const auto l = text_of(symbols[left]), r = text_of(symbols[right]);
    if (const int k = rank(l, r); k >= 0) queue.push({left, right, k, std::string(l) + std::string(r)});
  };
  for (int i = 1; i < int(symbols.size()); ++i) try_add(i - 1, i);

  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Symbol& l = symbols[b.left];
    Symbol& r = symbols[b.right];
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.text.size() ||
        std::string_view(word).substr(l.start, b.text.size()) != b.text)
      continue;  // stale
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) symbols[r.next].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }

  for (int i = symbols.empty() ? -1 : 0; i != -1; i = symbols[i].next) {
    const std::string piece(text_of(symbols[i]));
    if (const int32_t id = index_.find(piece); id >= 0) {
      out.push_back(id);
      continue;
    }
    // No token for this symbol: one token per mapped byte, skipping what the vocab lacks.
    for (size_t pos = 0, len = 0; pos < piece.size(); pos += len) {
      len = utf8::sequence_length(uint8_t(piece[pos]));
      if (const int32_t id = index_.find(piece.substr(pos, len)); id >= 0) out.push_back(id);
    }
  }
}

}  // namespace rbee
