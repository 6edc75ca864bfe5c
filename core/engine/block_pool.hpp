#pragma once
#include <array>
#include <cstdint>
#include <list>
#include <optional>
#include <unordered_map>
#include <vector>

namespace rbee {

// The blocks of a paged KV cache (graph/kv_cache.hpp) and the prefix cache over them.
// Sequences take blocks as they grow and release them when they shrink or end; a block may be
// used by several sequences at once (a shared prompt prefix), read-only.
//
// Prefix cache: a full block can be published under its content, the tokens it holds and the
// block before it (by that block's serial, a number no other publication ever gets again, so a
// block reused for other content never matches its old children). A published block that no
// sequence uses stays cached, and is reused by find() until a take() needs it: least recently
// released first.
class BlockPool {
 public:
  static constexpr uint32_t kTokens = 16;  // positions a block holds (KvCache::kBlockRows)
  using Tokens = std::array<int32_t, kTokens>;

  explicit BlockPool(uint32_t blocks);

  uint32_t total() const { return static_cast<uint32_t>(users_.size()); }
  // Blocks take() can hand out: free ones and cached ones no sequence uses.
  uint32_t available() const { return static_cast<uint32_t>(free_.size() + idle_.size()); }
  // Cached blocks no sequence uses.
  uint32_t cached() const { return static_cast<uint32_t>(idle_.size()); }
  // A block for one more user, evicting the least recently released cached one where no block
  // is free; throws std::logic_error when none is available (callers check available()).
  uint32_t take();
  // One more user of a block that is in use or cached.
  void share(uint32_t block);
  // One user fewer; at none, a published block stays cached, another is free.
  void release(uint32_t block);
  uint32_t users(uint32_t block) const { return users_.at(block); }

  // The published block holding `tokens` after the block of serial `parent` (0: at the start).
  std::optional<uint32_t> find(uint64_t parent, const Tokens& tokens) const;
  // Publishes a full block; returns the serial under which its content is known (that of an
  // earlier block with the same content, which then stays the one find() gives).
  uint64_t publish(uint32_t block, uint64_t parent, const Tokens& tokens);
  // The serial of a published block, 0 for another.
  uint64_t serial(uint32_t block) const { return entries_.at(block).serial; }
  // Unpublishes a block whose content is about to change.
  void forget(uint32_t block);

 private:
  struct Key {
    uint64_t parent;
    Tokens tokens;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    uint64_t serial = 0;
    Key key{};
    std::list<uint32_t>::iterator idle;  // valid while cached and unused
  };

  std::vector<uint32_t> users_;
  std::vector<uint32_t> free_;   // taken from the back: lowest numbers first
  std::list<uint32_t> idle_;     // cached and unused, least recently released first
  std::vector<Entry> entries_;
  std::unordered_map<Key, uint32_t, KeyHash> published_;
  uint64_t next_serial_ = 1;
};

}  // namespace rbee
