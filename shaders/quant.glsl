// GGML block-quantized weight formats, read on the GPU.
//
// Include after defining `uint wword(uint i)`, 32-bit word i of the weight tensor, and
// defining exactly one of WTYPE_Q8_0, WTYPE_Q4_0, WTYPE_Q4_1, WTYPE_Q5_0, WTYPE_Q5_1,
// WTYPE_Q2_K, WTYPE_Q3_K, WTYPE_Q4_K, WTYPE_Q5_K, WTYPE_Q6_K, WTYPE_IQ4_NL, WTYPE_MXFP4.
// Provides, for that type:
//   QK, BLOCK_BYTES                      elements and bytes per block
//   float dequant(uint block, uint j)    element j (< QK) of block `block`
//   void dequant16(uint block, uint j0, out float v[16])
//                                        elements j0..j0+15 (j0 a multiple of 16), reading
//                                        the block's scales once: the entry point of fused
//                                        dequantize-and-multiply kernels
// With WEIGHT_WINDOW defined, dequant16 reads the block that load_window() (matmul_rows.comp)
// put in registers rather than the tensor, whatever `block` says: a kernel that loads a whole
// block at once and unrolls over j0 then reads every field from registers.
// The tensor is a tight array of blocks as ggml stores them; blocks are not 4-byte aligned
// (a Q4_0 block is 18 bytes), so every field is read with byte shifts from whole words. The
// buffer only has to be padded to a whole number of words: no read goes past the last word
// that holds a byte of the tensor.
//
// Results are bit-exact with ggml's dequantize_row_* and gguf-py's dequantize: the same
// float operations in the same order. `precise` keeps the compiler from fusing x*d + m into
// an fma, which would round once instead of twice.

// ---- sizes --------------------------------------------------------------------------------
// BLOCK_ALIGN: the largest power of two (at most 16) dividing BLOCK_BYTES, so every block of a
// tensor starts at a multiple of it.
#if defined(WTYPE_Q8_0)
#define QK 32u
#define BLOCK_BYTES 34u
#define BLOCK_ALIGN 2u
#elif defined(WTYPE_Q4_0) || defined(WTYPE_IQ4_NL)
#define QK 32u
#define BLOCK_BYTES 18u
#define BLOCK_ALIGN 2u
#elif defined(WTYPE_Q4_1)
#define QK 32u
#define BLOCK_BYTES 20u
#define BLOCK_ALIGN 4u
#elif defined(WTYPE_Q5_0)
#define QK 32u
#define BLOCK_BYTES 22u
#define BLOCK_ALIGN 2u
#elif defined(WTYPE_Q5_1)
#define QK 32u
#define BLOCK_BYTES 24u
#define BLOCK_ALIGN 8u
#elif defined(WTYPE_Q2_K)
#define QK 256u
#define BLOCK_BYTES 84u
#define BLOCK_ALIGN 4u
#elif defined(WTYPE_Q3_K)
#define QK 256u
#define BLOCK_BYTES 110u
#define BLOCK_ALIGN 2u
#elif defined(WTYPE_Q4_K)
#define QK 256u
#define BLOCK_BYTES 144u
#define BLOCK_ALIGN 16u
#elif defined(WTYPE_Q5_K)
#define QK 256u
#define BLOCK_BYTES 176u
#define BLOCK_ALIGN 16u
#elif defined(WTYPE_Q6_K)
#define QK 256u
#define BLOCK_BYTES 210u
#define BLOCK_ALIGN 2u
#elif defined(WTYPE_MXFP4)
#define QK 32u
#define BLOCK_BYTES 17u
#define BLOCK_ALIGN 1u
#else
#error "quant.glsl: define one WTYPE_* of a block-quantized type"
#endif
#define BLOCK_WORDS ((BLOCK_BYTES + 3u) / 4u)

// ---- byte access ------------------------------------------------------------------------

// Byte b of the tensor.
uint wbyte(uint b) { return (wword(b >> 2) >> ((b & 3u) * 8u)) & 0xffu; }

// The reads below are branch-free (a CPU implementation runs both sides of a branch): the word
// after an aligned value is not read, the aligned word is read again in its place, so no read
// goes past the tensor's last word.

// (lo >> s) | (hi << (32 - s)) for a byte shift s in 0, 8, 16, 24 (a shift by 32 is undefined).
uint funnel(uint lo, uint hi, uint s) { return s == 0u ? lo : (lo >> s) | (hi << (32u - s)); }

// Little-endian 16-bit value at byte b (any alignment).
uint wu16(uint b) {
  uint w = b >> 2, s = (b & 3u) * 8u;
  return funnel(wword(w), wword(w + (s == 24u ? 1u : 0u)), s) & 0xffffu;
}

// IEEE half at byte b, as float (exact).
float wf16(uint b) { return unpackHalf2x16(wu16(b)).x; }

// Little-endian 32-bit value at byte b (any alignment).
uint wu32(uint b) {
  uint w = b >> 2, s = (b & 3u) * 8u;
  return funnel(wword(w), wword(w + (s == 0u ? 0u : 1u)), s);
}

// 16 bytes starting at byte b (any alignment), byte i in bits 8*(i%4) of component i/4.
uvec4 wbytes16(uint b) {
  uint w = b >> 2, s = (b & 3u) * 8u;
  uvec4 a = uvec4(wword(w), wword(w + 1u), wword(w + 2u), wword(w + 3u));
  uint e = wword(w + (s == 0u ? 3u : 4u));
  return uvec4(funnel(a.x, a.y, s), funnel(a.y, a.z, s), funnel(a.z, a.w, s), funnel(a.w, e, s));
}

// Field access relative to a block's first byte `base`, the way dequant16 reads: from the
// tensor, or with WEIGHT_WINDOW from the block in registers (word i = bytes 4i..4i+3 of the
// block), where offsets that are constants fold to registers.
#if defined(WEIGHT_WINDOW)
uint blk[BLOCK_WORDS];
uint bword(uint i) { return blk[min(i, BLOCK_WORDS - 1u)]; }
uint bu32(uint base, uint off) { return funnel(bword(off >> 2), bword((off >> 2) + 1u), (off & 3u) * 8u); }
uint bbyte(uint base, uint off) { return (bword(off >> 2) >> ((off & 3u) * 8u)) & 0xffu; }
uvec4 bbytes16(uint base, uint off) {
  return uvec4(bu32(base, off), bu32(base, off + 4u), bu32(base, off + 8u), bu32(base, off + 12u));
}
float bhalf(uint base, uint off) { return unpackHalf2x16(bu32(base, off) & 0xffffu).x; }
#else
uint bu32(uint base, uint off) { return wu32(base + off); }
uint bbyte(uint base, uint off) { return wbyte(base + off); }
uvec4 bbytes16(uint base, uint off) { return wbytes16(base + off); }
float bhalf(uint base, uint off) { return wf16(base + off); }
#endif

// Byte i (0..15) of a wbytes16 result, unsigned and sign-extended.
uint qbyte(uvec4 q, uint i) { return (q[i >> 2] >> ((i & 3u) * 8u)) & 0xffu; }
int qsbyte(uvec4 q, uint i) { return bitfieldExtract(int(q[i >> 2]), int((i & 3u) * 8u), 8); }

// x*d + m and x*d - m with two roundings, as ggml computes them.
float mul_add(float x, float d, float m) { precise float p = x * d; precise float r = p + m; return r; }
float mul_sub(float x, float d, float m) { precise float p = x * d; precise float r = p - m; return r; }

// Entry nib (0..15) of a 16-entry int8 codebook packed little-endian in four words, as float.
// Selects rather than an indexed constant array: a CPU implementation indexes an array lane by
// lane, which compiles slowly and runs slowly.
float codebook(uint nib, uvec4 packed) {
  uint word = nib < 8u ? (nib < 4u ? packed.x : packed.y) : (nib < 12u ? packed.z : packed.w);
  return float(bitfieldExtract(int(word), int((nib & 3u) * 8u), 8));
}

// ---- shared by the K-quants ----------------------------------------------------------------

// Q4_K/Q5_K: 6-bit scale (x) and min (y) of sub-block s (0..7) from the 12 packed bytes at sc:
//   bytes 0-3: scale s (low 6 bits), high 2 bits of scale s+4
//   bytes 4-7: min s (low 6 bits),   high 2 bits of min s+4
//   bytes 8-11: low 4 bits of scale s+4, high nibble: low 4 bits of min s+4
// (the 12 bytes as three little-endian words)
uint scale_byte(uvec3 sc, uint i) { return (sc[i >> 2] >> ((i & 3u) * 8u)) & 0xffu; }
uvec2 k4_scale_min(uvec3 sc, uint s) {
  if (s < 4u) return uvec2(scale_byte(sc, s) & 63u, scale_byte(sc, s + 4u) & 63u);
  uint m_d = scale_byte(sc, s + 4u);
  return uvec2((m_d & 0xfu) | ((scale_byte(sc, s - 4u) >> 6) << 4), (m_d >> 4) | ((scale_byte(sc, s) >> 6) << 4));
}

// Q3_K: signed 6-bit scale of 16-element group g (0..15) from the 12 packed bytes at sc:
//   bytes 0-7: low 4 bits of scales 0-7 (low nibble) and 8-15 (high nibble)
//   bytes 8-11: high 2 bits, scale g at byte 8 + g%4, bits 2*(g/4)
int k3_scale(uvec3 sc, uint g) {
  uint low = g < 8u ? (scale_byte(sc, g) & 0xfu) : (scale_byte(sc, g - 8u) >> 4);
  uint high = (scale_byte(sc, 8u + (g & 3u)) >> (2u * (g >> 2))) & 3u;
  return int(low | (high << 4)) - 32;
}

#if defined(WTYPE_Q8_0)
// ---- Q8_0: 32 elements in 34 bytes -------------------------------------------------------
// f16 d | int8 qs[32];  x[j] = qs[j] * d
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  int q = bitfieldExtract(int(wbyte(base + 2u + j)), 0, 8);
  return float(q) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = bhalf(base, 0u);
  uvec4 q = bbytes16(base, 2u + j0);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = float(qsbyte(q, i)) * d;
}

#elif defined(WTYPE_Q4_0) || defined(WTYPE_IQ4_NL)
// ---- Q4_0 and IQ4_NL: 32 elements in 18 bytes ----------------------------------------------
// f16 d | uint8 qs[16]; element j < 16 is the low nibble of qs[j], element j + 16 the high one.
// Q4_0:   x[j] = (nibble - 8) * d
// IQ4_NL: x[j] = kvalues_iq4nl[nibble] * d (a non-linear 4-bit codebook)
#if defined(WTYPE_Q4_0)
float q4_value(uint nib) { return float(int(nib) - 8); }
#else
// kvalues_iq4nl = -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113
float q4_value(uint nib) { return codebook(nib, uvec4(0xBFAD9881u, 0xF6EADDCFu, 0x26190D01u, 0x71594535u)); }
#endif
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 2u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return q4_value(nib) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = bhalf(base, 0u);
  uvec4 q = bbytes16(base, 2u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = q4_value((qbyte(q, i) >> shift) & 0xfu) * d;
}

#elif defined(WTYPE_Q4_1)
// ---- Q4_1: 32 elements in 20 bytes -------------------------------------------------------
// f16 d | f16 m | uint8 qs[16]; nibbles as in Q4_0;  x[j] = nibble * d + m
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 4u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return mul_add(float(nib), wf16(base), wf16(base + 2u));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(bu32(base, 0u));
  uvec4 q = bbytes16(base, 4u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_add(float((qbyte(q, i) >> shift) & 0xfu), dm.x, dm.y);
}

#elif defined(WTYPE_Q5_0)
// ---- Q5_0: 32 elements in 22 bytes -------------------------------------------------------
// f16 d | uint32 qh (little-endian, bit j = 5th bit of element j) | uint8 qs[16] (nibbles as
// in Q4_0);  x[j] = ((nibble | qh_bit << 4) - 16) * d
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 6u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  uint hi = (wu32(base + 2u) >> j) & 1u;
  return float(int(nib | (hi << 4)) - 16) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = bhalf(base, 0u);
  uint qh = bu32(base, 2u) >> j0;
  uvec4 q = bbytes16(base, 6u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = float(int(((qbyte(q, i) >> shift) & 0xfu) | (((qh >> i) & 1u) << 4)) - 16) * d;
}

#elif defined(WTYPE_Q5_1)
// ---- Q5_1: 32 elements in 24 bytes -------------------------------------------------------
// f16 d | f16 m | uint32 qh | uint8 qs[16], bits as in Q5_0;  x[j] = (nibble | qh_bit << 4) * d + m
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 8u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  uint hi = (wu32(base + 4u) >> j) & 1u;
  return mul_add(float(nib | (hi << 4)), wf16(base), wf16(base + 2u));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(bu32(base, 0u));
  uint qh = bu32(base, 4u) >> j0;
  uvec4 q = bbytes16(base, 8u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = mul_add(float(((qbyte(q, i) >> shift) & 0xfu) | (((qh >> i) & 1u) << 4)), dm.x, dm.y);
}

#elif defined(WTYPE_Q2_K)
// ---- Q2_K: 256 elements in 84 bytes ------------------------------------------------------
// uint8 scales[16] | uint8 qs[64] | f16 d | f16 dmin
// Element e: group g = e/16 has scale byte scales[g] (low nibble: scale, high nibble: min);
// its 2-bit quant is bits 2*((e%128)/32) of qs[32*(e/128) + e%32].
// x[e] = (d * scale) * q - (dmin * min)
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint sc = wbyte(base + (j >> 4));
  vec2 dm = unpackHalf2x16(wu32(base + 80u));
  uint q = (wbyte(base + 16u + 32u * (j >> 7) + (j & 31u)) >> (2u * ((j >> 5) & 3u))) & 3u;
  return mul_sub(float(q), dm.x * float(sc & 0xfu), dm.y * float(sc >> 4));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  uint sc = bbyte(base, (j0 >> 4));
  vec2 dm = unpackHalf2x16(bu32(base, 80u));
  float dl = dm.x * float(sc & 0xfu), ml = dm.y * float(sc >> 4);
  uvec4 q = bbytes16(base, 16u + 32u * (j0 >> 7) + (j0 & 31u));
  uint shift = 2u * ((j0 >> 5) & 3u);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_sub(float((qbyte(q, i) >> shift) & 3u), dl, ml);
}

#elif defined(WTYPE_Q3_K)
// ---- Q3_K: 256 elements in 110 bytes -----------------------------------------------------
// uint8 hmask[32] | uint8 qs[64] | uint8 scales[12] (16 signed 6-bit scales, see k3_scale) | f16 d
// Element e: low 2 bits are bits 2*((e%128)/32) of qs[32*(e/128) + e%32]; the high bit is bit
// e/32 of hmask[e%32], and a CLEAR high bit subtracts 4.  x[e] = (d * scale[e/16]) * q
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  float dl = wf16(base + 108u) * float(k3_scale(uvec3(wu32(base + 96u), wu32(base + 100u), wu32(base + 104u)), j >> 4));
  uint lo = (wbyte(base + 32u + 32u * (j >> 7) + (j & 31u)) >> (2u * ((j >> 5) & 3u))) & 3u;
  uint hi = (wbyte(base + (j & 31u)) >> (j >> 5)) & 1u;
  return dl * float(int(lo) - (hi != 0u ? 0 : 4));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float dl = bhalf(base, 108u) * float(k3_scale(uvec3(bu32(base, 96u), bu32(base, 100u), bu32(base, 104u)), j0 >> 4));
  uvec4 q = bbytes16(base, 32u + 32u * (j0 >> 7) + (j0 & 31u));
  uvec4 h = bbytes16(base, (j0 & 31u));
  uint shift = 2u * ((j0 >> 5) & 3u), hbit = j0 >> 5;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) {
    int lo = int((qbyte(q, i) >> shift) & 3u);
    int sub = ((qbyte(h, i) >> hbit) & 1u) != 0u ? 0 : 4;
    v[i] = dl * float(lo - sub);
  }
}

#elif defined(WTYPE_Q4_K)
// ---- Q4_K: 256 elements in 144 bytes -----------------------------------------------------
// f16 d | f16 dmin | uint8 scales[12] (8 scale/min pairs, see k4_scale_min) | uint8 qs[128]
// Element e: sub-block s = e/32; quant = nibble (s odd: high) of qs[32*(e/64) + e%32].
// x[e] = (d * scale[s]) * q - (dmin * min[s])
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(uvec3(wu32(base + 4u), wu32(base + 8u), wu32(base + 12u)), j >> 5);
  uint q = (wbyte(base + 16u + 32u * (j >> 6) + (j & 31u)) >> (4u * ((j >> 5) & 1u))) & 0xfu;
  return mul_sub(float(q), dm.x * float(sm.x), dm.y * float(sm.y));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(bu32(base, 0u));
  uvec2 sm = k4_scale_min(uvec3(bu32(base, 4u), bu32(base, 8u), bu32(base, 12u)), j0 >> 5);
  float dl = dm.x * float(sm.x), ml = dm.y * float(sm.y);
  uvec4 q = bbytes16(base, 16u + 32u * (j0 >> 6) + (j0 & 31u));
  uint shift = 4u * ((j0 >> 5) & 1u);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_sub(float((qbyte(q, i) >> shift) & 0xfu), dl, ml);
}

#elif defined(WTYPE_Q5_K)
// ---- Q5_K: 256 elements in 176 bytes -----------------------------------------------------
// f16 d | f16 dmin | uint8 scales[12] (as Q4_K) | uint8 qh[32] | uint8 qs[128] (as Q4_K)
// Element e: 5th bit is bit e/32 of qh[e%32].  x[e] = (d * scale[s]) * q - (dmin * min[s])
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(uvec3(wu32(base + 4u), wu32(base + 8u), wu32(base + 12u)), j >> 5);
  uint lo = (wbyte(base + 48u + 32u * (j >> 6) + (j & 31u)) >> (4u * ((j >> 5) & 1u))) & 0xfu;
  uint hi = (wbyte(base + 16u + (j & 31u)) >> (j >> 5)) & 1u;
  return mul_sub(float(lo | (hi << 4)), dm.x * float(sm.x), dm.y * float(sm.y));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(bu32(base, 0u));
  uvec2 sm = k4_scale_min(uvec3(bu32(base, 4u), bu32(base, 8u), bu32(base, 12u)), j0 >> 5);
  float dl = dm.x * float(sm.x), ml = dm.y * float(sm.y);
  uvec4 q = bbytes16(base, 48u + 32u * (j0 >> 6) + (j0 & 31u));
  uvec4 h = bbytes16(base, 16u + (j0 & 31u));
  uint shift = 4u * ((j0 >> 5) & 1u), hbit = j0 >> 5;
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = mul_sub(float(((qbyte(q, i) >> shift) & 0xfu) | (((qbyte(h, i) >> hbit) & 1u) << 4)), dl, ml);
}

#elif defined(WTYPE_Q6_K)
// ---- Q6_K: 256 elements in 210 bytes -----------------------------------------------------
// uint8 ql[128] | uint8 qh[64] | int8 scales[16] | f16 d
// Element e, in half h = e/128 at r = e%128: low 4 bits = nibble (r >= 64: high) of
// ql[64*h + r%64]; high 2 bits = bits 2*(r/32) of qh[32*h + r%32].
// x[e] = (d * scales[e/16]) * (q - 32)
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint r = j & 127u;
  float dl = wf16(base + 208u) * float(bitfieldExtract(int(wbyte(base + 192u + (j >> 4))), 0, 8));
  uint lo = (wbyte(base + 64u * (j >> 7) + (r & 63u)) >> (4u * (r >> 6))) & 0xfu;
  uint hi = (wbyte(base + 128u + 32u * (j >> 7) + (r & 31u)) >> (2u * (r >> 5))) & 3u;
  return dl * float(int(lo | (hi << 4)) - 32);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  uint r = j0 & 127u;
  float dl = bhalf(base, 208u) * float(bitfieldExtract(int(bbyte(base, 192u + (j0 >> 4))), 0, 8));
  uvec4 ql = bbytes16(base, 64u * (j0 >> 7) + (r & 63u));
  uvec4 qh = bbytes16(base, 128u + 32u * (j0 >> 7) + (r & 31u));
  uint lshift = 4u * (r >> 6), hshift = 2u * (r >> 5);
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = dl * float(int(((qbyte(ql, i) >> lshift) & 0xfu) | (((qbyte(qh, i) >> hshift) & 3u) << 4)) - 32);
}

#elif defined(WTYPE_MXFP4)
// ---- MXFP4 (OCP microscaling FP4): 32 elements in 17 bytes ---------------------------------
// uint8 e (E8M0 shared exponent) | uint8 qs[16] (FP4 E2M1 codes, nibbles as in Q4_0).
// ggml stores the codebook doubled (kvalues_mxfp4 = 2 * E2M1 value) and halves the scale:
// d = 2^(e-128) (e < 2: the subnormal floats 2^-128, 2^-127);  x[j] = kvalues_mxfp4[code] * d
// kvalues_mxfp4 = 0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12
float mxfp4_value(uint nib) { return codebook(nib, uvec4(0x03020100u, 0x0C080604u, 0xFDFEFF00u, 0xF4F8FAFCu)); }
float e8m0_half(uint e) { return uintBitsToFloat(e < 2u ? 0x00200000u << e : (e - 1u) << 23); }
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 1u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return mxfp4_value(nib) * e8m0_half(wbyte(base));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = e8m0_half(bbyte(base, 0u));
  uvec4 q = bbytes16(base, 1u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mxfp4_value((qbyte(q, i) >> shift) & 0xfu) * d;
}

#endif
