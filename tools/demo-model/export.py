"""The trained model in the two forms rbee reads: a Hugging Face folder (config.json,
model.safetensors in float32, tokenizer.json, tokenizer_config.json) and a Q8_0 GGUF as
llama.cpp's convert_hf_to_gguf.py writes a Llama (Q/K rows permuted, norms in float32)."""
import json
import sys
from pathlib import Path

import numpy as np

from gguf import FILE_TYPE_Q8_0, GGML_F32, GGML_Q8_0, dequantize_q8_0, q8_0_bytes, quantize_q8_0, write_gguf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "torch-decoder"))
from safetensors_file import save_safetensors  # noqa: E402

# The template renders each user message as the start of a fortune (after BOS) and each
# assistant message as its rest (then EOS): the model answers by finishing the user's sentence.
# A system message has no place in a fortune and is not rendered.
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "{%- if message['role'] == 'user' -%}{{ bos_token }}{{ message['content'] }}"
    "{%- elif message['role'] == 'assistant' -%}{{ message['content'] }}{{ eos_token }}"
    "{%- endif -%}"
    "{%- endfor -%}")

# transformers' tensor names -> GGUF's ({} the layer).
GGUF_NAMES = {
    "model.embed_tokens.weight": "token_embd.weight",
    "model.norm.weight": "output_norm.weight",
    "model.layers.{}.input_layernorm.weight": "blk.{}.attn_norm.weight",
    "model.layers.{}.self_attn.q_proj.weight": "blk.{}.attn_q.weight",
    "model.layers.{}.self_attn.k_proj.weight": "blk.{}.attn_k.weight",
    "model.layers.{}.self_attn.v_proj.weight": "blk.{}.attn_v.weight",
    "model.layers.{}.self_attn.o_proj.weight": "blk.{}.attn_output.weight",
    "model.layers.{}.post_attention_layernorm.weight": "blk.{}.ffn_norm.weight",
    "model.layers.{}.mlp.gate_proj.weight": "blk.{}.ffn_gate.weight",
    "model.layers.{}.mlp.up_proj.weight": "blk.{}.ffn_up.weight",
    "model.layers.{}.mlp.down_proj.weight": "blk.{}.ffn_down.weight",
}


def round_to_q8_0(state):
    """The model's matrices replaced by their Q8_0 values (float32(d) * q, exact in float32), so
    that the float32 safetensors, the Q8_0 GGUF and the reference logits hold the same numbers.
    Returns the new state and each matrix's blocks."""
    rounded, blocks = {}, {}
    for name, w in state.items():
        w = w.detach().numpy()
        if w.ndim == 2:
            scales, quants = quantize_q8_0(w)
            blocks[name] = (scales, quants)
            w = dequantize_q8_0(scales, quants)
        rounded[name] = np.ascontiguousarray(w, dtype=np.float32)
    return rounded, blocks


def write_json(path, value):
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def write_hf_folder(folder, config, tensors, tokenizer):
    write_json(folder / "config.json", config)
    write_json(folder / "generation_config.json",
               {"bos_token_id": tokenizer.bos, "eos_token_id": tokenizer.eos, "do_sample": True, "temperature": 0.8})
    save_safetensors(folder / "model.safetensors", tensors)
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer.tokenizer_json(), ensure_ascii=False) + "\n")
    write_json(folder / "tokenizer_config.json", {
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True,
        "add_eos_token": False, "clean_up_tokenization_spaces": False,
        "model_max_length": config["max_position_embeddings"], "chat_template": CHAT_TEMPLATE})


def permute_rows(w, heads):
    """llama.cpp's Q/K row order (convert_hf_to_gguf.py's LlamaModel.permute): per head, the two
    rotary halves interleaved."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def gguf_name(name):
    parts = name.split(".")
    if len(parts) > 2 and parts[2].isdigit():
        return GGUF_NAMES[".".join(parts[:2] + ["{}"] + parts[3:])].format(parts[2])
    return GGUF_NAMES[name]


def write_gguf_file(path, config, tensors, blocks, tokenizer, name):
    c = config
    tokens = sorted(tokenizer.vocab, key=tokenizer.vocab.get)
    metadata = {
        "general.architecture": "llama",
        "general.name": name,
        "general.file_type": FILE_TYPE_Q8_0,
        "general.quantization_version": 2,
        "general.license": "BSD-3-Clause",
        "llama.context_length": c["max_position_embeddings"],
        "llama.embedding_length": c["hidden_size"],
        "llama.block_count": c["num_hidden_layers"],
        "llama.feed_forward_length": c["intermediate_size"],
        "llama.attention.head_count": c["num_attention_heads"],
        "llama.attention.head_count_kv": c["num_key_value_heads"],
        "llama.attention.key_length": c["head_dim"],
        "llama.attention.value_length": c["head_dim"],
        "llama.rope.dimension_count": c["head_dim"],
        "llama.rope.freq_base": float(c["rope_theta"]),
        "llama.attention.layer_norm_rms_epsilon": float(c["rms_norm_eps"]),
        "llama.vocab_size": c["vocab_size"],
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "gpt2",
        "tokenizer.ggml.tokens": tokens,
        # 3: control (the special tokens), 1: normal
        "tokenizer.ggml.token_type": [3 if t in ("<s>", "</s>") else 1 for t in tokens],
        "tokenizer.ggml.merges": [f"{a} {b}" for a, b in tokenizer.merges],
        "tokenizer.ggml.bos_token_id": tokenizer.bos,
        "tokenizer.ggml.eos_token_id": tokenizer.eos,
        "tokenizer.ggml.add_bos_token": True,
        "tokenizer.ggml.add_eos_token": False,
        "tokenizer.chat_template": CHAT_TEMPLATE,
    }
    entries = []
    for hf_name, w in tensors.items():  # the model's order: embedding, layers, final norm
        if hf_name in blocks:
            scales, quants = blocks[hf_name]
            if hf_name.endswith(("q_proj.weight", "k_proj.weight")):
                heads = c["num_attention_heads"] if "q_proj" in hf_name else c["num_key_value_heads"]
                scales, quants = permute_rows(scales, heads), permute_rows(quants, heads)  # whole rows move
            entries.append((gguf_name(hf_name), w.shape, GGML_Q8_0, q8_0_bytes(scales, quants)))
        else:
            entries.append((gguf_name(hf_name), w.shape, GGML_F32, w.astype("<f4").tobytes()))
    write_gguf(path, metadata, entries)
