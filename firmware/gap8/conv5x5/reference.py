#!/usr/bin/env python3
"""Expected output checksum of conv5x5-gap8 (gap8/conv5x5/main.c), pure Python.

Input 100x100 and the 25 filter taps come from the LCG x = x*1664525 + 1013904223 (mod 2^32),
seed 12345, value = int8(x >> 24), input first. Each of ITER iterations does, for every output
pixel, out = int8((out*64 + sum of the 25 products) >> 6) starting from out = 0 (the SDK's
"additive" 5x5 convolution, Norm 6). The checksum is FNV-1a over the 96x96 int8 output.

    python3 gap8/conv5x5/reference.py [--iter N] [--check]
--check compares with the checksum in prebuilt/manifest.toml's conv5x5-gap8 entry.
"""
import argparse
import pathlib
import re


def int8(v):
    v &= 0xFF
    return v - 256 if v >= 128 else v


def lcg_bytes(x, n):
    out = []
    for _ in range(n):
        x = (x * 1664525 + 1013904223) & 0xFFFFFFFF
        out.append(int8(x >> 24))
    return x, out


def checksum(iterations):
    w = h = 100
    wo, ho = w - 4, h - 4
    x, inp = lcg_bytes(12345, w * h)
    _, filt = lcg_bytes(x, 25)
    sums = [0] * (wo * ho)
    for l in range(ho):
        for c in range(wo):
            sums[l * wo + c] = sum(filt[kl * 5 + kc] * inp[(l + kl) * w + c + kc]
                                   for kl in range(5) for kc in range(5))
    out = [0] * (wo * ho)
    for _ in range(iterations):
        out = [int8((o * 64 + s) >> 6) for o, s in zip(out, sums)]
    hsh = 2166136261
    for v in out:
        hsh = ((hsh ^ (v & 0xFF)) * 16777619) & 0xFFFFFFFF
    return hsh


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iter", type=int, default=10)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    value = checksum(args.iter)
    print(f"conv5x5 checksum=0x{value:08x}")
    if args.check:
        manifest = (pathlib.Path(__file__).resolve().parents[2] / "prebuilt" / "manifest.toml").read_text()
        m = re.search(r'elf = "conv5x5-gap8.elf".*?stdout = "conv5x5 checksum=0x([0-9a-f]{8})', manifest, re.S)
        if not m or int(m.group(1), 16) != value:
            print("MISMATCH with prebuilt/manifest.toml")
            raise SystemExit(1)
        print("matches prebuilt/manifest.toml")


if __name__ == "__main__":
    main()
