#include "tokenizer/spm_bpe.hpp"

#include <map>
#include <queue>
#include <string>

#include "util/utf8.hpp"

namespace rbee {
namespace {

struct Symbol {
  int prev, next;
  size_t start, len;  // len 0 once merged into its left neighbour
};

struct Bigram {
  int left, right;
  float score;
  size_t len;
};

// Highest score first; for equal scores the leftmost pair.
struct BigramOrder {
  bool operator()(const Bigram& a, const Bigram& b) const {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  }
};

class Session {
 public:
  Session(std::string_view text, const Vocab& vocab, const TokenIndex& index)
      : text_(text), vocab_(vocab), index_(index) {}

  void run(std::vector<int32_t>& out) {
    for (size_t pos = 0; pos < text_.size();) {
      const size_t len = std::min(utf8::sequence_length(uint8_t(text_[pos])), text_.size() - pos);
      const int i = int(symbols_.size());
      symbols_.push_back({i - 1, pos + len == text_.size() ? -1 : i + 1, pos, len});
      pos += len;
    }
    for (int i = 1; i < int(symbols_.size()); ++i) try_add(i - 1, i);

    while (!queue_.empty()) {
      const Bigram b = queue_.top();
      queue_.pop();
      Symbol& l = symbols_[b.left];
      Symbol& r = symbols_[b.right];
      if (l.len == 0 || r.len == 0 || l.len + r.len != b.len) continue;  // stale
      l.len += r.len;
      r.len = 0;
      l.next = r.next;
      if (r.next >= 0) symbols_[r.next].prev = b.left;
      try_add(l.prev, b.left);
      try_add(b.left, l.next);
    }
    for (int i = symbols_.empty() ? -1 : 0; i != -1; i = symbols_[i].next)
      resegment(symbols_[i], out);
  }

 private:
  std::string text_of(const Symbol& s) const { return std::string(text_.substr(s.start, s.len)); }

  void try_add(int left, int right) {
    if (left < 0 || right < 0) return;
    const Symbol& l = symbols_[left];
    const std::string merged(text_.substr(l.start, l.len + symbols_[right].len));
    const int32_t id = index_.find(merged);
    if (id < 0) return;
    const float score = size_t(id) < vocab_.scores.size() ? vocab_.scores[id] : 0.0f;
    queue_.push({left, right, score, merged.size()});
    rev_merge_[merged] = {left, right};
  }

  void resegment(const Symbol& s, std::vector<int32_t>& out) const {
    const std::string text = text_of(s);
    if (const int32_t id = index_.find(text); id >= 0) {
      out.push_back(id);
      return;
    }
    const auto it = rev_merge_.find(text);
    if (it == rev_merge_.end()) {
      for (char c : text)
        if (const int32_t id = index_.byte_token(uint8_t(c)); id >= 0) out.push_back(id);
      return;
    }
    resegment(symbols_[it->second.first], out);
    resegment(symbols_[it->second.second], out);
  }

  std::string_view text_;
  const Vocab& vocab_;
  const TokenIndex& index_;
  std::vector<Symbol> symbols_;
  std::priority_queue<Bigram, std::vector<Bigram>, BigramOrder> queue_;
  std::map<std::string, std::pair<int, int>> rev_merge_;
};

}  // namespace

void spm_bpe_encode(std::string_view text, const Vocab& vocab, const TokenIndex& index,
                    std::vector<int32_t>& out) {
  Session(text, vocab, index).run(out);
}

}  // namespace rbee
