// The KV cache element type. Define KV_F16 (two halves per 32-bit word) or KV_F32.
// KV_ELEM(buf, i) reads element i of a cache buffer as float.
#if defined(KV_F16)
#define KV_WORD uint
#define KV_ELEM(buf, i) half_at(buf[(i) >> 1], (i))
#elif defined(KV_F32)
#define KV_WORD float
#define KV_ELEM(buf, i) buf[i]
#else
#error "define KV_F16 or KV_F32"
#endif

// Where position p of the sequence in cache slot `slot` lives (KvCache). A sliding-window
// layer keeps a ring of `ring` rows per slot: row slot * ring + p % ring. Any other layer is
// paged: its rows are a pool of KV_BLOCK-row blocks, and the block table (TABLE_BINDING, a row
// of `table_stride` block numbers per slot) says which block holds positions
// [i * KV_BLOCK, (i + 1) * KV_BLOCK) of the slot.
#define KV_BLOCK 16u
layout(std430, binding = TABLE_BINDING) readonly buffer BlockTable { uint block_table[]; };
uint cache_row(uint slot, uint p, uint ring, uint table_stride) {
  if (ring != 0u) return slot * ring + p % ring;
  return block_table[slot * table_stride + p / KV_BLOCK] * KV_BLOCK + p % KV_BLOCK;
}
