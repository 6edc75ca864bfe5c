"""The demo model: a Llama causal LM in plain torch (float32) on tools/torch-decoder's blocks, with
tied input and output embeddings and GPT-2's initialisation, for batches of sequences that start at
position 0."""
import math
import sys
from pathlib import Path

from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "torch-decoder"))
from decoder import Body, inverse_frequencies  # noqa: E402


class Llama(nn.Module):
    """ids [B, T] -> logits [B, T, vocab]; the output matrix is the token embedding."""

    def __init__(self, config):
        super().__init__()
        assert config["tie_word_embeddings"]
        self.model = Body(config)
        self.inv_freq = inverse_frequencies(config["rope_theta"], config["head_dim"])
        # GPT-2's initialisation: N(0, 0.02), the projections into the residual stream scaled down by depth.
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * config["num_hidden_layers"]) if name.endswith(("o_proj.weight", "down_proj.weight")) else 0.02
                nn.init.normal_(p, std=std)

    def forward(self, ids):
        return self.model(ids, self.inv_freq) @ self.model.embed_tokens.weight.T
