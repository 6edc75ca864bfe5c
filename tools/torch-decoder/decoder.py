"""The blocks of a Llama-style decoder in plain torch (float32, no cache), with transformers'
parameter names: RMSNorm, RoPE (rotate-half form), grouped-query attention with optional per-head
q/k norms (Qwen3), SwiGLU MLP, pre-norm layers. Inputs are [..., T, hidden] (batched or not), every
sequence starting at position 0. Used by the tools that train or check small models
(tools/demo-model, tools/tool-call-model)."""
import math

import torch
from torch import nn


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat([-x[..., half:], x[..., :half]], dim=-1)


def inverse_frequencies(theta, head_dim):
    return 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))


def rope_and_mask(inv_freq, t):
    """cos and sin [T, head_dim] for positions 0..T-1, and the causal mask [T, T]."""
    freqs = torch.arange(t, dtype=torch.float32)[:, None] * inv_freq[None, :]
    angles = torch.cat([freqs, freqs], dim=-1)
    return angles.cos(), angles.sin(), torch.full((t, t), float("-inf")).triu(1)


class Attention(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        hidden = c["hidden_size"]
        self.q_proj = nn.Linear(hidden, self.heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(hidden, self.kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(self.heads * self.head_dim, hidden, bias=False)
        if qk_norm:  # Qwen3: an RMSNorm over each head of q and k, before RoPE.
            self.q_norm = RMSNorm(self.head_dim, c["rms_norm_eps"])
            self.k_norm = RMSNorm(self.head_dim, c["rms_norm_eps"])
        self.qk_norm = qk_norm

    def heads_of(self, x, proj, heads):
        """[..., T, hidden] -> [..., heads, T, head_dim]"""
        return proj(x).view(*x.shape[:-1], heads, self.head_dim)

    def forward(self, x, cos, sin, mask):
        q = self.heads_of(x, self.q_proj, self.heads)
        k = self.heads_of(x, self.k_proj, self.kv_heads)
        if self.qk_norm:
            q, k = self.q_norm(q), self.k_norm(k)
        q, k = q.transpose(-3, -2), k.transpose(-3, -2)
        v = self.heads_of(x, self.v_proj, self.kv_heads).transpose(-3, -2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # GQA: query head h reads key/value head h // (heads / kv_heads), as transformers' repeat_kv.
        group = self.heads // self.kv_heads
        k = k.repeat_interleave(group, dim=-3)
        v = v.repeat_interleave(group, dim=-3)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim) + mask
        out = torch.softmax(scores, dim=-1) @ v
        return self.o_proj(out.transpose(-3, -2).reshape(*x.shape[:-1], self.heads * self.head_dim))


class MLP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.gate_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.up_proj = nn.Linear(c["hidden_size"], c["intermediate_size"], bias=False)
        self.down_proj = nn.Linear(c["intermediate_size"], c["hidden_size"], bias=False)

    def forward(self, x):
        return self.down_proj(nn.functional.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, c, qk_norm):
        super().__init__()
        self.input_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.self_attn = Attention(c, qk_norm)
        self.post_attention_layernorm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        self.mlp = MLP(c)

    def forward(self, x, cos, sin, mask):
        x = x + self.self_attn(self.input_layernorm(x), cos, sin, mask)
        return x + self.mlp(self.post_attention_layernorm(x))


class Body(nn.Module):
    """transformers' `model.`: the embedding, the layers and the final norm."""

    def __init__(self, c, qk_norm=False):
        super().__init__()
        self.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = nn.ModuleList(Layer(c, qk_norm) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])

    def forward(self, ids, inv_freq):
        """ids [..., T] -> the final norm's output [..., T, hidden]"""
        cos, sin, mask = rope_and_mask(inv_freq, ids.shape[-1])
        x = self.embed_tokens(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, mask)
        return self.norm(x)
