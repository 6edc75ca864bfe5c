/* The phi family plugin: Phi-2 (GGUF "phi2", config.json "phi") and Phi-3 (GGUF and config.json
 * "phi3"), from GGUF and Hugging Face folders. Phi-2: x + attention(ln(x)) + mlp(ln(x)), one
 * LayerNorm per layer, GELU MLP, biases everywhere. Phi-3: pre-norm attention then a SwiGLU MLP,
 * as llama, but with fused qkv and gate_up projections and LongRoPE. Both rotate part or all of
 * each head, halves together: llama.cpp keeps the Hugging Face order of Phi's Q/K rows. */
#include <rbee/family/family.h>

/* LongRoPE (Phi-3 128k): per-pair frequency divisors, the long ones when the run's context
 * exceeds original_max, and one attention factor. */
typedef struct phi_longrope {
  int enabled;
  float* short_factors; /* config.json only (GGUF carries tensors); n_rot / 2 each */
  float* long_factors;
  uint32_t original_max;
  float attn_factor;
} phi_longrope;

typedef struct phi_model {
  rbee_family_model base;
  uint32_t generation;     /* 2: parallel block, LayerNorm, biases; 3: llama-like, RMS norms */
  uint32_t sliding_window; /* 0: none; else every layer */
  phi_longrope longrope;
} phi_model;

/* llama.cpp names both generations alike (the standard names); Hugging Face's differ. A file
 * has either the fused qkv or q/k/v. */
static const rbee_tensor_name k_names_phi2[] = {
    RBEE_HF_WEIGHT_AND_BIAS(OUTPUT_NORM, "model.final_layernorm"),
    RBEE_HF_WEIGHT_AND_BIAS(ATTN_OUT, "model.layers.%u.self_attn.dense"),
    RBEE_HF_WEIGHT_AND_BIAS(FFN_UP, "model.layers.%u.mlp.fc1"),
    RBEE_HF_WEIGHT_AND_BIAS(FFN_DOWN, "model.layers.%u.mlp.fc2"),
};

static const rbee_tensor_name k_names_phi3[] = {
    {RBEE_T_ATTN_QKV, NULL, "model.layers.%u.self_attn.qkv_proj.weight"},
    {RBEE_T_FFN_UP, NULL, "model.layers.%u.mlp.gate_up_proj.weight"}, /* [gate; up] rows */
};

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_FFN_ROW,
    /* Phi-2's LayerNorm and Phi-3's RMS norm keep their eps under different keys. */
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_epsilon", "layer_norm_eps", 1e-5, 0),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", "rms_norm_eps", 0, 0),
    RBEE_HP(phi_model, RBEE_HP_COUNT, sliding_window, "attention.sliding_window", "sliding_window", 0, 0),
};

/* The generation, and config.json settings the graph does not implement refused: another
 * activation than the one it hard-codes, Phi-2's optional per-head Q/K LayerNorm. */
static rbee_status read_generation(const rbee_hparams* r, rbee_family_model* base) {
  phi_model* m = (phi_model*)base;
  const char* key = r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type";
  const char* arch = NULL;
  if (r->api->get_string(r->src, key, &arch) != RBEE_OK) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing", key);
  if (!strcmp(arch, "phi2") || !strcmp(arch, "phi")) m->generation = 2;
  else if (!strcmp(arch, "phi3")) m->generation = 3;
  else return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not a Phi model", key, arch);
  if (m->generation == 2) base->names = (rbee_name_table)RBEE_NAME_TABLE(k_names_phi2);
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  const char* expected = m->generation == 2 ? "gelu_new" : "silu";
  const char* act = NULL;
  RBEE_TRY(rbee_hparams_string(r, "hidden_act", &act));
  if (act != NULL && strcmp(act, expected) != 0)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "hidden_act: \"%s\" is not supported (expected \"%s\")", act, expected);
  int qk_norm = 0;
  RBEE_TRY(rbee_hparams_bool(r, "qk_layernorm", &qk_norm));
  if (qk_norm) return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "qk_layernorm: true is not supported");
  return RBEE_OK;
}

/* LongRoPE's default attention factor, from how far the context was stretched. */
static float longrope_attn_factor(uint32_t n_ctx_train, uint32_t original_max) {
  double ratio = (double)n_ctx_train / original_max;
  return ratio > 1.0 ? (float)sqrt(1.0 + log(ratio) / log((double)original_max)) : 1.0f;
}

static rbee_status read_factor_array(const rbee_hparams* r, const char* name, uint32_t n, float** out) {
  *out = malloc(sizeof(float) * n);
  if (*out == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = rbee_hparams_floats(r, name, *out, n);
  if (s == RBEE_ERROR_NOT_FOUND) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (required by longrope)", name);
  for (uint32_t i = 0; s == RBEE_OK && i < n; ++i)
    if (!((*out)[i] > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s[%u]: must be > 0", name, i);
  return s;
}

/* config.json: rope_scaling {type "longrope" (or Phi-3's first name "su"), short_factor,
 * long_factor, attention_factor?}, original_max_position_embeddings there or at the top. */
static rbee_status read_longrope_config(const rbee_hparams* r, phi_model* m) {
  phi_longrope* lr = &m->longrope;
  uint32_t n = m->base.rope.n_rot / 2;
  lr->enabled = 1;
  RBEE_TRY(read_factor_array(r, "rope_scaling.short_factor", n, &lr->short_factors));
  RBEE_TRY(read_factor_array(r, "rope_scaling.long_factor", n, &lr->long_factors));
  lr->original_max = m->base.n_ctx_train;
  RBEE_TRY(rbee_hparams_u32(r, "original_max_position_embeddings", &lr->original_max));
  RBEE_TRY(rbee_hparams_u32(r, "rope_scaling.original_max_position_embeddings", &lr->original_max));
  lr->attn_factor = longrope_attn_factor(m->base.n_ctx_train, lr->original_max);
  RBEE_TRY(rbee_hparams_float(r, "rope_scaling.attention_factor", &lr->attn_factor));
  if (!(lr->attn_factor > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling.attention_factor: must be > 0");
  return RBEE_OK;
}

static rbee_status check_factor_tensor(const rbee_hparams* r, const phi_model* m, rbee_tensor_id id) {
  const char* name = rbee_model_tensor_name(&m->base, id);
  rbee_tensor_info t = {.struct_size = sizeof t};
  if (r->api->tensor_info(r->src, name, &t) != RBEE_OK)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (the file has the other LongRoPE factors)", name);
  if (t.n_dims != 1 || t.shape[0] != m->base.rope.n_rot / 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected %u values (rotated dimensions / 2)", name, m->base.rope.n_rot / 2);
  return RBEE_OK;
}

/* GGUF: LongRoPE when the file carries the factor tensors (the graph picks one of them). */
static rbee_status read_longrope_gguf(const rbee_hparams* r, phi_model* m) {
  phi_longrope* lr = &m->longrope;
  if (!rbee_model_has_tensor(&m->base, r->src, RBEE_T_ROPE_FACTORS_LONG, 0) &&
      !rbee_model_has_tensor(&m->base, r->src, RBEE_T_ROPE_FACTORS_SHORT, 0))
    return RBEE_OK;
  RBEE_TRY(check_factor_tensor(r, m, RBEE_T_ROPE_FACTORS_LONG));
  RBEE_TRY(check_factor_tensor(r, m, RBEE_T_ROPE_FACTORS_SHORT));
  lr->enabled = 1;
  lr->original_max = m->base.n_ctx_train;
  RBEE_TRY(rbee_hparams_u32(r, "rope.scaling.original_context_length", &lr->original_max));
  lr->attn_factor = longrope_attn_factor(m->base.n_ctx_train, lr->original_max);
  RBEE_TRY(rbee_hparams_float(r, "rope.scaling.attn_factor", &lr->attn_factor));
  if (!(lr->attn_factor > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%srope.scaling.attn_factor: must be > 0", r->prefix);
  return RBEE_OK;
}

static int is_longrope(const char* type) { return type != NULL && (!strcmp(type, "longrope") || !strcmp(type, "su")); }

/* Rotated dimensions (GGUF gives them, config.json a fraction of the head), then the scaling:
 * LongRoPE or the common kinds. */
static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  phi_model* m = (phi_model*)base;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  if (!gguf) RBEE_TRY(rbee_hparams_partial_rotary(r, base->head_dim, m->generation == 2 ? 0.5 : 1.0, &base->rope.n_rot));
  if (base->rope.n_rot == 0 || base->rope.n_rot > base->head_dim || base->rope.n_rot % 2 != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", base->rope.n_rot,
                     base->head_dim);
  const char* type = NULL;
  RBEE_TRY(rbee_hparams_string(r, gguf ? "rope.scaling.type" : "rope_scaling.rope_type", &type));
  if (gguf) {
    if (!is_longrope(type)) RBEE_TRY(rbee_hparams_rope_scaling(r, &base->rope));
    RBEE_TRY(read_longrope_gguf(r, m));
  } else {
    RBEE_TRY(is_longrope(type) ? read_longrope_config(r, m) : rbee_hparams_rope_scaling(r, &base->rope));
  }
  if (m->longrope.enabled) base->rope_scaling_shown = "longrope";
  return RBEE_OK;
}

static void release(rbee_family_model* base) {
  phi_model* m = (phi_model*)base;
  free(m->longrope.short_factors);
  free(m->longrope.long_factors);
}

static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  (void)layer;
  out->sliding_window = ((const phi_model*)base)->sliding_window;
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const phi_model* m = (const phi_model*)base;
  rbee_emitf(emit, ctx, "generation", "Phi-%u", m->generation);
  rbee_emitf(emit, ctx, "block", "%s",
             m->generation == 2 ? "parallel attention + GELU MLP, LayerNorm" : "sequential, SwiGLU MLP, RMSNorm");
  if (m->sliding_window) rbee_emitf(emit, ctx, "sliding_window", "%u", m->sliding_window);
  if (m->longrope.enabled) {
    rbee_emitf(emit, ctx, "rope_original_context", "%u", m->longrope.original_max);
    rbee_emitf(emit, ctx, "rope_attn_factor", "%g", m->longrope.attn_factor);
  }
}

static void build(const rbee_builder* b) {
  const phi_model* m = (const phi_model*)b->m;
  const phi_longrope* lr = &m->longrope;
  const rbee_norm_params norm = rbee_norm_of(b->m, m->generation == 2 ? RBEE_NORM_LAYER : RBEE_NORM_RMS);
  rbee_rope_params rope = b->m->rope;
  rbee_attention_spec attn = {.rope = &rope, .window = m->sliding_window};
  /* LongRoPE: the long factors once the run's context exceeds the original one (llama.cpp's
   * choice), given by value (config.json) or as the file's tensor (GGUF). */
  if (lr->enabled) {
    int use_long = b->api->n_ctx(b->g) > lr->original_max;
    rope.attn_factor = lr->attn_factor;
    if (lr->long_factors != NULL) {
      rope.factors = use_long ? lr->long_factors : lr->short_factors;
      rope.n_factors = rope.n_rot / 2;
    } else {
      attn.rope_factors = rbee_weight(b, use_long ? RBEE_T_ROPE_FACTORS_LONG : RBEE_T_ROPE_FACTORS_SHORT, 0);
    }
  }
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_ATTN_NORM_BIAS, l, &norm);
    if (m->generation == 2) { /* gelu_new is GELU's tanh approximation */
      x = rbee_add(b, x, rbee_add(b, rbee_attention_block(b, h, l, &attn), rbee_plain_ffn(b, h, l, RBEE_UNARY_GELU_TANH)));
      continue;
    }
    x = rbee_add(b, x, rbee_attention_block(b, h, l, &attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, rbee_fused_gated_ffn(b, h, l, RBEE_UNARY_SILU));
  }
  /* Tied embeddings (Phi-4-mini): no separate output matrix in the file. */
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_OWN_ROPE_SCALING, .model_size = sizeof(phi_model), .names = RBEE_NAME_TABLE(k_names_phi3),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .prepare = read_generation, .read = read_hparams, .release = release,
    .kv_layout = kv_layout, .describe = describe, .build = build,
};

static const char* const k_architectures[] = {"phi2", "phi", "phi3", NULL};

RBEE_FAMILY_ENTRY(k_family, "phi", "0.2.0", "Phi-2 and Phi-3 (GGUF and Hugging Face safetensors)", k_architectures)
