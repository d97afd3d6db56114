#!/usr/bin/env python3
"""reid_squeezenet: a SqueezeNet-1.1-style face re-identification network for GAP8, 16-bit fixed
point, weights streamed from L3 (HyperRAM/HyperFlash) by the uDMA. Random seeded weights.

    input 128x128x1 (grey face crop), int16 Q3.12: x = (p - 128) * 32 for an 8-bit pixel p
    conv1 3x3/2 SAME 64 + ReLU, fused with maxpool 3x3/2 SAME        -> 32x32x64
    fire2 (squeeze 16, expand 64 + 64), fire3 (16, 64 + 64)          -> 32x32x128
    maxpool 3x3/2 SAME                                               -> 16x16x128
    fire4 (32, 128 + 128), fire5 (32, 128 + 128)                     -> 16x16x256
    maxpool 3x3/2 SAME                                               -> 8x8x256
    fire6 (48, 192 + 192), fire7 (48, 192 + 192)                     -> 8x8x384
    fire8 (64, 256 + 256), fire9 (64, 256 + 256)                     -> 8x8x512
    maxpool 3x3/2 SAME                                               -> 4x4x512
    conv10: global depthwise 4x4 conv (one 4x4 filter per channel)   -> 512 (the descriptor)

A fire module is squeeze 1x1 + ReLU, then expand 1x1 + ReLU and expand 3x3 SAME + ReLU whose
outputs are concatenated along channels (the expand 1x1 output first). This is SqueezeNet 1.1
(Iandola et al., torchvision layout) on a 1-channel 128x128 input; the 1000-class conv10 (1x1)
+ global average pool is replaced by a max pool and a global depthwise conv (as in
face-embedding networks), which keeps the weights just under 1.4 MiB and gives the 512-value
int16 descriptor of GreenWaves' face re-ID application (docs/gap8.md §11).

Arithmetic (the firmware, gap8/reid_squeezenet/main.c, does exactly this):
  * activations int16 in HWC order; tensor t is in Q(f_t): real = value / 2**f_t
  * weights int16 Q1.14 (real = w / 2**14), bias int32 in Q(f_in + 14)
  * acc = bias + sum(x * w), int32 (pv.sdotsp.h on the cluster). The generator asserts that
    every accumulator and every rounded accumulator fits in int32, so the hardware's wrap-around
    sum equals the exact sum computed here in int64.
  * out = (acc + 2**(shift - 1)) >> shift (arithmetic shift: round half up), then ReLU
    (max(., 0)) except conv10, then saturation to [-32768, 32767] (documented; the shifts are
    chosen from the accumulators' range so it rarely triggers).
  * f_out = f_in + 14 - shift. Both expand convs of a fire module share f_out (their outputs are
    concatenated), so each gets its own shift to the common format.
  * max pool on int16 values (same Q format); SAME padding: padded taps are skipped.
  * conv1 + pool1 are fused in the firmware (conv1's 64x64x64 int16 output would be all of
    L2): each pooled output takes the max of the requantised conv1 outputs of its window, which
    is exactly conv1 -> requantise -> ReLU -> maxpool as computed here.

Weights (L3 image): every conv is split into chunks of whole output channels, at most CHUNK
bytes each; a chunk is [weights of its output channels, each row padded with zeros to a multiple
of 8 int16 (conv1: 9 -> 16), rows interleaved by groups of 4 channels (see add_chunks)][their
int32 biases]. The firmware loads one chunk at a time from L3 to
L2 with the uDMA, copies it to L1 with the cluster DMA and runs it on the 8 cluster cores. The
input image follows the weights in L3.

    python3 firmware/models/reid_squeezenet.py [--out DIR]

writes DIR (default firmware/models/reid_squeezenet/) generated/{model.c, model.h,
weights.bin, input.bin}, plan.txt and expected_output.txt. Deterministic (seeded
numpy.random.Generator, no timestamps).
"""
from __future__ import annotations

import argparse
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnref  # noqa: E402

NETWORK = "reid_squeezenet"
SEED = 20251121
W_FRAC = 14           # weights Q1.14
IN_FRAC = 12          # input Q3.12
ACT_TARGET = 4096     # the 99.9th percentile of |acc| is scaled to about this (2**12)
CHUNK = 32 * 1024     # max bytes of one weight chunk (L2 double buffer and L1 buffer size)
L2_ARENA = {"A": 256 * 1024, "B": 32 * 1024, "C": 128 * 1024}

# op kinds, as in model.h
OP_CONV, OP_CONV_POOL, OP_MAXPOOL, OP_GDCONV = 0, 1, 2, 3


@dataclass
class Op:
    name: str
    kind: int
    inp: str            # arena region of the input ("A", "B", "C") or "input"
    out: str            # region of the output or "output"
    h: int
    w: int
    c: int
    oh: int
    ow: int
    oc: int
    k: int = 1
    s: int = 1
    ph: int = 0
    pw: int = 0
    ch: int = 0         # conv output dims of a fused conv + pool
    cw: int = 0
    pk: int = 0         # pool kernel, stride, pads
    ps: int = 0
    pph: int = 0
    ppw: int = 0
    ocs: int = 0        # output channel stride (concat) and offset
    ocoff: int = 0
    shift: int = 0
    relu: int = 1
    p2: int = 0         # int16 per weight row (k*k*c rounded up to a multiple of 8)
    macs: int = 0
    chunks: list = field(default_factory=list)  # (l3 offset, bytes, o0, o1)
    f_in: int = 0
    f_out: int = 0
    wbytes: int = 0


class Builder:
    def __init__(self):
        self.rng = np.random.default_rng(SEED)
        self.ops: list[Op] = []
        self.blob = bytearray()

    # ---- weights ----
    def weights(self, shape, fan_in):
        std = math.sqrt(2.0 / fan_in) * (1 << W_FRAC)
        w = self.rng.normal(0.0, std, size=shape)
        return np.clip(np.round(w), -32768, 32767).astype(np.int16)

    def bias(self, acc_nobias, f_acc):
        a = acc_nobias.reshape(-1, acc_nobias.shape[-1]).astype(np.float64)
        std = a.std(axis=0) + 1.0
        # a small positive mean keeps most ReLUs alive with random weights
        return np.round(self.rng.normal(0.1, 0.3, size=std.shape) * std).astype(np.int64)

    @staticmethod
    def shift_for(acc, relu):
        a = acc.reshape(-1).astype(np.float64)
        a = np.maximum(a, 0) if relu else np.abs(a)
        r = max(float(np.percentile(a, 99.9)), 1.0)
        return max(1, int(math.ceil(math.log2(r / ACT_TARGET))))

    @staticmethod
    def requant(acc, shift, relu):
        acc = np.asarray(acc, dtype=np.int64)
        assert np.all(np.abs(acc) < 2**31 - 2**shift), "accumulator overflows int32"
        v = (acc + (1 << (shift - 1))) >> shift
        if relu:
            v = np.maximum(v, 0)
        return nnref.sat16(v).astype(np.int16)

    def add_chunks(self, op: Op, rows: np.ndarray, bias: np.ndarray, interleave=True):
        """rows: (oc, p2) int16; bias (oc,) int32 -> chunks appended to the L3 blob.

        interleave: the layout of the firmware's 4-channel dot product: for each group of 4
        output channels, word j of the 4 rows one after the other (w0[2j:2j+2], w1[2j:2j+2],
        w2[...], w3[...]), so one pointer walks all 4 rows with immediate offsets 0, 4, 8, 12."""
        oc, p2 = rows.shape
        if interleave:
            assert oc % 4 == 0 and p2 % 2 == 0
            rows = rows.reshape(oc // 4, 4, p2 // 2, 2).transpose(0, 2, 1, 3).reshape(oc, p2)
        per_oc = p2 * 2 + 4
        max_oc = (CHUNK // per_oc) // 4 * 4
        assert max_oc >= 4
        n = -(-oc // max_oc)
        per = min(max_oc, -(-(-(-oc // n)) // 4) * 4)
        for o0 in range(0, oc, per):
            o1 = min(oc, o0 + per)
            data = rows[o0:o1].astype("<i2").tobytes() + bias[o0:o1].astype("<i4").tobytes()
            assert len(data) % 4 == 0 and len(data) <= CHUNK
            op.chunks.append((len(self.blob), len(data), o0, o1))
            self.blob += data
        op.wbytes = rows.size * 2 + bias.size * 4

    # ---- layers ----
    def conv_acc(self, x, oc, k, s, fan_in=None):
        h, w, c = x.shape
        oh, ph = nnref.out_size(h, k, s, "same")
        ow, pw = nnref.out_size(w, k, s, "same")
        wts = self.weights((oc, k, k, c), fan_in or k * k * c)
        acc0 = nnref.conv2d(x, wts, np.zeros(oc, np.int64), (oh, ow), (s, s), (ph, pw), 0)
        return wts, acc0, (oh, ow, ph, pw)

    def rows(self, wts):
        oc = wts.shape[0]
        flat = wts.reshape(oc, -1)
        p2 = -(-flat.shape[1] // 8) * 8  # the dot product takes 4 words per step
        out = np.zeros((oc, p2), np.int16)
        out[:, :flat.shape[1]] = flat
        return out

    def conv1_pool(self, x, f_in, oc=64):
        h, w, c = x.shape
        wts, acc0, (oh, ow, ph, pw) = self.conv_acc(x, oc, 3, 2)
        f_acc = f_in + W_FRAC
        b = self.bias(acc0, f_acc)
        acc = acc0 + b
        shift = self.shift_for(acc, True)
        y = self.requant(acc, shift, True)
        poh, pph = nnref.out_size(oh, 3, 2, "same")
        pow_, ppw = nnref.out_size(ow, 3, 2, "same")
        yp = nnref.pool(y, (3, 3), (2, 2), (pph, ppw), (poh, pow_), "max").astype(np.int16)
        op = Op("conv1_pool1", OP_CONV_POOL, "input", "C", h, w, c, poh, pow_, oc, k=3, s=2,
                ph=ph, pw=pw, ch=oh, cw=ow, pk=3, ps=2, pph=pph, ppw=ppw, ocs=oc, shift=shift,
                macs=oh * ow * oc * 9 * c, f_in=f_in, f_out=f_acc - shift)
        r = self.rows(wts)
        op.p2 = r.shape[1]
        self.add_chunks(op, r, b)
        self.ops.append(op)
        return yp, op.f_out

    def maxpool(self, name, x, f, src, dst):
        h, w, c = x.shape
        oh, ph = nnref.out_size(h, 3, 2, "same")
        ow, pw = nnref.out_size(w, 3, 2, "same")
        y = nnref.pool(x, (3, 3), (2, 2), (ph, pw), (oh, ow), "max").astype(np.int16)
        self.ops.append(Op(name, OP_MAXPOOL, src, dst, h, w, c, oh, ow, c, pk=3, ps=2, pph=ph,
                           ppw=pw, ocs=c, f_in=f, f_out=f))
        return y

    def fire(self, name, x, f_in, sq, e1, e3, src):
        h, w, c = x.shape
        # squeeze 1x1 + ReLU -> B
        wts, acc0, _ = self.conv_acc(x, sq, 1, 1)
        b = self.bias(acc0, f_in + W_FRAC)
        acc = acc0 + b
        shift = self.shift_for(acc, True)
        s_out = self.requant(acc, shift, True)
        f_s = f_in + W_FRAC - shift
        op = Op(f"{name}_squeeze", OP_CONV, src, "B", h, w, c, h, w, sq, ocs=sq, shift=shift,
                macs=h * w * sq * c, f_in=f_in, f_out=f_s)
        r = self.rows(wts)
        op.p2 = r.shape[1]
        self.add_chunks(op, r, b)
        self.ops.append(op)
        # expand 1x1 and 3x3 on the squeeze output -> A, concatenated, a common output format
        w1, a1, _ = self.conv_acc(s_out, e1, 1, 1)
        w3, a3, (_, _, ph, pw) = self.conv_acc(s_out, e3, 3, 1)
        b1 = self.bias(a1, f_s + W_FRAC)
        b3 = self.bias(a3, f_s + W_FRAC)
        acc1, acc3 = a1 + b1, a3 + b3
        shift = self.shift_for(np.concatenate([acc1.reshape(-1), acc3.reshape(-1)]), True)
        f_out = f_s + W_FRAC - shift
        y1 = self.requant(acc1, shift, True)
        y3 = self.requant(acc3, shift, True)
        for sub, wts, bb, k, ph_, pw_, off, n in (("expand1x1", w1, b1, 1, 0, 0, 0, e1),
                                                  ("expand3x3", w3, b3, 3, ph, pw, e1, e3)):
            op = Op(f"{name}_{sub}", OP_CONV, "B", "A", h, w, sq, h, w, n, k=k, s=1, ph=ph_,
                    pw=pw_, ocs=e1 + e3, ocoff=off, shift=shift, macs=h * w * n * k * k * sq,
                    f_in=f_s, f_out=f_out)
            r = self.rows(wts)
            op.p2 = r.shape[1]
            self.add_chunks(op, r, bb)
            self.ops.append(op)
        return np.concatenate([y1, y3], axis=2), f_out

    def gdconv(self, name, x, f_in, src):
        h, w, c = x.shape
        wts = self.weights((h, w, c), h * w)
        acc0 = (x.astype(np.int64) * wts.astype(np.int64)).reshape(-1, c).sum(axis=0)
        scale = float(np.abs(acc0).mean()) + 1.0
        b = np.round(self.rng.normal(0.0, 0.3, size=c) * scale).astype(np.int64)
        acc = acc0 + b
        shift = self.shift_for(acc, False)
        y = self.requant(acc, shift, False)
        op = Op(name, OP_GDCONV, src, "output", h, w, c, 1, 1, c, k=h, ocs=c, shift=shift,
                relu=0, macs=h * w * c, f_in=f_in, f_out=f_in + W_FRAC - shift)
        rows = wts.reshape(h * w, c).T.copy()   # (c, h*w): channel c's filter, row-major
        op.p2 = rows.shape[1]
        self.add_chunks(op, rows, b, interleave=False)
        self.ops.append(op)
        return y, op.f_out


def make_input(rng) -> np.ndarray:
    """A face-like 128x128 grey image: an oval, eyes, mouth, a gradient and noise."""
    yy, xx = np.mgrid[0:128, 0:128].astype(np.float64)
    img = 60 + 0.3 * xx + rng.normal(0, 6, (128, 128))
    face = ((xx - 64) / 44) ** 2 + ((yy - 68) / 56) ** 2 < 1
    img[face] += 90
    for ex in (46, 82):
        img[((xx - ex) / 9) ** 2 + ((yy - 56) / 5) ** 2 < 1] -= 110
    img[((xx - 64) / 18) ** 2 + ((yy - 96) / 4) ** 2 < 1] -= 80
    p = np.clip(np.round(img), 0, 255).astype(np.int64)
    return ((p - 128) * 32).astype(np.int16).reshape(128, 128, 1)


def build():
    b = Builder()
    x = make_input(np.random.default_rng(SEED + 1))
    t, f = b.conv1_pool(x, IN_FRAC)
    t, f = b.fire("fire2", t, f, 16, 64, 64, "C")
    t, f = b.fire("fire3", t, f, 16, 64, 64, "A")
    t = b.maxpool("pool3", t, f, "A", "C")
    t, f = b.fire("fire4", t, f, 32, 128, 128, "C")
    t, f = b.fire("fire5", t, f, 32, 128, 128, "A")
    t = b.maxpool("pool5", t, f, "A", "C")
    t, f = b.fire("fire6", t, f, 48, 192, 192, "C")
    t, f = b.fire("fire7", t, f, 48, 192, 192, "A")
    t, f = b.fire("fire8", t, f, 64, 256, 256, "A")
    t, f = b.fire("fire9", t, f, 64, 256, 256, "A")
    t = b.maxpool("pool9", t, f, "A", "C")
    y, f = b.gdconv("conv10", t, f, "C")
    return b, x, y


def check_arena(b: Builder):
    for op in b.ops:
        if op.out in L2_ARENA:
            assert op.oh * op.ow * op.ocs * 2 <= L2_ARENA[op.out], op.name
        if op.inp in L2_ARENA:
            assert op.h * op.w * op.c * 2 <= L2_ARENA[op.inp], op.name


def c_arrays(x: np.ndarray, y: np.ndarray, b: Builder) -> tuple[str, str]:
    ops = b.ops
    n_chunks = sum(len(op.chunks) for op in ops)
    max_p2 = max(op.p2 for op in ops if op.kind in (OP_CONV, OP_CONV_POOL))
    max_chunk_oc = max(o1 - o0 for op in ops for (_, _, o0, o1) in op.chunks)
    total_macs = sum(op.macs for op in ops)
    h = [
        f"/* generated by firmware/models/reid_squeezenet.py (seed {SEED}); do not edit */",
        "#ifndef REID_MODEL_H", "#define REID_MODEL_H", "", "#include <stdint.h>", "",
        "enum { OP_CONV, OP_CONV_POOL, OP_MAXPOOL, OP_GDCONV };",
        "enum { R_A, R_B, R_C, R_INPUT, R_OUTPUT };", "",
        "typedef struct {",
        "    uint32_t l3_offset, bytes;  /* in the L3 image (reid_l3_weights) */",
        "    uint16_t o0, o1;            /* output channels */",
        "} reid_chunk_t;", "",
        "typedef struct {",
        "    const char *name;",
        "    uint32_t macs;",
        "    uint8_t kind, in, out, relu;",
        "    uint16_t h, w, c, oh, ow, oc;",
        "    uint8_t k, s, ph, pw;       /* conv kernel, stride, top/left padding */",
        "    uint16_t ch, cw;            /* conv output of a fused conv + pool */",
        "    uint8_t pk, ps, pph, ppw;   /* pool */",
        "    uint16_t ocs, ocoff;        /* output channel stride and offset (concat) */",
        "    uint16_t shift, p2;         /* requantisation shift; int16 per weight row */",
        "    uint16_t chunk0, nchunks;",
        "} reid_op_t;", "",
        f"#define REID_NB_OPS {len(ops)}",
        f"#define REID_NB_CHUNKS {n_chunks}",
        f"#define REID_CHUNK_MAX {CHUNK}",
        f"#define REID_MAX_P2 {max_p2}",
        f"#define REID_MAX_CHUNK_OC {max_chunk_oc}",
        f"#define REID_ARENA_A {L2_ARENA['A']}",
        f"#define REID_ARENA_B {L2_ARENA['B']}",
        f"#define REID_ARENA_C {L2_ARENA['C']}",
        f"#define REID_INPUT_BYTES {x.size * 2}",
        f"#define REID_OUTPUT_LEN {y.size}",
        f"#define REID_WEIGHT_BYTES {len(b.blob)}",
        f"#define REID_TOTAL_MACS {total_macs}u",
        f"#define REID_CHECKSUM 0x{nnref.fnv1a32(y.astype('<i2').tobytes()):08x}u", "",
        "extern const reid_op_t reid_ops[REID_NB_OPS];",
        "extern const reid_chunk_t reid_chunks[REID_NB_CHUNKS];",
        "extern const int16_t nn_expected[REID_OUTPUT_LEN];",
        "extern int16_t nn_output[REID_OUTPUT_LEN];", "", "#endif", "",
    ]
    c = [f"/* generated by firmware/models/reid_squeezenet.py (seed {SEED}); do not edit */",
         '#include "model.h"', "", "const reid_op_t reid_ops[REID_NB_OPS] = {"]
    regions = {"A": "R_A", "B": "R_B", "C": "R_C", "input": "R_INPUT", "output": "R_OUTPUT"}
    kinds = ["OP_CONV", "OP_CONV_POOL", "OP_MAXPOOL", "OP_GDCONV"]
    chunk0 = 0
    chunks = []
    for op in ops:
        c.append(f'    {{"{op.name}", {op.macs}u, {kinds[op.kind]}, {regions[op.inp]}, '
                 f"{regions[op.out]}, {op.relu}, {op.h}, {op.w}, {op.c}, {op.oh}, {op.ow}, "
                 f"{op.oc}, {op.k}, {op.s}, {op.ph}, {op.pw}, {op.ch}, {op.cw}, {op.pk}, "
                 f"{op.ps}, {op.pph}, {op.ppw}, {op.ocs}, {op.ocoff}, {op.shift}, {op.p2}, "
                 f"{chunk0}, {len(op.chunks)}}},")
        chunk0 += len(op.chunks)
        chunks += op.chunks
    c += ["};", "", "const reid_chunk_t reid_chunks[REID_NB_CHUNKS] = {"]
    for off, n, o0, o1 in chunks:
        c.append(f"    {{{off}u, {n}u, {o0}, {o1}}},")
    c += ["};", ""]
    vals = [int(v) for v in y.reshape(-1)]
    c.append("const int16_t nn_expected[REID_OUTPUT_LEN] = {")
    for i in range(0, len(vals), 16):
        c.append("    " + ", ".join(str(v) for v in vals[i:i + 16]) + ",")
    c += ["};", "", "int16_t nn_output[REID_OUTPUT_LEN];", ""]
    return "\n".join(c), "\n".join(h)


def plan_text(b: Builder, x, y) -> str:
    lines = [f"{NETWORK}: SqueezeNet-1.1-style face re-ID, 128x128x1 int16 -> 512 int16, seed {SEED}",
             f"weights in L3: {len(b.blob)} bytes ({len(b.blob) / 2**20:.3f} MiB) in "
             f"{sum(len(o.chunks) for o in b.ops)} chunks of at most {CHUNK} bytes; input image "
             f"{x.size * 2} bytes after them",
             f"L2 arena: A {L2_ARENA['A']} + B {L2_ARENA['B']} + C {L2_ARENA['C']} bytes, "
             f"weight double buffer 2 x {CHUNK} bytes",
             f"MACs: {sum(o.macs for o in b.ops)}", "",
             f"{'op':<18} {'in':>6} {'out':>6} {'shape in':>12} {'shape out':>12} {'k/s':>4} "
             f"{'Q in':>5} {'Q out':>5} {'shift':>5} {'MACs':>9} {'w bytes':>8} chunks"]
    for o in b.ops:
        lines.append(f"{o.name:<18} {o.inp:>6} {o.out:>6} {f'{o.h}x{o.w}x{o.c}':>12} "
                     f"{f'{o.oh}x{o.ow}x{o.oc}':>12} {f'{o.k}/{o.s}':>4} {o.f_in:>5} {o.f_out:>5} "
                     f"{o.shift:>5} {o.macs:>9} {o.wbytes:>8} {len(o.chunks)}")
    lines.append("")
    lines.append(f"descriptor checksum (fnv1a32 of the int16 values, little endian): "
                 f"0x{nnref.fnv1a32(y.astype('<i2').tobytes()):08x}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / NETWORK)
    args = ap.parse_args(argv)
    b, x, y = build()
    check_arena(b)
    gen = args.out / "generated"
    gen.mkdir(parents=True, exist_ok=True)
    model_c, model_h = c_arrays(x, y, b)
    (gen / "model.c").write_text(model_c)
    (gen / "model.h").write_text(model_h)
    (gen / "weights.bin").write_bytes(bytes(b.blob))
    (gen / "input.bin").write_bytes(x.astype("<i2").tobytes())
    (args.out / "plan.txt").write_text(plan_text(b, x, y))
    (args.out / "expected_output.txt").write_text("\n".join(str(int(v)) for v in y) + "\n")
    print(plan_text(b, x, y), end="")


if __name__ == "__main__":
    main()
