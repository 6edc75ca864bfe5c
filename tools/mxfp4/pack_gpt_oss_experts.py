#!/usr/bin/python3
"""Packs the float experts of the tiny gpt-oss fixture into MXFP4 as gpt-oss is released.

Reads tests/fixtures/tiny/gpt_oss (a Hugging Face checkpoint whose experts are float32
`mlp.experts.gate_up_proj` [E, in, out] and `down_proj` [E, in, out]) and writes two folders
beside it, each with that config and tokenizer (and the golden's input_ids, which the test runs,
in input_ids.json):
  gpt_oss_mxfp4/          the experts as `*_blocks` uint8 [E, out, in/32, 16] and `*_scales` uint8
                          [E, out, in/32], the layout of openai/gpt-oss-20b's model.safetensors;
  gpt_oss_mxfp4_dequant/  the same model with float32 experts holding the dequantized values.
rbee run on the first must match rbee run on the second (tests/models/mxfp4_safetensors_test.cpp).

The format, from the OCP Microscaling Formats (MX) Specification v1.0:
  - a block of 32 elements shares one scale, E8M0: 2^(e - 127), e = 0xFF is NaN (never written);
  - each element is FP4 E2M1: sign bit 3, exponent bits 2..1 (bias 1), mantissa bit 0; exponent 0
    is subnormal: (-1)^s * 0.5 * m, else (-1)^s * 2^(exp - 1) * (1 + m / 2); no inf or NaN;
  - quantizing (section 6.3): shared exponent floor(log2(max |x|)) - emax_elem (emax of E2M1 is 2),
    then each x / 2^shared rounded to nearest E2M1 (ties to even), saturating at +-6.
Packing as transformers' gpt-oss loader reads it: element 2i in the low nibble of byte i, 2i + 1 in
the high nibble; scales hold e. The script checks every packed block against an independent
decode from the definition above before writing. Pure Python (struct, json): no numpy needed.
"""
import json
import math
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TINY = os.path.join(HERE, "..", "..", "tests", "fixtures", "tiny")
SOURCE = os.path.join(TINY, "gpt_oss")
COPIED = ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json")
BLOCK = 32
EMAX_E2M1 = 2


def e2m1_value(code):
    """The value of a 4-bit E2M1 code, straight from the definition."""
    sign = -1.0 if code & 0x8 else 1.0
    exp, mant = (code >> 1) & 0x3, code & 0x1
    if exp == 0:
        return sign * 0.5 * mant
    return sign * 2.0 ** (exp - 1) * (1.0 + mant / 2.0)


def e8m0_value(e):
    if e == 0xFF:
        raise ValueError("E8M0 0xFF is NaN")
    return 2.0 ** (e - 127)


POSITIVE = [(e2m1_value(c), c) for c in range(8)]  # 0, 0.5, 1, 1.5, 2, 3, 4, 6
assert [v for v, _ in POSITIVE] == [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]


def e2m1_code(x):
    """Nearest E2M1 code to x (ties to the even code, i.e. mantissa bit 0), saturating at 6."""
    sign = 0x8 if x < 0 else 0
    a = min(abs(x), 6.0)
    best = min(POSITIVE, key=lambda vc: (abs(vc[0] - a), vc[1] & 1))
    return sign | best[1] if best[1] else 0  # +0 for zero


def quantize_block(xs):
    """32 floats -> (exponent byte, 32 codes) by the spec's conversion."""
    amax = max(abs(x) for x in xs)
    shared = (math.floor(math.log2(amax)) - EMAX_E2M1) if amax > 0 else -127
    shared = max(-127, min(127, shared))
    scale = 2.0 ** shared
    return shared + 127, [e2m1_code(x / scale) for x in xs]


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack_from("<Q", blob, 0)
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        out[name] = (entry["dtype"], entry["shape"], data[begin:end])
    return out


def write_safetensors(path, tensors):
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def pack_experts(shape, raw):
    """Float experts [E, in, out] -> (blocks, scales, dequantized [E, in, out] float32 bytes)."""
    n_exp, n_in, n_out = shape
    if n_in % BLOCK:
        sys.exit("experts' input size %d is not a multiple of %d" % (n_in, BLOCK))
    w = struct.unpack("<%df" % (n_exp * n_in * n_out), raw)
    blocks, scales = bytearray(), bytearray()
    deq = [0.0] * len(w)
    for e in range(n_exp):
        for o in range(n_out):  # a row of the [out, in] matrix, blocks along in
            for b in range(n_in // BLOCK):
                ins = range(b * BLOCK, (b + 1) * BLOCK)
                xs = [w[(e * n_in + i) * n_out + o] for i in ins]
                exp, codes = quantize_block(xs)
                packed = bytes(codes[2 * j] | (codes[2 * j + 1] << 4) for j in range(BLOCK // 2))
                # The check: each packed nibble decodes, by the definition, to a value of the
                # block's grid (every E2M1 value times the block's scale) nearest to the input.
                grid = [e2m1_value(c) * e8m0_value(exp) for c in range(16)]
                for j, i in enumerate(ins):
                    code = (packed[j // 2] >> (4 * (j % 2))) & 0xF
                    v = e2m1_value(code) * e8m0_value(exp)
                    assert code == codes[j] and abs(v - xs[j]) == min(abs(g - xs[j]) for g in grid), (e, o, i)
                    deq[(e * n_in + i) * n_out + o] = v
                blocks += packed
                scales.append(exp)
    return bytes(blocks), bytes(scales), struct.pack("<%df" % len(deq), *deq)


def main():
    tensors = read_safetensors(os.path.join(SOURCE, "model.safetensors"))
    packed, dequant = {}, {}
    for name, (dtype, shape, raw) in tensors.items():
        if name.endswith(("mlp.experts.gate_up_proj", "mlp.experts.down_proj")):
            if dtype != "F32" or len(shape) != 3:
                sys.exit("%s: expected float32 [experts, in, out], got %s %s" % (name, dtype, shape))
            blocks, scales, deq = pack_experts(shape, raw)
            n_exp, n_in, n_out = shape
            packed[name + "_blocks"] = ("U8", [n_exp, n_out, n_in // BLOCK, 16], blocks)
            packed[name + "_scales"] = ("U8", [n_exp, n_out, n_in // BLOCK], scales)
            dequant[name] = ("F32", shape, deq)
        else:
            packed[name] = dequant[name] = (dtype, shape, raw)
    with open(os.path.join(SOURCE, "golden.json")) as f:
        input_ids = json.load(f)["input_ids"]
    for folder, content in (("gpt_oss_mxfp4", packed), ("gpt_oss_mxfp4_dequant", dequant)):
        out = os.path.join(TINY, folder)
        os.makedirs(out, exist_ok=True)
        for f in COPIED:
            shutil.copyfile(os.path.join(SOURCE, f), os.path.join(out, f))
        with open(os.path.join(out, "input_ids.json"), "w") as f:
            json.dump({"input_ids": input_ids}, f)
        write_safetensors(os.path.join(out, "model.safetensors"), content)
        print("wrote", os.path.relpath(out))
    released_config(os.path.join(TINY, "gpt_oss_mxfp4", "config.json"))


def released_config(path):
    """The MXFP4 folder's config.json as openai/gpt-oss-20b spells it (transformers 4.55): RoPE
    in rope_theta and rope_scaling, swiglu_limit, and the MXFP4 quantization_config, so that the
    test also reads that spelling (the float twin keeps transformers 5's rope_parameters)."""
    with open(path) as f:
        config = json.load(f)
    rope = config.pop("rope_parameters")
    config["rope_theta"] = rope.pop("rope_theta")
    config["rope_scaling"] = rope
    config["swiglu_limit"] = 7.0
    config["quantization_config"] = {"quant_method": "mxfp4",
                                     "modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router",
                                                                "model.embed_tokens", "lm_head"]}
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
