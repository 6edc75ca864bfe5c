/* The qwen family plugin: Qwen2/2.5 and Qwen3 dense models and their mixture-of-experts variants
 * Qwen2-MoE and Qwen3-MoE, from GGUF and Hugging Face folders. Pre-norm attention with Q/K/V
 * biases (Qwen2, Qwen2-MoE) or per-head Q/K norms (Qwen3, Qwen3-MoE), RoPE on halves, GQA and
 * optional sliding windows, then a SwiGLU MLP or, on the MoE models' sparse layers, routed SwiGLU
 * experts (plus Qwen2-MoE's gated shared expert). Every tensor has its standard name. */
#include <rbee/family/family.h>

typedef struct qwen_model {
  rbee_family_model base;
  int qk_norm;         /* Qwen3: per-head RMS norm of Q and K between projection and RoPE */
  rbee_layer_windows windows; /* no layer slides until read_windows says so */
  uint32_t n_ff_exp;   /* each expert's intermediate size */
  uint32_t n_ff_shexp; /* the shared expert's (Qwen2-MoE), 0 when none */
  int norm_topk;       /* renormalize the chosen experts' weights to sum to 1 */
  uint8_t* sparse;     /* per layer: 1 = experts, 0 = the dense MLP; NULL when n_expert is 0 */
} qwen_model;

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_BASE(RBEE_HP_U32, n_ctx_train, "context_length", "max_position_embeddings", 32768, 0),
    /* An MoE model needs the dense size only for its dense layers (read_sparse_layers
     * checks); a dense model requires it (read_hparams). */
    RBEE_HP_BASE(RBEE_HP_U32, n_ff, "feed_forward_length", "intermediate_size", 0, 0),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-6, 0),
    /* transformers 5 spells it this way */
    RBEE_HP_BASE(RBEE_HP_F32, rope.theta, NULL, "rope_parameters.rope_theta", 0, 0),
};

/* Sliding-window layers from config.json. transformers 5 names each layer's kind in "layer_types";
 * older configs say "use_sliding_window" with "sliding_window" and "max_window_layers" (the
 * layers from that index on slide). Either way the length counts only when use_sliding_window is
 * true. GGUF files of this family carry no window and llama.cpp attends fully. */
static rbee_status read_windows(const rbee_hparams* r, qwen_model* m) {
  uint32_t n_layer = m->base.n_layer;
  int use = 0;
  if (r->format != RBEE_FORMAT_SAFETENSORS) return RBEE_OK;
  RBEE_TRY(rbee_hparams_bool(r, "use_sliding_window", &use));
  if (use) RBEE_TRY(rbee_hparams_u32(r, "sliding_window", &m->windows.window));
  if (rbee_hparams_has(r, "layer_types")) {
    RBEE_TRY(rbee_layer_windows_init(r, n_layer, &m->windows));
    RBEE_TRY(rbee_layer_windows_read_types(r, n_layer, &m->windows));
    for (uint32_t l = 0; l < n_layer; ++l)
      if (m->windows.sliding[l] && m->windows.window == 0)
        return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL,
                         "layer_types[%u]: sliding_attention needs use_sliding_window true and a sliding_window length", l);
    return RBEE_OK;
  }
  if (m->windows.window == 0) return RBEE_OK;
  uint32_t first = 28; /* transformers' default max_window_layers */
  RBEE_TRY(rbee_hparams_u32(r, "max_window_layers", &first));
  RBEE_TRY(rbee_layer_windows_init(r, n_layer, &m->windows));
  for (uint32_t l = first; l < n_layer; ++l) m->windows.sliding[l] = 1;
  return RBEE_OK;
}

/* Which layers are sparse. GGUF: those with a router (llama.cpp writes no decoder_sparse_step,
 * and a dense layer of an MoE model simply has ffn_gate/up/down instead). config.json: layer l
 * is sparse when (l + 1) is a multiple of decoder_sparse_step, unless listed in mlp_only_layers;
 * the others use the dense MLP of intermediate_size. */
static rbee_status read_sparse_layers(const rbee_hparams* r, qwen_model* m) {
  uint32_t n_layer = m->base.n_layer, step = 1;
  uint64_t n_only = 0;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  if (!gguf) {
    RBEE_TRY(rbee_hparams_u32(r, "decoder_sparse_step", &step));
    if (rbee_hparams_has(r, "mlp_only_layers") && r->api->get_array_len(r->src, "mlp_only_layers", &n_only) != RBEE_OK)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "mlp_only_layers: expected an array of layer indices");
  }
  m->sparse = calloc(n_layer, 1);
  if (m->sparse == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  for (uint32_t l = 0; l < n_layer; ++l)
    m->sparse[l] = gguf ? rbee_model_has_tensor(&m->base, r->src, RBEE_T_FFN_GATE_INP, l) : (l + 1) % step == 0;
  for (uint64_t i = 0; i < n_only; ++i) {
    double v = -1;
    if (r->api->get_array_float(r->src, "mlp_only_layers", i, &v) != RBEE_OK || !(v >= 0 && v < 1e9) || v != floor(v))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "mlp_only_layers[%llu]: expected a layer index", (unsigned long long)i);
    if (v < n_layer) m->sparse[(uint32_t)v] = 0; /* transformers ignores indices past the last layer */
  }
  for (uint32_t l = 0; l < n_layer; ++l)
    if (!m->sparse[l] && m->base.n_ff == 0)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: missing, and layer %u uses the dense MLP", r->prefix,
                       gguf ? "feed_forward_length" : "intermediate_size", l);
  return RBEE_OK;
}

/* Qwen2-MoE and Qwen3-MoE: experts and their routing. */
static rbee_status read_experts(const rbee_hparams* r, qwen_model* m, int qwen2moe) {
  rbee_family_model* b = &m->base;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* count = gguf ? "expert_count" : rbee_hparams_has(r, "num_experts") ? "num_experts" : "num_local_experts";
  const char* used = gguf ? "expert_used_count" : "num_experts_per_tok";
  RBEE_TRY(rbee_hparams_u32(r, count, &b->n_expert));
  RBEE_TRY(rbee_hparams_u32(r, used, &b->n_expert_used));
  RBEE_TRY(rbee_hparams_u32(r, gguf ? "expert_feed_forward_length" : "moe_intermediate_size", &m->n_ff_exp));
  if (b->n_expert_used > b->n_expert || b->n_expert_used > 32)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED,
                     "%s%s: %u experts per token, but the model has %u (and at most 32 are supported)", r->prefix, used,
                     b->n_expert_used, b->n_expert);
  if (qwen2moe) {
    m->n_ff_shexp = gguf ? m->n_ff_exp : 0; /* llama.cpp's default when the key is absent */
    RBEE_TRY(rbee_hparams_u32(r, gguf ? "expert_shared_feed_forward_length" : "shared_expert_intermediate_size",
                              &m->n_ff_shexp));
  }
  /* llama.cpp renormalizes for qwen3moe and not for qwen2moe; transformers reads norm_topk_prob. */
  m->norm_topk = !qwen2moe && gguf;
  RBEE_TRY(rbee_hparams_bool(r, gguf ? "expert_weights_norm" : "norm_topk_prob", &m->norm_topk));
  return read_sparse_layers(r, m);
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  qwen_model* m = (qwen_model*)base;
  const char* arch = rbee_hparams_architecture(r);
  int gguf = r->format == RBEE_FORMAT_GGUF;
  int qwen2moe = !strcmp(arch, "qwen2moe") || !strcmp(arch, "qwen2_moe");
  int qwen3moe = !strcmp(arch, "qwen3moe") || !strcmp(arch, "qwen3_moe");
  m->qk_norm = !strcmp(arch, "qwen3") || qwen3moe;
  /* Qwen3 configs state the head size: transformers' default for it (128) is not hidden / heads. */
  if (m->qk_norm && !gguf && !rbee_hparams_has(r, "head_dim"))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "head_dim: missing (required)");
  if (!(qwen2moe || qwen3moe))
    RBEE_TRY(rbee_hparams_u32(r, gguf ? "feed_forward_length" : "intermediate_size", &base->n_ff));
  if (!gguf) { /* only transformers 5's default RoPE type is read */
    const char* rope_type = NULL;
    RBEE_TRY(rbee_hparams_string(r, "rope_parameters.rope_type", &rope_type));
    if (rope_type && strcmp(rope_type, "default") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "rope_parameters.rope_type: \"%s\" is not supported", rope_type);
  }
  /* llama.cpp does not permute Q/K rows for qwen, so both formats rotate halves (the default). */
  if (qwen2moe || qwen3moe) RBEE_TRY(read_experts(r, m, qwen2moe));
  return read_windows(r, m);
}

static void release(rbee_family_model* base) {
  qwen_model* m = (qwen_model*)base;
  rbee_layer_windows_free(&m->windows);
  free(m->sparse);
}

static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  out->sliding_window = rbee_layer_window(&((const qwen_model*)base)->windows, layer);
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const qwen_model* m = (const qwen_model*)base;
  rbee_emitf(emit, ctx, "qk_norm", "%s", m->qk_norm ? "per head" : "none");
  if (base->n_expert) {
    uint32_t sparse = 0;
    for (uint32_t l = 0; l < base->n_layer; ++l) sparse += m->sparse[l];
    rbee_emitf(emit, ctx, "expert_ffn", "%u", m->n_ff_exp);
    if (m->n_ff_shexp) rbee_emitf(emit, ctx, "shared_ffn", "%u", m->n_ff_shexp);
    rbee_emitf(emit, ctx, "expert_weights", "%s", m->norm_topk ? "renormalized" : "softmax");
    rbee_emitf(emit, ctx, "moe_layers", "%u", sparse);
  }
  rbee_layer_windows_describe(&m->windows, base->n_layer, emit, ctx);
}

static void build(const rbee_builder* b) {
  const qwen_model* m = (const qwen_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_RMS);
  rbee_norm_params head_norm = norm;
  head_norm.group_size = b->m->head_dim;
  /* Softmax routing to the n_used best experts, their weights renormalized when norm_topk_prob
   * says so; each expert a SwiGLU of moe_intermediate_size. */
  const rbee_moe_route_params route = {.struct_size = sizeof route, .n_expert = b->m->n_expert,
                                       .n_used = b->m->n_expert_used, .gating = RBEE_MOE_SOFTMAX,
                                       .normalize = (uint32_t)m->norm_topk};
  rbee_attention_spec attn = {.rope = &b->m->rope, .qk_norm = m->qk_norm ? &head_norm : NULL};
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    attn.window = rbee_layer_window(&m->windows, l);
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, rbee_attention_block(b, h, l, &attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    rbee_tensor ffn;
    if (m->sparse && m->sparse[l]) {
      ffn = rbee_moe_ffn(b, h, l, &route, RBEE_UNARY_SILU);
      /* Qwen2-MoE: plus the shared expert, scaled per token by sigmoid(shared_expert_gate(x)). */
      if (m->n_ff_shexp) ffn = rbee_add(b, ffn, rbee_shared_expert(b, h, l, RBEE_UNARY_SILU));
    } else {
      ffn = rbee_gated_ffn(b, h, l, RBEE_T_FFN_GATE, RBEE_T_FFN_UP, RBEE_T_FFN_DOWN, RBEE_UNARY_SILU);
    }
    x = rbee_add(b, x, ffn);
  }
  rbee_output_logits(b, x, &norm, 0); /* most small Qwen models tie the output to the embedding */
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_USES_MOE,
    .model_size = sizeof(qwen_model),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams,
    .release = release,
    .kv_layout = kv_layout,
    .describe = describe,
    .build = build,
};

static const char* const k_architectures[] = {"qwen2", "qwen3", "qwen2moe", "qwen2_moe", "qwen3moe", "qwen3_moe", NULL};

RBEE_FAMILY_ENTRY(k_family, "qwen", "0.2.0", "Qwen2/2.5, Qwen3, Qwen2-MoE and Qwen3-MoE (GGUF and Hugging Face safetensors)",
                  k_architectures)
