/* The llama family plugin: Llama 1/2/3.x, Mistral, Mixtral and SmolLM3, from GGUF and Hugging Face
 * folders. Pre-norm attention with RoPE (skipped in SmolLM3's no-RoPE layers) and GQA, then a
 * SwiGLU MLP (Mixtral: a mixture of them). */
#include <rbee/family/family.h>

typedef struct llama_model {
  rbee_family_model base;
  uint8_t* use_rope; /* per layer, or NULL when every layer rotates (SmolLM3 skips some) */
} llama_model;

/* Only Mixtral's Hugging Face names differ from the standard ones. */
static const rbee_tensor_name k_names[] = {
    {RBEE_T_FFN_GATE_INP, NULL, "model.layers.%u.block_sparse_moe.gate.weight"},
    {RBEE_T_FFN_GATE_EXPS, NULL, "model.layers.%u.block_sparse_moe.experts.%%u.w1.weight"},
    {RBEE_T_FFN_UP_EXPS, NULL, "model.layers.%u.block_sparse_moe.experts.%%u.w3.weight"},
    {RBEE_T_FFN_DOWN_EXPS, NULL, "model.layers.%u.block_sparse_moe.experts.%%u.w2.weight"},
};

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_FFN_ROW,
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", NULL, 1e-5, 0),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, NULL, "rms_norm_eps", 1e-6, 0),
    RBEE_HP_EXPERT_ROWS("num_local_experts"),
};

/* SmolLM3 skips RoPE in every `interval`-th layer. config.json lists the layers ("no_rope_layers":
 * 1 = rotate) or gives the interval; llama.cpp's GGUF carries neither and uses 4. */
static rbee_status read_no_rope_layers(const rbee_hparams* r, llama_model* m) {
  uint32_t n_layer = m->base.n_layer, interval = 0;
  if (r->format == RBEE_FORMAT_GGUF) {
    if (strcmp(r->prefix, "smollm3.") != 0) return RBEE_OK;
    interval = 4;
  } else if (rbee_hparams_has(r, "no_rope_layer_interval")) {
    RBEE_TRY(rbee_hparams_u32(r, "no_rope_layer_interval", &interval));
  }
  int listed = r->format == RBEE_FORMAT_SAFETENSORS && rbee_hparams_has(r, "no_rope_layers");
  if (interval == 0 && !listed) return RBEE_OK;
  m->use_rope = malloc(n_layer);
  if (m->use_rope == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  if (!listed) {
    for (uint32_t l = 0; l < n_layer; ++l) m->use_rope[l] = (l + 1) % interval != 0;
    return RBEE_OK;
  }
  float* flags = malloc(sizeof(float) * n_layer);
  if (flags == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = rbee_hparams_floats(r, "no_rope_layers", flags, n_layer);
  for (uint32_t l = 0; s == RBEE_OK && l < n_layer; ++l) m->use_rope[l] = flags[l] != 0.0f;
  free(flags);
  return s;
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  /* llama.cpp's conversion permutes Q/K rows so that adjacent pairs rotate together; Hugging
   * Face keeps the original order, which rotates halves. */
  base->rope.mode = r->format == RBEE_FORMAT_GGUF ? RBEE_ROPE_NORMAL : RBEE_ROPE_NEOX;
  return read_no_rope_layers(r, (llama_model*)base);
}

static void release(rbee_family_model* base) { free(((llama_model*)base)->use_rope); }

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const llama_model* m = (const llama_model*)base;
  if (m->use_rope == NULL) return;
  uint32_t skipped = 0;
  for (uint32_t l = 0; l < base->n_layer; ++l) skipped += !m->use_rope[l];
  rbee_emitf(emit, ctx, "layers_without_rope", "%u", skipped);
}

static void build(const rbee_builder* b) {
  const llama_model* m = (const llama_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_RMS);
  /* Mixtral: softmax router, the best n_expert_used experts renormalized. */
  const rbee_moe_route_params route = {.struct_size = sizeof route, .n_expert = b->m->n_expert,
                                       .n_used = b->m->n_expert_used, .gating = RBEE_MOE_SOFTMAX, .normalize = 1};
  rbee_attention_spec attn = {.rope_factors = rbee_weight_optional(b, RBEE_T_ROPE_FREQS, 0)};
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    attn.rope = m->use_rope == NULL || m->use_rope[l] ? &b->m->rope : NULL;
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, rbee_attention_block(b, h, l, &attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, b->m->n_expert ? rbee_moe_ffn(b, h, l, &route, RBEE_UNARY_SILU)
                                      : rbee_gated_ffn(b, h, l, RBEE_T_FFN_GATE, RBEE_T_FFN_UP, RBEE_T_FFN_DOWN, RBEE_UNARY_SILU));
  }
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_USES_MOE,
    .model_size = sizeof(llama_model),
    .names = RBEE_NAME_TABLE(k_names),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams,
    .release = release,
    .describe = describe,
    .build = build,
};

static const char* const k_architectures[] = {"llama", "mistral", "mixtral", "smollm3", NULL};

RBEE_FAMILY_ENTRY(k_family, "llama", "0.2.0", "Llama 1/2/3.x, Mistral, Mixtral and SmolLM3 (GGUF and Hugging Face safetensors)",
                  k_architectures)
