/* The starcoder2 family plugin: StarCoder2, from GGUF and Hugging Face folders. Pre-norm blocks,
 * x + attention(ln(x)) then x + mlp(ln(x)), with LayerNorms with bias, q/k/v/o projections and a
 * c_fc -> GELU -> c_proj MLP (biases when the file has them: use_bias), RoPE on halves over whole
 * heads (llama.cpp keeps the Hugging Face order of Q/K rows), GQA and an optional sliding window. */
#include <rbee/family/family.h>

typedef struct sc2_model {
  rbee_family_model base;
  uint32_t window;   /* 0: none; else every layer slides */
  rbee_unary_op act; /* of the MLP */
} sc2_model;

/* Only the MLP's Hugging Face names differ from the standard ones. */
static const rbee_tensor_name k_names[] = {
    RBEE_HF_WEIGHT_AND_BIAS(FFN_UP, "model.layers.%u.mlp.c_fc"),
    RBEE_HF_WEIGHT_AND_BIAS(FFN_DOWN, "model.layers.%u.mlp.c_proj"),
};

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_FFN_ROW,
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_epsilon", "norm_epsilon", 1e-5, 0),
    /* absent, null or 0: no window */
    RBEE_HP(sc2_model, RBEE_HP_COUNT, window, "attention.sliding_window", "sliding_window", 0, 0),
};

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  sc2_model* m = (sc2_model*)base;
  const char* act = NULL;
  if (base->n_embd % base->n_head != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "hidden size %u is not a multiple of %u heads", base->n_embd,
                     base->n_head);
  /* transformers' StarCoder2 takes the head size as hidden / heads and rotates whole heads. */
  base->head_dim = base->rope.n_rot = base->n_embd / base->n_head;
  /* config.json's hidden_act (transformers' default gelu_pytorch_tanh); GGUF has no key and
   * llama.cpp applies the tanh approximation. */
  m->act = RBEE_UNARY_GELU_TANH;
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  RBEE_TRY(rbee_hparams_string(r, "hidden_act", &act));
  if (act == NULL || !strcmp(act, "gelu_pytorch_tanh") || !strcmp(act, "gelu_new")) return RBEE_OK;
  if (!strcmp(act, "gelu")) {
    m->act = RBEE_UNARY_GELU;
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "hidden_act: \"%s\" is not supported (expected gelu_pytorch_tanh or gelu)",
                   act);
}

static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  (void)layer;
  out->sliding_window = ((const sc2_model*)base)->window;
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const sc2_model* m = (const sc2_model*)base;
  rbee_emitf(emit, ctx, "activation", "%s", m->act == RBEE_UNARY_GELU ? "gelu (erf)" : "gelu (tanh)");
  if (m->window) rbee_emitf(emit, ctx, "sliding_window", "%u", m->window);
}

static void build(const rbee_builder* b) {
  const sc2_model* m = (const sc2_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_LAYER);
  const rbee_attention_spec attn = {.rope = &b->m->rope, .window = m->window};
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_ATTN_NORM_BIAS, l, &norm);
    x = rbee_add(b, x, rbee_attention_block(b, h, l, &attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_FFN_NORM_BIAS, l, &norm);
    x = rbee_add(b, x, rbee_plain_ffn(b, h, l, m->act));
  }
  rbee_output_logits(b, x, &norm, 0); /* tie_word_embeddings (StarCoder2-3B/7B): no output matrix */
}

static const rbee_family k_family = {
    .model_size = sizeof(sc2_model),
    .names = RBEE_NAME_TABLE(k_names),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams,
    .kv_layout = kv_layout,
    .describe = describe,
    .build = build,
};

static const char* const k_architectures[] = {"starcoder2", NULL};

RBEE_FAMILY_ENTRY(k_family, "starcoder2", "0.2.0", "StarCoder2 (GGUF and Hugging Face safetensors)", k_architectures)
