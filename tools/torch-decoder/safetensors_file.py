"""safetensors reading and writing of float32 tensors in a few lines: an 8-byte little-endian header
length, the JSON header (padded with spaces to 8 bytes, as the format allows), raw little-endian
data."""
import json
import struct

import numpy as np
import torch


def load_safetensors(path):
    """name -> float32 torch tensor; any other dtype is refused, naming the file and tensor."""
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            raise ValueError(f"{path}: {name} is {info['dtype']}; only F32 is read")
        begin, end = info["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype="<f4").reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def save_safetensors(path, tensors):
    """torch tensors or numpy arrays, written as F32 sorted by name."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        value = tensors[name]
        array = value.detach().to(torch.float32).contiguous().numpy() if torch.is_tensor(value) else value
        raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + b"".join(chunks))
