#include "tokenizer/unicode_nfc.hpp"

#include <algorithm>
#include <vector>

#include "tokenizer/unicode_nfc_tables.hpp"
#include "util/utf8.hpp"

namespace rbee {
namespace {

// Hangul syllables, by the algorithm of the Unicode standard (section 3.12).
constexpr uint32_t kSBase = 0xAC00, kLBase = 0x1100, kVBase = 0x1161, kTBase = 0x11A7;
constexpr uint32_t kLCount = 19, kVCount = 21, kTCount = 28, kNCount = kVCount * kTCount;
constexpr uint32_t kSCount = kLCount * kNCount;

// A code point, or a byte of invalid UTF-8 kept as it was (it never combines).
struct Unit {
  uint32_t value;
  bool raw_byte;
};

uint32_t combining_class(const Unit& u) {
  if (u.raw_byte) return 0;
  const auto table = nfc_tables::combining_classes();
  const auto it = std::lower_bound(table.begin(), table.end(), u.value,
                                   [](const auto& e, uint32_t cp) { return e.code_point < cp; });
  return it != table.end() && it->code_point == u.value ? it->ccc : 0;
}

void decompose(uint32_t cp, std::vector<Unit>& out) {
  if (cp >= kSBase && cp < kSBase + kSCount) {
    const uint32_t s = cp - kSBase;
    out.push_back({kLBase + s / kNCount, false});
    out.push_back({kVBase + (s % kNCount) / kTCount, false});
    if (s % kTCount) out.push_back({kTBase + s % kTCount, false});
    return;
  }
  const auto table = nfc_tables::decompositions();
  const auto it = std::lower_bound(table.begin(), table.end(), cp,
                                   [](const auto& e, uint32_t c) { return e.code_point < c; });
  if (it == table.end() || it->code_point != cp) {
    out.push_back({cp, false});
    return;
  }
  for (uint32_t part : nfc_tables::decomposition_pool().subspan(it->offset, it->length)) out.push_back({part, false});
}

// The primary composite of a starter and the character after it, or 0.
uint32_t compose(uint32_t first, uint32_t second) {
  if (first >= kLBase && first < kLBase + kLCount && second >= kVBase && second < kVBase + kVCount)
    return kSBase + ((first - kLBase) * kVCount + (second - kVBase)) * kTCount;
  if (first >= kSBase && first < kSBase + kSCount && (first - kSBase) % kTCount == 0 && second > kTBase &&
      second < kTBase + kTCount)
    return first + (second - kTBase);
  const auto table = nfc_tables::compositions();
  const auto it = std::lower_bound(table.begin(), table.end(), std::pair{first, second}, [](const auto& e, auto key) {
    return std::pair{e.first, e.second} < key;
  });
  return it != table.end() && it->first == first && it->second == second ? it->composite : 0;
}

}  // namespace

std::string to_nfc(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return uint8_t(c) < 0x80; })) return std::string(text);

  std::vector<Unit> units;
  for (size_t pos = 0, len = 0; pos < text.size(); pos += len) {
    const uint32_t cp = utf8::decode(text, pos, len);
    if (cp == 0xFFFD && len == 1 && uint8_t(text[pos]) >= 0x80) units.push_back({uint8_t(text[pos]), true});
    else decompose(cp, units);
  }
  // Canonical order: marks between two starters sorted by combining class, stably.
  for (size_t i = 0; i < units.size();) {
    size_t end = i;
    while (end < units.size() && combining_class(units[end]) != 0) ++end;
    std::stable_sort(units.begin() + i, units.begin() + end,
                     [](const Unit& a, const Unit& b) { return combining_class(a) < combining_class(b); });
    i = end + 1;
  }
  // Canonical composition: each mark joins the last starter unless a mark of the same or a
  // higher class stands between them.
  std::vector<Unit> composed;
  size_t starter = SIZE_MAX;
  uint32_t last_class = 0;
  for (const Unit& u : units) {
    const uint32_t ccc = combining_class(u);
    if (starter != SIZE_MAX && !u.raw_byte && !composed[starter].raw_byte && (last_class < ccc || last_class == 0)) {
      if (const uint32_t c = compose(composed[starter].value, u.value)) {
        composed[starter].value = c;
        continue;
      }
    }
    if (ccc == 0) starter = composed.size();
    last_class = ccc;
    composed.push_back(u);
  }
  std::string out;
  out.reserve(text.size());
  for (const Unit& u : composed) {
    if (u.raw_byte) out += char(u.value);
    else utf8::append(out, u.value);
  }
  return out;
}

}  // namespace rbee
