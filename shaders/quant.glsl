// GGML block-quantized weight formats, read on the GPU.
//
// Include after declaring the weight tensor as `uint wdata[]` (32-bit words, std430) and
// defining exactly one of WTYPE_Q8_0, WTYPE_Q4_0, WTYPE_Q4_1, WTYPE_Q5_0, WTYPE_Q5_1,
// WTYPE_Q2_K, WTYPE_Q3_K, WTYPE_Q4_K, WTYPE_Q5_K, WTYPE_Q6_K, WTYPE_IQ4_NL, WTYPE_MXFP4.
// Provides, for that type:
//   QK, BLOCK_BYTES                      elements and bytes per block
//   float dequant(uint block, uint j)    element j (< QK) of block `block`
//   void dequant16(uint block, uint j0, out float v[16])
//                                        elements j0..j0+15 (j0 a multiple of 16), reading
//                                        the block's scales once: the entry point of fused
//                                        dequantize-and-multiply kernels
// The tensor is a tight array of blocks as ggml stores them; blocks are not 4-byte aligned
// (a Q4_0 block is 18 bytes), so every field is read with byte shifts from whole words. The
// buffer only has to be padded to a whole number of words: no read goes past the last word
// that holds a byte of the tensor.
//
// Results are bit-exact with ggml's dequantize_row_* and gguf-py's dequantize: the same
// float operations in the same order. `precise` keeps the compiler from fusing x*d + m into
// an fma, which would round once instead of twice.

// ---- byte access ------------------------------------------------------------------------

// Byte b of the tensor.
uint wbyte(uint b) { return (wdata[b >> 2] >> ((b & 3u) * 8u)) & 0xffu; }

// Little-endian 16-bit value at byte b (any alignment).
uint wu16(uint b) {
  uint s = (b & 3u) * 8u;
  uint v = wdata[b >> 2] >> s;
  if (s == 24u) v |= wdata[(b >> 2) + 1u] << 8;
  return v & 0xffffu;
}

// IEEE half at byte b, as float (exact).
float wf16(uint b) { return unpackHalf2x16(wu16(b)).x; }

// Little-endian 32-bit value at byte b (any alignment).
uint wu32(uint b) {
  uint w = b >> 2, s = (b & 3u) * 8u;
  uint lo = wdata[w];
  if (s == 0u) return lo;
  return (lo >> s) | (wdata[w + 1u] << (32u - s));
}

// 16 bytes starting at byte b (any alignment), byte i in bits 8*(i%4) of component i/4.
uvec4 wbytes16(uint b) {
  uint w = b >> 2, s = (b & 3u) * 8u;
  uvec4 a = uvec4(wdata[w], wdata[w + 1u], wdata[w + 2u], wdata[w + 3u]);
  if (s == 0u) return a;
  uint e = wdata[w + 4u];
  uint r = 32u - s;
  return uvec4((a.x >> s) | (a.y << r), (a.y >> s) | (a.z << r), (a.z >> s) | (a.w << r), (a.w >> s) | (e << r));
}

// Byte i (0..15) of a wbytes16 result, unsigned and sign-extended.
uint qbyte(uvec4 q, uint i) { return (q[i >> 2] >> ((i & 3u) * 8u)) & 0xffu; }
int qsbyte(uvec4 q, uint i) { return bitfieldExtract(int(q[i >> 2]), int((i & 3u) * 8u), 8); }

// x*d + m and x*d - m with two roundings, as ggml computes them.
float mul_add(float x, float d, float m) { precise float p = x * d; precise float r = p + m; return r; }
float mul_sub(float x, float d, float m) { precise float p = x * d; precise float r = p - m; return r; }

// ---- shared by the K-quants ----------------------------------------------------------------

// Q4_K/Q5_K: 6-bit scale (x) and min (y) of sub-block s (0..7) from the 12 packed bytes at sc:
//   bytes 0-3: scale s (low 6 bits), high 2 bits of scale s+4
//   bytes 4-7: min s (low 6 bits),   high 2 bits of min s+4
//   bytes 8-11: low 4 bits of scale s+4, high nibble: low 4 bits of min s+4
uvec2 k4_scale_min(uint sc, uint s) {
  if (s < 4u) return uvec2(wbyte(sc + s) & 63u, wbyte(sc + s + 4u) & 63u);
  uint m_d = wbyte(sc + s + 4u);
  return uvec2((m_d & 0xfu) | ((wbyte(sc + s - 4u) >> 6) << 4), (m_d >> 4) | ((wbyte(sc + s) >> 6) << 4));
}

// Q3_K: signed 6-bit scale of 16-element group g (0..15) from the 12 packed bytes at sc:
//   bytes 0-7: low 4 bits of scales 0-7 (low nibble) and 8-15 (high nibble)
//   bytes 8-11: high 2 bits, scale g at byte 8 + g%4, bits 2*(g/4)
int k3_scale(uint sc, uint g) {
  uint low = g < 8u ? (wbyte(sc + g) & 0xfu) : (wbyte(sc + g - 8u) >> 4);
  uint high = (wbyte(sc + 8u + (g & 3u)) >> (2u * (g >> 2))) & 3u;
  return int(low | (high << 4)) - 32;
}

#if defined(WTYPE_Q8_0)
// ---- Q8_0: 32 elements in 34 bytes -------------------------------------------------------
// f16 d | int8 qs[32];  x[j] = qs[j] * d
#define QK 32u
#define BLOCK_BYTES 34u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  int q = bitfieldExtract(int(wbyte(base + 2u + j)), 0, 8);
  return float(q) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = wf16(base);
  uvec4 q = wbytes16(base + 2u + j0);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = float(qsbyte(q, i)) * d;
}

#elif defined(WTYPE_Q4_0) || defined(WTYPE_IQ4_NL)
// ---- Q4_0 and IQ4_NL: 32 elements in 18 bytes ----------------------------------------------
// f16 d | uint8 qs[16]; element j < 16 is the low nibble of qs[j], element j + 16 the high one.
// Q4_0:   x[j] = (nibble - 8) * d
// IQ4_NL: x[j] = kvalues_iq4nl[nibble] * d (a non-linear 4-bit codebook)
#define QK 32u
#define BLOCK_BYTES 18u
#if defined(WTYPE_Q4_0)
float q4_value(uint nib) { return float(int(nib) - 8); }
#else
const float KVALUES_IQ4NL[16] = float[16](-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                          1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
float q4_value(uint nib) { return KVALUES_IQ4NL[nib]; }
#endif
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 2u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return q4_value(nib) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = wf16(base);
  uvec4 q = wbytes16(base + 2u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = q4_value((qbyte(q, i) >> shift) & 0xfu) * d;
}

#elif defined(WTYPE_Q4_1)
// ---- Q4_1: 32 elements in 20 bytes -------------------------------------------------------
// f16 d | f16 m | uint8 qs[16]; nibbles as in Q4_0;  x[j] = nibble * d + m
#define QK 32u
#define BLOCK_BYTES 20u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 4u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return mul_add(float(nib), wf16(base), wf16(base + 2u));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec4 q = wbytes16(base + 4u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_add(float((qbyte(q, i) >> shift) & 0xfu), dm.x, dm.y);
}

#elif defined(WTYPE_Q5_0)
// ---- Q5_0: 32 elements in 22 bytes -------------------------------------------------------
// f16 d | uint32 qh (little-endian, bit j = 5th bit of element j) | uint8 qs[16] (nibbles as
// in Q4_0);  x[j] = ((nibble | qh_bit << 4) - 16) * d
#define QK 32u
#define BLOCK_BYTES 22u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 6u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  uint hi = (wu32(base + 2u) >> j) & 1u;
  return float(int(nib | (hi << 4)) - 16) * wf16(base);
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = wf16(base);
  uint qh = wu32(base + 2u) >> j0;
  uvec4 q = wbytes16(base + 6u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = float(int(((qbyte(q, i) >> shift) & 0xfu) | (((qh >> i) & 1u) << 4)) - 16) * d;
}

#elif defined(WTYPE_Q5_1)
// ---- Q5_1: 32 elements in 24 bytes -------------------------------------------------------
// f16 d | f16 m | uint32 qh | uint8 qs[16], bits as in Q5_0;  x[j] = (nibble | qh_bit << 4) * d + m
#define QK 32u
#define BLOCK_BYTES 24u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 8u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  uint hi = (wu32(base + 4u) >> j) & 1u;
  return mul_add(float(nib | (hi << 4)), wf16(base), wf16(base + 2u));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uint qh = wu32(base + 4u) >> j0;
  uvec4 q = wbytes16(base + 8u);
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
#define QK 256u
#define BLOCK_BYTES 84u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint sc = wbyte(base + (j >> 4));
  vec2 dm = unpackHalf2x16(wu32(base + 80u));
  uint q = (wbyte(base + 16u + 32u * (j >> 7) + (j & 31u)) >> (2u * ((j >> 5) & 3u))) & 3u;
  return mul_sub(float(q), dm.x * float(sc & 0xfu), dm.y * float(sc >> 4));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  uint sc = wbyte(base + (j0 >> 4));
  vec2 dm = unpackHalf2x16(wu32(base + 80u));
  float dl = dm.x * float(sc & 0xfu), ml = dm.y * float(sc >> 4);
  uvec4 q = wbytes16(base + 16u + 32u * (j0 >> 7) + (j0 & 31u));
  uint shift = 2u * ((j0 >> 5) & 3u);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_sub(float((qbyte(q, i) >> shift) & 3u), dl, ml);
}

#elif defined(WTYPE_Q3_K)
// ---- Q3_K: 256 elements in 110 bytes -----------------------------------------------------
// uint8 hmask[32] | uint8 qs[64] | uint8 scales[12] (16 signed 6-bit scales, see k3_scale) | f16 d
// Element e: low 2 bits are bits 2*((e%128)/32) of qs[32*(e/128) + e%32]; the high bit is bit
// e/32 of hmask[e%32], and a CLEAR high bit subtracts 4.  x[e] = (d * scale[e/16]) * q
#define QK 256u
#define BLOCK_BYTES 110u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  float dl = wf16(base + 108u) * float(k3_scale(base + 96u, j >> 4));
  uint lo = (wbyte(base + 32u + 32u * (j >> 7) + (j & 31u)) >> (2u * ((j >> 5) & 3u))) & 3u;
  uint hi = (wbyte(base + (j & 31u)) >> (j >> 5)) & 1u;
  return dl * float(int(lo) - (hi != 0u ? 0 : 4));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float dl = wf16(base + 108u) * float(k3_scale(base + 96u, j0 >> 4));
  uvec4 q = wbytes16(base + 32u + 32u * (j0 >> 7) + (j0 & 31u));
  uvec4 h = wbytes16(base + (j0 & 31u));
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
#define QK 256u
#define BLOCK_BYTES 144u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(base + 4u, j >> 5);
  uint q = (wbyte(base + 16u + 32u * (j >> 6) + (j & 31u)) >> (4u * ((j >> 5) & 1u))) & 0xfu;
  return mul_sub(float(q), dm.x * float(sm.x), dm.y * float(sm.y));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(base + 4u, j0 >> 5);
  float dl = dm.x * float(sm.x), ml = dm.y * float(sm.y);
  uvec4 q = wbytes16(base + 16u + 32u * (j0 >> 6) + (j0 & 31u));
  uint shift = 4u * ((j0 >> 5) & 1u);
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = mul_sub(float((qbyte(q, i) >> shift) & 0xfu), dl, ml);
}

#elif defined(WTYPE_Q5_K)
// ---- Q5_K: 256 elements in 176 bytes -----------------------------------------------------
// f16 d | f16 dmin | uint8 scales[12] (as Q4_K) | uint8 qh[32] | uint8 qs[128] (as Q4_K)
// Element e: 5th bit is bit e/32 of qh[e%32].  x[e] = (d * scale[s]) * q - (dmin * min[s])
#define QK 256u
#define BLOCK_BYTES 176u
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(base + 4u, j >> 5);
  uint lo = (wbyte(base + 48u + 32u * (j >> 6) + (j & 31u)) >> (4u * ((j >> 5) & 1u))) & 0xfu;
  uint hi = (wbyte(base + 16u + (j & 31u)) >> (j >> 5)) & 1u;
  return mul_sub(float(lo | (hi << 4)), dm.x * float(sm.x), dm.y * float(sm.y));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  vec2 dm = unpackHalf2x16(wu32(base));
  uvec2 sm = k4_scale_min(base + 4u, j0 >> 5);
  float dl = dm.x * float(sm.x), ml = dm.y * float(sm.y);
  uvec4 q = wbytes16(base + 48u + 32u * (j0 >> 6) + (j0 & 31u));
  uvec4 h = wbytes16(base + 16u + (j0 & 31u));
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
#define QK 256u
#define BLOCK_BYTES 210u
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
  float dl = wf16(base + 208u) * float(bitfieldExtract(int(wbyte(base + 192u + (j0 >> 4))), 0, 8));
  uvec4 ql = wbytes16(base + 64u * (j0 >> 7) + (r & 63u));
  uvec4 qh = wbytes16(base + 128u + 32u * (j0 >> 7) + (r & 31u));
  uint lshift = 4u * (r >> 6), hshift = 2u * (r >> 5);
  [[unroll]] for (uint i = 0u; i < 16u; ++i)
    v[i] = dl * float(int(((qbyte(ql, i) >> lshift) & 0xfu) | (((qbyte(qh, i) >> hshift) & 3u) << 4)) - 32);
}

#elif defined(WTYPE_MXFP4)
// ---- MXFP4 (OCP microscaling FP4): 32 elements in 17 bytes ---------------------------------
// uint8 e (E8M0 shared exponent) | uint8 qs[16] (FP4 E2M1 codes, nibbles as in Q4_0).
// ggml stores the codebook doubled (kvalues_mxfp4 = 2 * E2M1 value) and halves the scale:
// d = 2^(e-128) (e < 2: the subnormal floats 2^-128, 2^-127);  x[j] = kvalues_mxfp4[code] * d
#define QK 32u
#define BLOCK_BYTES 17u
const float KVALUES_MXFP4[16] = float[16](0.0, 1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0,
                                          0.0, -1.0, -2.0, -3.0, -4.0, -6.0, -8.0, -12.0);
float e8m0_half(uint e) { return uintBitsToFloat(e < 2u ? 0x00200000u << e : (e - 1u) << 23); }
float dequant(uint block, uint j) {
  uint base = block * BLOCK_BYTES;
  uint nib = (wbyte(base + 1u + (j & 15u)) >> ((j >> 4) * 4u)) & 0xfu;
  return KVALUES_MXFP4[nib] * e8m0_half(wbyte(base));
}
void dequant16(uint block, uint j0, out float v[16]) {
  uint base = block * BLOCK_BYTES;
  float d = e8m0_half(wbyte(base));
  uvec4 q = wbytes16(base + 1u);
  uint shift = (j0 >> 4) * 4u;
  [[unroll]] for (uint i = 0u; i < 16u; ++i) v[i] = KVALUES_MXFP4[(qbyte(q, i) >> shift) & 0xfu] * d;
}

#else
#error "quant.glsl: define one WTYPE_* of a block-quantized type"
#endif
