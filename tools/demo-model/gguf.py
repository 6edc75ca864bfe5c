"""Q8_0 quantization as ggml does it, and a GGUF v3 writer for what this model needs: metadata of
strings, integers, floats, booleans and arrays of them; tensors in F32 or Q8_0."""
import struct

import numpy as np

GGML_F32, GGML_Q8_0 = 0, 8
FILE_TYPE_Q8_0 = 7  # general.file_type: "mostly Q8_0"
ALIGNMENT = 32
# GGUF value types
UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY = 4, 5, 6, 7, 8, 9


def quantize_q8_0(x):
    """x [rows, cols], cols a multiple of 32 -> (scales float16 [rows, cols/32], quants int8
    [rows, cols]), as ggml's quantize_row_q8_0_ref: d = max|x| / 127, q = round(x / d) (half away
    from zero), d stored as float16."""
    blocks = x.astype(np.float32).reshape(-1, 32)
    d = np.abs(blocks).max(axis=1) / np.float32(127)
    inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
    scaled = blocks * inv[:, None]
    q = np.clip(np.sign(scaled) * np.floor(np.abs(scaled) + np.float32(0.5)), -127, 127).astype(np.int8)
    rows = x.shape[0]
    return d.astype(np.float16).reshape(rows, -1), q.reshape(x.shape)


def dequantize_q8_0(scales, quants):
    """What a reader computes from the blocks: float32(d) * q."""
    rows, cols = quants.shape
    d = scales.astype(np.float32).reshape(-1, 1)
    return (quants.astype(np.float32).reshape(-1, 32) * d).reshape(rows, cols)


def q8_0_bytes(scales, quants):
    """Blocks of 34 bytes: float16 d, then 32 int8."""
    d = scales.reshape(-1, 1).astype("<f2").view(np.uint8)
    q = quants.reshape(-1, 32).view(np.uint8)
    return np.concatenate([d, q], axis=1).tobytes()


def _string(s):
    raw = s.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _scalar(kind, v):
    if kind == STRING:
        return _string(v)
    return struct.pack({UINT32: "<I", INT32: "<i", FLOAT32: "<f", BOOL: "<?"}[kind], v)


def _kind(v):
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, int):
        return UINT32 if v >= 0 else INT32
    if isinstance(v, float):
        return FLOAT32
    if isinstance(v, str):
        return STRING
    raise TypeError(f"no GGUF type for {v!r}")


def _value(v):
    """(type, bytes) of a metadata value; a list's elements take the type of its first."""
    if isinstance(v, (list, tuple)):
        kind = INT32 if isinstance(v[0], int) and not isinstance(v[0], bool) else _kind(v[0])
        return ARRAY, struct.pack("<IQ", kind, len(v)) + b"".join(_scalar(kind, x) for x in v)
    kind = _kind(v)
    return kind, _scalar(kind, v)


def write_gguf(path, metadata, tensors):
    """metadata: {key: value}; tensors: [(name, shape as numpy orders it, ggml type, bytes)]. GGUF
    lists a tensor's dimensions innermost first, so shape is written reversed."""
    out = [b"GGUF", struct.pack("<IQQ", 3, len(tensors), len(metadata))]
    for key, v in metadata.items():
        kind, raw = _value(v)
        out += [_string(key), struct.pack("<I", kind), raw]
    offset, datas = 0, []
    for name, shape, ggml_type, data in tensors:
        out += [_string(name), struct.pack("<I", len(shape)), struct.pack(f"<{len(shape)}Q", *reversed(shape)),
                struct.pack("<IQ", ggml_type, offset)]
        pad = -len(data) % ALIGNMENT
        datas += [data, b"\0" * pad]
        offset += len(data) + pad
    header = b"".join(out)
    path.write_bytes(header + b"\0" * (-len(header) % ALIGNMENT) + b"".join(datas))
