#!/usr/bin/python3
"""Makes rbee's demo model, models/demo: a small Llama trained from scratch on the fortune-cookie
files of Debian's fortunes and fortunes-min packages, with its own byte-level BPE vocabulary, written
as a Hugging Face folder (float32 safetensors) and a Q8_0 GGUF; and its reference for the tests,
tests/fixtures/demo (torch's logits and greedy continuation of a fixed prompt).

    /usr/bin/python3 tools/demo-model/make.py [--steps N] [--seed S] [--threads T]

The defaults made the committed files, in about 13 minutes on 2 CPU cores with Debian's
libopenblas0-openmp installed (torch on Debian's reference BLAS alone is about 7 times slower, and
rounds differently; nothing else should use the cores meanwhile: OpenMP threads stall under
contention). Needs
Debian's python3-torch and python3-numpy, fortunes and fortunes-min (the corpus) and
wamerican (/usr/share/dict/words, to report how English a sample reads). Deterministic: the same
seed, steps, thread count and BLAS give the same files. The model's matrices are rounded to their Q8_0
values after training, so that both files hold the same numbers and give the same text in rbee.
"""
import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch

import bpe
import corpus
from export import round_to_q8_0, write_gguf_file, write_hf_folder
from llama import Llama

# The BLAS that Debian's torch calls (the libblas.so.3 alternative).
BLAS = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
ROOT = Path(__file__).resolve().parents[2]
NAME = "rbee-demo"
CONFIG = {
    "architectures": ["LlamaForCausalLM"], "model_type": "llama", "torch_dtype": "float32",
    "vocab_size": 2048, "hidden_size": 128, "intermediate_size": 384, "num_hidden_layers": 4,
    "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 32, "hidden_act": "silu",
    "max_position_embeddings": 256, "rms_norm_eps": 1e-5, "rope_theta": 10000.0, "attention_bias": False,
    "mlp_bias": False, "tie_word_embeddings": True, "bos_token_id": 0, "eos_token_id": 1,
}
SEQ, BATCH = 128, 8
PEAK_LR, WARMUP, WEIGHT_DECAY = 3e-3, 50, 0.1
# The reference: the greedy continuation of one of these prompts (the longest that stays clear of
# near-ties, so that another backend's rounding cannot pick another token), and torch's logits
# over its first positions.
PROMPTS = ["Love is", "A friend", "The best way to", "Never"]
GREEDY_TOKENS, MIN_MARGIN, LOGIT_POSITIONS = 32, 0.02, 16
SAMPLE = {"prompt": "The", "temperature": 0.8, "tokens": 96}


def batches(docs, rng):
    """Endless [BATCH, SEQ + 1] batches: each epoch the documents in a new order, end to end, cut
    into rows of SEQ + 1 tokens."""
    while True:
        stream = np.concatenate([docs[i] for i in rng.permutation(len(docs))])
        rows = (len(stream) - 1) // SEQ
        for first in range(0, rows - BATCH + 1, BATCH):
            yield torch.from_numpy(np.stack([stream[r * SEQ:r * SEQ + SEQ + 1] for r in range(first, first + BATCH)]))


def learning_rate(step, steps):
    """Linear warm-up, then a cosine decay to a tenth of the peak."""
    return PEAK_LR * min(1.0, step / WARMUP) * (0.1 + 0.45 * (1 + math.cos(math.pi * step / steps)))


def train(model, docs, steps, seed):
    decay = [p for p in model.parameters() if p.dim() == 2]
    rest = [p for p in model.parameters() if p.dim() != 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": rest, "weight_decay": 0.0}],
                                  lr=PEAK_LR, betas=(0.9, 0.95))
    data = batches(docs, np.random.default_rng(seed))
    start, smoothed = time.time(), None
    for step in range(1, steps + 1):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, steps)
        x = next(data)
        logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        smoothed = float(loss) if smoothed is None else 0.98 * smoothed + 0.02 * float(loss)
        if step % 50 == 0 or step == steps:
            print(f"step {step}/{steps}: loss {smoothed:.3f}, {time.time() - start:.0f} s", flush=True)
    return smoothed, time.time() - start


def greedy(model, ids, n):
    """n greedy steps (fewer at EOS or at the first near-tie): the tokens and their smallest margin."""
    out, smallest = [], math.inf
    with torch.no_grad():
        for _ in range(n):
            top2 = model(torch.tensor([ids + out]))[0, -1].topk(2)
            margin = float(top2.values[0] - top2.values[1])
            if margin < MIN_MARGIN or int(top2.indices[0]) == CONFIG["eos_token_id"]:
                break
            out.append(int(top2.indices[0]))
            smallest = min(smallest, margin)
    return out, smallest


def sample(model, ids, n, temperature, generator):
    """n tokens drawn at the temperature, past EOS (as `rbee run --ignore-eos`)."""
    out = []
    with torch.no_grad():
        for _ in range(n):
            probs = torch.softmax(model(torch.tensor([ids + out]))[0, -1] / temperature, dim=-1)
            out.append(int(torch.multinomial(probs, 1, generator=generator)))
    return out


def english_fraction(text, words):
    """The share of the text's words (runs of letters and apostrophes, apostrophes at either end
    dropped) that the dictionary lists, as written or in lower case; as the test counts them."""
    spaced = "".join(c if c.isascii() and (c.isalpha() or c == "'") else " " for c in text)
    found = [w.strip("'") for w in spaced.split() if w.strip("'")]
    return sum(w in words or w.lower() in words for w in found) / max(1, len(found))


def reference(model, tok, seed):
    """golden.json's content and torch's logits over the greedy sequence's first positions."""
    best = None
    for prompt in PROMPTS:
        ids = [tok.bos] + tok.encode(prompt)
        out, margin = greedy(model, ids, GREEDY_TOKENS)
        print(f"greedy {prompt!r}: {tok.decode(out)!r} ({len(out)} tokens, smallest margin {margin:.3f})")
        if best is None or len(out) > len(best[2]):
            best = (prompt, ids, out, margin)
    prompt, ids, out, margin = best
    sequence = (ids + out)[:LOGIT_POSITIONS]
    with torch.no_grad():
        logits = model(torch.tensor([sequence]))[0].numpy().astype("<f4")
    words = set(Path("/usr/share/dict/words").read_text().split())
    generator = torch.Generator().manual_seed(seed)
    sampled = tok.decode(sample(model, [tok.bos] + tok.encode(SAMPLE["prompt"]), SAMPLE["tokens"], SAMPLE["temperature"],
                                generator))
    text = SAMPLE["prompt"] + sampled
    golden = {
        "note": "made by tools/demo-model/make.py from torch's forward pass of models/demo (Q8_0-rounded weights)",
        "prompt": prompt, "prompt_ids": ids, "greedy_ids": out, "greedy_text": prompt + tok.decode(out),
        "greedy_min_margin": round(margin, 4),
        "logits_ids": sequence, "logits_file": "logits.f32", "logits_shape": list(logits.shape),
        "sample": dict(SAMPLE, seed=seed, text=text, english_fraction=round(english_fraction(text, words), 3)),
    }
    return golden, logits


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "demo")
    parser.add_argument("--golden", type=Path, default=ROOT / "tests" / "fixtures" / "demo")
    args = parser.parse_args()
    if not Path("/usr/share/dict/words").is_file():
        sys.exit("/usr/share/dict/words is missing: install Debian's wamerican package")
    if "openblas" not in str(Path(BLAS).resolve()):
        print(f"note: torch's BLAS is {Path(BLAS).resolve()}, not OpenBLAS (which made the committed files): "
              "training takes about 7 times longer and gives other numbers; apt-get install libopenblas0-openmp",
              file=sys.stderr)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(args.threads)

    texts = corpus.fortunes()
    tok = bpe.Tokenizer(bpe.learn_merges(texts, CONFIG["vocab_size"]))
    assert len(tok.vocab) == CONFIG["vocab_size"] and (tok.bos, tok.eos) == (CONFIG["bos_token_id"], CONFIG["eos_token_id"])
    docs = [np.array([tok.bos] + tok.encode(t) + [tok.eos], dtype=np.int64) for t in texts]
    print(f"corpus: {len(texts)} fortunes, {sum(map(len, texts))} characters, {sum(map(len, docs))} tokens")

    model = Llama(CONFIG)
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters; {args.steps} steps of {BATCH} x {SEQ} tokens")
    loss, seconds = train(model, docs, args.steps, args.seed)
    model.eval()
    tensors, blocks = round_to_q8_0(model.state_dict())
    model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
    golden, logits = reference(model, tok, args.seed)
    golden["training"] = {"steps": args.steps, "seed": args.seed, "threads": args.threads, "final_loss": round(loss, 4)}

    args.out.mkdir(parents=True, exist_ok=True)
    write_hf_folder(args.out, CONFIG, tensors, tok)
    write_gguf_file(args.out / f"{NAME}-q8_0.gguf", CONFIG, tensors, blocks, tok, NAME)
    shutil.copy("/usr/share/doc/fortunes-min/copyright", args.out / "fortunes-copyright")
    args.golden.mkdir(parents=True, exist_ok=True)
    (args.golden / "golden.json").write_text(json.dumps(golden, indent=1) + "\n")
    logits.tofile(args.golden / "logits.f32")
    print(f"trained in {seconds:.0f} s to loss {loss:.3f}; greedy: {golden['greedy_text']!r}")
    print(f"sample ({golden['sample']['english_fraction']:.0%} dictionary words): {golden['sample']['text']!r}")


if __name__ == "__main__":
    main()
