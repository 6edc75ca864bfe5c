// 16 consecutive weight elements starting at element i (i a multiple of 16): quantized types
// decode them with one read of their block's scales (dequant16 of quant.glsl).
#if defined(QK)
void wload16(uint i, out float v[16]) { dequant16(i / QK, i % QK, v); }
#else
void wload16(uint i, out float v[16]) {
  [[unroll]] for (uint j = 0; j < 16u; ++j) v[j] = wload(i + j);
}
#endif
