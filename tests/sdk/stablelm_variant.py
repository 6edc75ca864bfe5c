#!/usr/bin/env python3
"""stablelm_variant.py FIXTURE OUT: the tiny StableLM (FIXTURE: a Hugging Face folder with
model-f32.gguf, golden.json and transformers' logits.f32) turned into the variant no shared
fixture has, StableLM 2 12B's: per-head Q/K LayerNorms (qk_layernorm), Q/K/V biases
(use_qkv_bias) and the parallel residual (use_parallel_residual), the added weights random with
a fixed seed. OUT becomes a fixture like FIXTURE: the variant in both formats, as transformers
and llama.cpp's converter lay them out (the folder: one norm tensor a head, no
post_attention_layernorm; model-f32.gguf: the norms stacked [n_head, head_dim] as
attn_q_norm/attn_k_norm, no ffn_norm, stablelm.use_parallel_residual true), and golden.json and
logits.f32 from the plain-Python forward pass below (logits over the same input_ids, the greedy
continuation of the same prompt), which first has to reproduce transformers' logits of the
unchanged fixture within 1e-4. Python's standard library only."""
import array
import json
import math
import random
import shutil
import struct
import sys
from pathlib import Path

SEED = 2012  # the variant's added weights
REFERENCE_TOLERANCE = 1e-4
CONTINUATION = 12  # greedy tokens
MIN_MARGIN = 1e-2  # between the greedy token's logit and the next: no near-tie for float32 to flip


# --- safetensors (float32) ---------------------------------------------------------------------

def read_safetensors(path):
    data = path.read_bytes()
    (n,) = struct.unpack_from("<Q", data)
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", f"{path}: {name} is {info['dtype']}, expected F32"
        begin, end = info["data_offsets"]
        values = array.array("f")
        values.frombytes(data[8 + n + begin:8 + n + end])
        tensors[name] = (info["shape"], values)
    return tensors


def write_safetensors(path, tensors):
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        shape, values = tensors[name]
        raw = values.tobytes()
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))


# --- GGUF (version 3, little-endian): key/value pairs kept as raw bytes, F32 tensors ----------

SCALARS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
GGML_F32 = 0


class Reader:
    def __init__(self, data):
        self.data, self.at = data, 0

    def take(self, fmt):
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def string(self):
        (n,) = self.take("Q")
        self.at += n
        return self.data[self.at - n:self.at].decode()

    def skip_value(self, kind):
        if kind == 8:
            self.string()
        elif kind == 9:
            element, count = self.take("IQ")
            for _ in range(count):
                self.skip_value(element)
        else:
            self.take(SCALARS[kind])


def gguf_string(s):
    raw = s.encode()
    return struct.pack("<Q", len(raw)) + raw


def read_gguf(path):
    """(key -> raw key/value bytes in order, alignment, name -> (dims, float32 values))"""
    r = Reader(path.read_bytes())
    magic, version, n_tensors, n_kv = r.take("4sIQQ")
    assert magic == b"GGUF" and version == 3, f"{path}: not a GGUF v3 file"
    kvs, alignment = {}, 32
    for _ in range(n_kv):
        start = r.at
        key = r.string()
        (kind,) = r.take("I")
        value_at = r.at
        r.skip_value(kind)
        if key == "general.alignment":
            (alignment,) = struct.unpack_from("<I", r.data, value_at)
        kvs[key] = r.data[start:r.at]
    infos = []
    for _ in range(n_tensors):
        name = r.string()
        (n_dims,) = r.take("I")
        dims = list(r.take("Q" * n_dims))
        kind, offset = r.take("IQ")
        assert kind == GGML_F32, f"{path}: {name} is not F32"
        infos.append((name, dims, offset))
    base = r.at + (-r.at % alignment)
    tensors = {}
    for name, dims, offset in infos:
        values = array.array("f")
        values.frombytes(r.data[base + offset:base + offset + 4 * math.prod(dims)])
        tensors[name] = (dims, values)
    return kvs, alignment, tensors


def write_gguf(path, kvs, alignment, tensors):
    out = [struct.pack("<4sIQQ", b"GGUF", 3, len(tensors), len(kvs)), *kvs.values()]
    offset = 0
    for name, (dims, values) in tensors.items():
        out.append(gguf_string(name) + struct.pack("<I", len(dims)) + struct.pack("<" + "Q" * len(dims), *dims) +
                   struct.pack("<IQ", GGML_F32, offset))
        offset += 4 * len(values) + (-4 * len(values) % alignment)
    head = b"".join(out)
    data = [head, b"\0" * (-len(head) % alignment)]
    for dims, values in tensors.values():
        raw = values.tobytes()
        data += [raw, b"\0" * (-len(raw) % alignment)]
    path.write_bytes(b"".join(data))


def gguf_bool(key, value):
    return gguf_string(key) + struct.pack("<I?", 7, value)


# --- the forward pass, as transformers' StableLmForCausalLM (no cache) -------------------------

def matrix(tensors, name):
    (rows, cols), values = tensors[name]
    return [values[r * cols:(r + 1) * cols] for r in range(rows)]


def linear(x, w, b=None):
    out = [[sum(map(float.__mul__, row, wr)) for wr in w] for row in ([float(v) for v in r] for r in x)]
    if b is not None:
        out = [[v + bb for v, bb in zip(row, b)] for row in out]
    return out


def layer_norm(row, weight, bias, eps):
    mean = sum(row) / len(row)
    var = sum((v - mean) ** 2 for v in row) / len(row)
    inv = 1.0 / math.sqrt(var + eps)
    return [(v - mean) * inv * w + (bias[i] if bias is not None else 0.0) for i, (v, w) in enumerate(zip(row, weight))]


def forward(config, tensors, ids):
    """logits [T][vocab]"""
    t = lambda name: tensors[name][1]  # noqa: E731
    hidden, heads, kv_heads = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    d = hidden // heads
    eps = config["layer_norm_eps"]
    rope = config.get("rope_parameters") or {}
    theta = rope.get("rope_theta", config.get("rope_theta", 10000.0))
    n_rot = int(d * config.get("partial_rotary_factor", rope.get("partial_rotary_factor", 0.25)))
    inv_freq = [1.0 / theta ** (i / n_rot) for i in range(0, n_rot, 2)]
    embed = matrix(tensors, "model.embed_tokens.weight")
    x = [[float(v) for v in embed[i]] for i in ids]
    n = len(ids)

    def rotate(vec, pos):  # RoPE on the first n_rot dims of one head, in halves (rotate_half)
        half = n_rot // 2
        out = list(vec)
        for i in range(half):
            c, s = math.cos(pos * inv_freq[i]), math.sin(pos * inv_freq[i])
            a, b = vec[i], vec[i + half]
            out[i], out[i + half] = a * c - b * s, b * c + a * s
        return out

    for l in range(config["num_hidden_layers"]):
        p = f"model.layers.{l}."
        bias = (lambda name: t(p + name) if p + name in tensors else None)  # noqa: E731
        h = [layer_norm(row, t(p + "input_layernorm.weight"), bias("input_layernorm.bias"), eps) for row in x]
        q = linear(h, matrix(tensors, p + "self_attn.q_proj.weight"), bias("self_attn.q_proj.bias"))
        k = linear(h, matrix(tensors, p + "self_attn.k_proj.weight"), bias("self_attn.k_proj.bias"))
        v = linear(h, matrix(tensors, p + "self_attn.v_proj.weight"), bias("self_attn.v_proj.bias"))
        split = lambda rows, count: [[row[j * d:(j + 1) * d] for j in range(count)] for row in rows]  # noqa: E731
        q, k, v = split(q, heads), split(k, kv_heads), split(v, kv_heads)
        if config.get("qk_layernorm"):
            q = [[layer_norm(hd, t(p + f"self_attn.q_layernorm.norms.{j}.weight"), None, eps) for j, hd in enumerate(row)]
                 for row in q]
            k = [[layer_norm(hd, t(p + f"self_attn.k_layernorm.norms.{j}.weight"), None, eps) for j, hd in enumerate(row)]
                 for row in k]
        q = [[rotate(hd, pos) for hd in row] for pos, row in enumerate(q)]
        k = [[rotate(hd, pos) for hd in row] for pos, row in enumerate(k)]
        attn = []
        for i in range(n):
            out = []
            for j in range(heads):
                kj = j // (heads // kv_heads)
                scores = [sum(a * b for a, b in zip(q[i][j], k[s][kj])) / math.sqrt(d) for s in range(i + 1)]
                top = max(scores)
                e = [math.exp(s - top) for s in scores]
                total = sum(e)
                out += [sum(e[s] * v[s][kj][c] for s in range(i + 1)) / total for c in range(d)]
            attn.append(out)
        attn = linear(attn, matrix(tensors, p + "self_attn.o_proj.weight"))

        def mlp(rows):
            gate = linear(rows, matrix(tensors, p + "mlp.gate_proj.weight"))
            up = linear(rows, matrix(tensors, p + "mlp.up_proj.weight"))
            act = [[g / (1.0 + math.exp(-g)) * u for g, u in zip(gr, ur)] for gr, ur in zip(gate, up)]
            return linear(act, matrix(tensors, p + "mlp.down_proj.weight"))

        if config.get("use_parallel_residual"):
            m = mlp(h)
            x = [[a + b + c for a, b, c in zip(xr, ar, mr)] for xr, ar, mr in zip(x, attn, m)]
        else:
            x = [[a + b for a, b in zip(xr, ar)] for xr, ar in zip(x, attn)]
            h = [layer_norm(row, t(p + "post_attention_layernorm.weight"), bias("post_attention_layernorm.bias"), eps)
                 for row in x]
            x = [[a + b for a, b in zip(xr, mr)] for xr, mr in zip(x, mlp(h))]
    x = [layer_norm(row, t("model.norm.weight"), tensors.get("model.norm.bias", (0, None))[1], eps) for row in x]
    return linear(x, matrix(tensors, "lm_head.weight"))


def largest_difference(got, want):
    return max(abs(a - b) for a, b in zip((v for row in got for v in row), want))


# --- the variant -------------------------------------------------------------------------------

def random_values(rng, count, low, high):
    return array.array("f", (rng.uniform(low, high) for _ in range(count)))


def main():
    fixture, out = Path(sys.argv[1]), Path(sys.argv[2])
    config = json.loads((fixture / "config.json").read_text())
    golden = json.loads((fixture / "golden.json").read_text())
    ids = golden["input_ids"]
    tensors = read_safetensors(fixture / "model.safetensors")

    # The reference first reproduces transformers on the fixture as it is.
    want = array.array("f")
    want.frombytes((fixture / golden["logits_file"]).read_bytes())
    base = forward(config, tensors, ids)
    worst = largest_difference(base, want)
    print(f"plain-Python StableLM vs transformers on {fixture}: largest difference {worst:.3g}")
    if worst > REFERENCE_TOLERANCE:
        sys.exit(f"FAIL: the reference forward pass differs from transformers by {worst:.3g} > {REFERENCE_TOLERANCE}")

    hidden, heads, kv_heads = config["hidden_size"], config["num_attention_heads"], config["num_key_value_heads"]
    d = hidden // heads
    rng = random.Random(SEED)
    config.update(qk_layernorm=True, use_qkv_bias=True, use_parallel_residual=True)
    kvs, alignment, gguf = read_gguf(fixture / "model-f32.gguf")
    kvs["stablelm.use_parallel_residual"] = gguf_bool("stablelm.use_parallel_residual", True)
    for l in range(config["num_hidden_layers"]):
        p = f"model.layers.{l}."
        for part in ("weight", "bias"):
            del tensors[p + "post_attention_layernorm." + part]
            del gguf[f"blk.{l}.ffn_norm.{part}"]
        for proj, count in (("q", heads), ("k", kv_heads), ("v", kv_heads)):
            b = random_values(rng, count * d, -0.5, 0.5)
            tensors[p + f"self_attn.{proj}_proj.bias"] = ([count * d], b)
            gguf[f"blk.{l}.attn_{proj}.bias"] = ([count * d], b)
        for proj, count in (("q", heads), ("k", kv_heads)):
            stacked = array.array("f")
            for j in range(count):
                w = random_values(rng, d, 0.5, 1.5)
                tensors[p + f"self_attn.{proj}_layernorm.norms.{j}.weight"] = ([d], w)
                stacked += w
            gguf[f"blk.{l}.attn_{proj}_norm.weight"] = ([d, count], stacked)  # GGUF dims: innermost first

    out.mkdir(parents=True, exist_ok=True)
    for f in fixture.iterdir():
        if f.name.startswith("tokenizer") or f.name == "generation_config.json":
            shutil.copyfile(f, out / f.name)
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    write_safetensors(out / "model.safetensors", tensors)
    write_gguf(out / "model-f32.gguf", kvs, alignment, gguf)

    logits = forward(config, tensors, ids)
    (out / "logits.f32").write_bytes(array.array("f", (v for row in logits for v in row)).tobytes())
    worst = largest_difference(logits, want)
    print(f"the variant's logits move by up to {worst:.3g} from the fixture's")
    if worst < 0.1:
        sys.exit("FAIL: the variant's added weights barely change the logits; the test would prove nothing")
    sequence = list(golden["greedy_prompt_ids"])
    for _ in range(CONTINUATION):
        last = forward(config, tensors, sequence)[-1]
        best = max(range(len(last)), key=last.__getitem__)
        margin = last[best] - max(v for i, v in enumerate(last) if i != best)
        if margin < MIN_MARGIN:
            sys.exit(f"FAIL: a near-tie ({margin:.2g}) after {sequence}: pick another SEED")
        sequence.append(best)
    continuation = sequence[len(golden["greedy_prompt_ids"]):]
    (out / "golden.json").write_text(json.dumps({
        "note": "StableLM 2 12B's variant of the tiny StableLM, by tests/sdk/stablelm_variant.py",
        "input_ids": ids, "logits_file": "logits.f32", "logits_shape": [len(ids), len(logits[0])],
        "greedy_prompt_ids": golden["greedy_prompt_ids"], "greedy_continuation_ids": continuation}) + "\n")


if __name__ == "__main__":
    main()
