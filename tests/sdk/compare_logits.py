#!/usr/bin/env python3
"""compare_logits.py GOT WANT TOLERANCE: two little-endian float32 files of equal size, every
value within TOLERANCE (max abs); prints the largest difference, exits 1 past it."""
import array
import math
import sys


def floats(path):
    values = array.array("f")
    with open(path, "rb") as f:
        values.frombytes(f.read())
    if sys.byteorder != "little":
        values.byteswap()
    return values


def main():
    got_path, want_path, tolerance = sys.argv[1], sys.argv[2], float(sys.argv[3])
    got, want = floats(got_path), floats(want_path)
    if len(got) != len(want):
        sys.exit(f"{got_path}: {len(got)} values, {want_path} has {len(want)}")
    worst, where = 0.0, 0
    for i, (g, w) in enumerate(zip(got, want)):
        d = abs(g - w)
        if math.isnan(d) or d > worst:
            worst, where = (math.inf if math.isnan(d) else d), i
    print(f"{got_path}: largest difference {worst:.3g} (value {where}) over {len(want)} values")
    if worst > tolerance:
        sys.exit(f"{got_path}: differs from {want_path} by {worst:.3g} > {tolerance} at value {where}")


if __name__ == "__main__":
    main()
