"""A Qwen3 causal LM in plain torch (float32, no cache) on tools/torch-decoder's blocks, with
transformers' parameter names. Enough for the tiny fixtures; checked against transformers' logits by
make.py."""
import sys
from pathlib import Path

from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "torch-decoder"))
from decoder import Body, inverse_frequencies  # noqa: E402
from safetensors_file import load_safetensors, save_safetensors  # noqa: E402,F401  (re-exported)


class Qwen3(nn.Module):
    """ids [T] -> logits [T, vocab], positions 0..T-1."""

    def __init__(self, config, tensors):
        super().__init__()
        assert not config.get("tie_word_embeddings"), "the fixtures' lm_head is its own tensor"
        self.model = Body(config, qk_norm=True)
        self.lm_head = nn.Linear(config["hidden_size"], config["vocab_size"], bias=False)
        self.load_state_dict(tensors, strict=True)
        rope = config.get("rope_parameters") or {"rope_theta": config["rope_theta"], "rope_type": "default"}
        assert rope.get("rope_type", "default") == "default"
        self.inv_freq = inverse_frequencies(rope["rope_theta"], config["head_dim"])

    def forward(self, ids):
        return self.lm_head(self.model(ids, self.inv_freq))
