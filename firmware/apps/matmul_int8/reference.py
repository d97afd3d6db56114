#!/usr/bin/env python3
"""Reference for firmware/apps/matmul_int8/main.c: computes EXPECTED_CHECKSUM.

Same LCG (x = x*1664525 + 1013904223 mod 2**32, seed 12345; A, then W, then bias),
same layer (acc = bias + A @ W.T in int32), same CMSIS-NN requantisation
(arm_nn_requantize with MULT, SHIFT, then + OUT_OFFSET and clamp to int8).

    checksum = fnv1a32(out as int8 bytes, row-major) ^ (sum(acc) mod 2**32)

Run:  python3 firmware/apps/matmul_int8/reference.py
      (add --check to compare against the constant in main.c; exit 1 on mismatch)
"""
import pathlib
import re
import sys

import numpy as np

M, N, K = 32, 32, 64
SEED = 12345
MULT = 1518500250
SHIFT = -9
OUT_OFFSET = -3


def lcg(state, count):
    out = np.empty(count, dtype=np.uint32)
    for i in range(count):
        state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
        out[i] = state
    return state, out


def requantize(acc):
    """arm_nn_requantize(), vectorised with exact int64 arithmetic."""
    left = max(SHIFT, 0)
    right = max(-SHIFT, 0)
    v = acc.astype(np.int64) * (1 << left)
    v = ((v * MULT + (1 << 30)) >> 31).astype(np.int64)  # doubling high mult, no sat
    mask = (1 << right) - 1
    rem = v & mask
    res = v >> right
    threshold = (mask >> 1) + (res < 0)
    res = res + (rem > threshold)
    return np.clip(res + OUT_OFFSET, -128, 127).astype(np.int8)


def compute():
    state = SEED
    state, ra = lcg(state, M * K)
    state, rw = lcg(state, N * K)
    state, rb = lcg(state, N)
    a = (ra >> 24).astype(np.uint8).view(np.int8).reshape(M, K)
    w = (rw >> 24).astype(np.uint8).view(np.int8).reshape(N, K)
    bias = ((rb >> 16) & 0x3FF).astype(np.int32) - 512

    acc = a.astype(np.int32) @ w.astype(np.int32).T + bias[None, :]
    out = requantize(acc)

    acc_sum = int(acc.astype(np.int64).sum()) & 0xFFFFFFFF
    fnv = 2166136261
    for byte in out.reshape(-1).view(np.uint8).tolist():
        fnv = ((fnv ^ byte) * 16777619) & 0xFFFFFFFF
    return acc_sum, fnv, fnv ^ acc_sum


def main():
    acc_sum, fnv, checksum = compute()
    signed = acc_sum - (1 << 32) if acc_sum & 0x80000000 else acc_sum
    print(f"acc_sum={signed} out_fnv=0x{fnv:08x} checksum=0x{checksum:08x}")
    if "--check" in sys.argv[1:]:
        src = (pathlib.Path(__file__).with_name("main.c")).read_text()
        m = re.search(r"#define EXPECTED_CHECKSUM (0x[0-9a-fA-F]+)u", src)
        embedded = int(m.group(1), 16) if m else None
        if embedded != checksum:
            print(f"MISMATCH: main.c has {m.group(1) if m else 'no constant'}")
            return 1
        print("main.c EXPECTED_CHECKSUM matches")
    return 0


if __name__ == "__main__":
    sys.exit(main())
