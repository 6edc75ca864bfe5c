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
