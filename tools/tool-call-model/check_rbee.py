#!/usr/bin/python3
"""Checks tests/fixtures/tiny/qwen3_tools with rbee itself: `rbee logits` over each learned
conversation (prompt + answer) against this folder's torch forward pass, and whether rbee's logits
still pick every answer token (with their smallest top1-top2 margin).

    /usr/bin/python3 tools/tool-call-model/check_rbee.py [--rbee PATH] [--kv-type f16|f32]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import torch

from qwen3 import Qwen3, load_safetensors

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "tests" / "fixtures" / "tiny" / "qwen3_tools"


def rbee_logits(rbee, ids, kv_type):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "logits.f32"
        cmd = [rbee, "logits", str(MODEL), "--ids", ",".join(map(str, ids)), "-o", str(out), "--ctx-size", "1024"]
        if kv_type:
            cmd += ["--kv-type", kv_type]
        subprocess.run(cmd, check=True, env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"})
        return np.fromfile(out, dtype="<f4").reshape(len(ids), -1)


def margins(logits, targets):
    """Whether each target is the argmax, and the smallest target - best other logit."""
    rows = logits[np.arange(len(targets)), targets]
    others = logits.copy()
    others[np.arange(len(targets)), targets] = -np.inf
    gap = rows - others.max(axis=1)
    return bool((gap > 0).all()), float(gap.min())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rbee", default=os.environ.get("RBEE", "/work/ci-clone/build/host/rbee"))
    parser.add_argument("--kv-type", default=None)
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = json.loads((MODEL / "config.json").read_text())
    model = Qwen3(config, load_safetensors(MODEL / "model.safetensors"))
    expected = json.loads((MODEL / "expected.json").read_text())
    ok = True
    for c in expected["conversations"]:
        start = c["prompt_tokens"]
        ids = c["prompt_ids"] + c["answer_ids"]
        targets = np.array(c["answer_ids"])
        theirs = rbee_logits(args.rbee, ids[:-1], args.kv_type)[start - 1:]
        with torch.no_grad():
            ours = model(torch.tensor(ids[:-1]))[start - 1:].numpy()
        greedy, margin = margins(theirs, targets)
        difference = float(np.abs(theirs - ours).max())
        print(f"{c['name']}: rbee vs torch max abs difference {difference:.2e} over the answer; "
              f"rbee greedy {'gives' if greedy else 'MISSES'} the answer, smallest margin {margin:.3f}")
        ok &= greedy
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
