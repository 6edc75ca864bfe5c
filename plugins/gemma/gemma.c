/* The Gemma family plugin: Gemma, Gemma 2 and Gemma 3 (text), from GGUF and Hugging Face folders.
 * Scaled embeddings, (1 + weight) RMS norms, GQA attention with RoPE on halves and a GELU-tanh
 * gated MLP. Gemma 2 and 3 add norms after attention and MLP, sliding-window layers and
 * soft-capping (2) or per-head Q/K norms (3). */
#include <rbee/family/family.h>

typedef struct gemma_model {
  rbee_family_model base; /* base.rope: the global layers' */
  uint32_t generation;    /* 1, 2 or 3 */
  float norm_offset;      /* 1 for Hugging Face's (1 + weight); 0 in GGUF, whose converter added the 1 */
  float attn_scalar;      /* q.k is scaled by attn_scalar^-0.5 (query_pre_attn_scalar) */
  float attn_softcap;     /* 0: none */
  float final_softcap;    /* 0: none */
  rbee_layer_windows windows; /* window 0: every layer is global */
  rbee_rope_params rope_sliding; /* Gemma 3's local layers have their own base and no scaling */
} gemma_model;

/* Gemma 2 and 3 (Hugging Face): post_attention_layernorm normalizes the attention output, so the
 * norm before the MLP has its own name. Gemma 1 and llama.cpp's names are the standard ones. */
static const rbee_tensor_name k_names_gemma2[] = {
    {RBEE_T_FFN_NORM, NULL, "model.layers.%u.pre_feedforward_layernorm.weight"},
};

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_FFN_ROW,
    RBEE_HP_BASE(RBEE_HP_U32, n_ctx_train, "context_length", "max_position_embeddings", 8192, 0),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-6, 0),
    /* Soft-capping (Gemma 2; null or absent elsewhere) */
    RBEE_HP(gemma_model, RBEE_HP_F32, attn_softcap, "attn_logit_softcapping", "attn_logit_softcapping", 0, 0),
    RBEE_HP(gemma_model, RBEE_HP_F32, final_softcap, "final_logit_softcapping", "final_logit_softcapping", 0, 0),
};

/* 1, 2 or 3 from the GGUF architecture or the config.json model_type. */
static rbee_status read_generation(const rbee_hparams* r, rbee_family_model* base) {
  gemma_model* m = (gemma_model*)base;
  const char* key = r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type";
  const char* name = NULL;
  if (r->format == RBEE_FORMAT_GGUF) {
    r->api->get_string(r->src, key, &name); /* present: checked by open */
  } else {
    RBEE_TRY(rbee_hparams_string(r, key, &name));
  }
  if (name == NULL) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing", key);
  if (!strcmp(name, "gemma")) m->generation = 1;
  else if (!strcmp(name, "gemma2")) m->generation = 2;
  else if (!strcmp(name, "gemma3") || !strcmp(name, "gemma3_text")) m->generation = 3;
  else return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not a Gemma model", key, name);
  /* A multimodal Gemma 3 config nests its language model; only a text config at the top is read. */
  if (r->format == RBEE_FORMAT_SAFETENSORS && rbee_hparams_has(r, "text_config") && !rbee_hparams_has(r, "hidden_size"))
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "text_config: a nested text model (multimodal Gemma 3) is not supported");
  if (m->generation == 1) base->names = (rbee_name_table){NULL, 0};
  return RBEE_OK;
}

/* One entry of transformers 5's per-layer-type rope_parameters ("full_attention" or
 * "sliding_attention"): its base and linear scaling. */
static rbee_status read_rope_of_type(const rbee_hparams* r, const char* type, rbee_rope_params* rope) {
  char key[96];
  const char* kind = NULL;
  snprintf(key, sizeof key, "rope_parameters.%s.rope_theta", type);
  RBEE_TRY(rbee_hparams_float(r, key, &rope->theta));
  snprintf(key, sizeof key, "rope_parameters.%s.rope_type", type);
  RBEE_TRY(rbee_hparams_string(r, key, &kind));
  if (kind == NULL || !strcmp(kind, "default")) return RBEE_OK;
  if (strcmp(kind, "linear") != 0) return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not supported", key, kind);
  snprintf(key, sizeof key, "rope_parameters.%s.factor", type);
  rope->scaling = RBEE_ROPE_SCALING_LINEAR;
  RBEE_TRY(rbee_hparams_float(r, key, &rope->factor));
  if (!(rope->factor > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: must be > 0", key);
  return RBEE_OK;
}

/* Gemma 3's sliding layers rotate with their own base (10000 in every release) and without the
 * global layers' scaling; Gemma 1 and 2 use one RoPE everywhere. Halves rotate in both formats:
 * llama.cpp does not permute Gemma's Q/K. */
static rbee_status read_rope(const rbee_hparams* r, gemma_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  rbee_rope_params* global = &m->base.rope;
  global->n_heads = m->base.n_head;
  global->head_dim = m->base.head_dim;
  m->rope_sliding = *global;
  m->rope_sliding.theta = 10000.0f;
  if (!gguf && rbee_hparams_has(r, "rope_parameters.full_attention")) {
    global->theta = 10000.0f;
    RBEE_TRY(read_rope_of_type(r, "full_attention", global));
    return read_rope_of_type(r, "sliding_attention", &m->rope_sliding);
  }
  RBEE_TRY(rbee_hparams_rope_scaling(r, global));
  if (m->generation < 3) {
    m->rope_sliding = *global;
    return RBEE_OK;
  }
  return rbee_hparams_float(r, gguf ? "rope.freq_base_swa" : "rope_local_base_freq", &m->rope_sliding.theta);
}

/* q.k is scaled by query_pre_attn_scalar^-0.5. GGUF does not carry it: llama.cpp uses head_dim
 * except in the 27B models (46 layers in Gemma 2, 62 in Gemma 3), which use hidden / heads. */
static rbee_status read_attention_scalar(const rbee_hparams* r, gemma_model* m) {
  m->attn_scalar = (float)m->base.head_dim;
  if (m->generation == 1) return RBEE_OK;
  if (r->format == RBEE_FORMAT_SAFETENSORS) {
    RBEE_TRY(rbee_hparams_float(r, "query_pre_attn_scalar", &m->attn_scalar));
    if (!(m->attn_scalar > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "query_pre_attn_scalar: must be > 0");
  } else if ((m->generation == 2 && m->base.n_layer == 46) || (m->generation == 3 && m->base.n_layer == 62)) {
    m->attn_scalar = (float)(m->base.n_embd / m->base.n_head);
  }
  return RBEE_OK;
}

/* Which layers slide. config.json lists them ("layer_types") or gives the period of global layers
 * ("sliding_window_pattern": every N-th layer is global); GGUF carries neither and llama.cpp uses
 * 2 for Gemma 2 (even layers slide) and 6 for Gemma 3. */
static rbee_status read_layer_types(const rbee_hparams* r, gemma_model* m) {
  uint32_t n_layer = m->base.n_layer;
  RBEE_TRY(rbee_layer_windows_init(r, n_layer, &m->windows));
  if (m->generation == 1) return RBEE_OK;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  RBEE_TRY(rbee_hparams_count(r, gguf ? "attention.sliding_window" : "sliding_window", &m->windows.window));
  if (m->windows.window == 0) return RBEE_OK; /* no window (absent or 0): every layer is global */
  if (!gguf && rbee_hparams_has(r, "layer_types")) return rbee_layer_windows_read_types(r, n_layer, &m->windows);
  uint32_t period = m->generation == 2 ? 2 : 6;
  if (!gguf) {
    RBEE_TRY(rbee_hparams_u32(r, "sliding_window_pattern", &period));
    RBEE_TRY(rbee_hparams_u32(r, "_sliding_window_pattern", &period));
  }
  for (uint32_t l = 0; l < n_layer; ++l) m->windows.sliding[l] = (l + 1) % period != 0;
  return RBEE_OK;
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  gemma_model* m = (gemma_model*)base;
  if (base->head_dim % 2 != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "head size %u is odd: RoPE needs pairs", base->head_dim);
  if (m->attn_softcap < 0 || m->final_softcap < 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must not be negative", r->prefix,
                     m->attn_softcap < 0 ? "attn_logit_softcapping" : "final_logit_softcapping");
  m->norm_offset = r->format == RBEE_FORMAT_GGUF ? 0.0f : 1.0f;
  RBEE_TRY(read_rope(r, m));
  RBEE_TRY(read_attention_scalar(r, m));
  return read_layer_types(r, m);
}

static void release(rbee_family_model* base) { rbee_layer_windows_free(&((gemma_model*)base)->windows); }

static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  out->sliding_window = rbee_layer_window(&((const gemma_model*)base)->windows, layer);
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const gemma_model* m = (const gemma_model*)base;
  rbee_emitf(emit, ctx, "generation", "Gemma %u", m->generation);
  rbee_emitf(emit, ctx, "attn_scalar", "%g", m->attn_scalar);
  if (m->attn_softcap > 0) rbee_emitf(emit, ctx, "attn_softcap", "%g", m->attn_softcap);
  if (m->final_softcap > 0) rbee_emitf(emit, ctx, "final_softcap", "%g", m->final_softcap);
  rbee_layer_windows_describe(&m->windows, base->n_layer, emit, ctx);
  if (m->generation == 3) rbee_emitf(emit, ctx, "rope_theta_local", "%g", m->rope_sliding.theta);
}

/* Gemma 2 and 3 normalize each sublayer's output before adding it to the residual. */
static rbee_tensor post_norm(const rbee_builder* b, rbee_tensor x, rbee_tensor_id w, uint32_t l, const rbee_norm_params* p) {
  return ((const gemma_model*)b->m)->generation == 1 ? x : rbee_norm(b, x, w, RBEE_T_NONE, l, p);
}

static void build(const rbee_builder* b) {
  const gemma_model* m = (const gemma_model*)b->m;
  rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_RMS);
  norm.weight_offset = m->norm_offset;
  rbee_norm_params qk_norm = norm;
  qk_norm.group_size = b->m->head_dim;
  rbee_attention_spec attn = {.qk_norm = m->generation == 3 ? &qk_norm : NULL,
                              .scale = 1.0f / sqrtf(m->attn_scalar),
                              .softcap = m->attn_softcap};
  rbee_tensor x = b->api->scale(b->g, rbee_input_embeddings(b), sqrtf((float)b->m->n_embd));
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    attn.window = rbee_layer_window(&m->windows, l);
    attn.rope = attn.window ? &m->rope_sliding : &b->m->rope;
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, post_norm(b, rbee_attention_block(b, h, l, &attn), RBEE_T_ATTN_POST_NORM, l, &norm));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    h = rbee_gated_ffn(b, h, l, RBEE_T_FFN_GATE, RBEE_T_FFN_UP, RBEE_T_FFN_DOWN, RBEE_UNARY_GELU_TANH);
    x = rbee_add(b, x, post_norm(b, h, RBEE_T_FFN_POST_NORM, l, &norm));
  }
  rbee_output_logits(b, x, &norm, m->final_softcap);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_OWN_ROPE_SCALING, .model_size = sizeof(gemma_model), .names = RBEE_NAME_TABLE(k_names_gemma2),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .prepare = read_generation, .read = read_hparams, .release = release,
    .kv_layout = kv_layout, .describe = describe, .build = build,
};

static const char* const k_architectures[] = {"gemma", "gemma2", "gemma3", "gemma3_text", NULL};

RBEE_FAMILY_ENTRY(k_family, "gemma", "0.2.0", "Gemma, Gemma 2 and Gemma 3 text models (GGUF and Hugging Face safetensors)",
                  k_architectures)
