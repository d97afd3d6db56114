"""NumPy reference of the firmware/nn kernels and the code generator for the reference networks.

The integer arithmetic here is the same as firmware/nn/*.c, operation for operation (int32
accumulators computed exactly in int64, CMSIS-NN requantisation, TFLM pooling/add rounding, the
same lookup tables), so the firmware's output must equal the output computed here bit for bit.

A network script (firmware/models/<network>.py) builds a Net layer by layer. Each layer computes
its int32 accumulators on the network's one input vector, picks its requantisation from their
actual range (so that activations spread over the int8 range instead of saturating), and records
the C it needs. Net.write() then plans the activation arena (greedy first-fit by size over tensor
lifetimes, like TFLM's GreedyMemoryPlanner) and writes:

    <dir>/generated/model.c   weights (const, flash), layer parameters, nn_input, nn_expected,
                              nn_output, the arena and nn_run() with the layer markers
    <dir>/generated/model.h
    <dir>/plan.txt            the memory plan and the layer table
    <dir>/expected_output.txt the reference output, one int per line

Layers built with bits=2 (vww_2bit) have 2-bit weights packed as firmware/nn/nn_2bit.h says
(pack_2bit) and run the kernels declared there; their table activations (hard-swish,
hard-sigmoid) are act_table().

Everything is deterministic: seeded numpy.random.Generator, no timestamps.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# ---------------------------------------------------------------------------------------------
# integer arithmetic (mirrors firmware/nn/nn.h)


def requantize(acc, mult, shift):
    """CMSIS-NN arm_nn_requantize, element-wise (mult/shift broadcast), exact in int64."""
    acc = np.asarray(acc, dtype=np.int64)
    mult = np.asarray(mult, dtype=np.int64)
    shift = np.asarray(shift, dtype=np.int64)
    left = np.maximum(shift, 0)
    right = np.maximum(-shift, 0)
    v = acc * (np.int64(1) << left)
    assert np.all(np.abs(v) < 2**31), "requantize: left shift overflows int32"
    v = (v * mult + (1 << 30)) >> 31
    mask = (np.int64(1) << right) - 1
    rem = v & mask
    res = v >> right
    threshold = (mask >> 1) + (res < 0)
    return res + (rem > threshold)


def quantize_multiplier(scale: float) -> tuple[int, int]:
    """TFLM QuantizeMultiplier: scale = mult * 2**(shift - 31), mult in [2**30, 2**31)."""
    assert scale > 0
    m, e = math.frexp(scale)
    mult = int(round(m * (1 << 31)))
    if mult == 1 << 31:
        mult //= 2
        e += 1
    assert -31 <= e <= 30, scale
    return mult, e


def sat16(v):
    return np.clip(v, -32768, 32767)


def act16_lut(x, lut):
    """nn_act16_lut: int16 Q3.12 -> Q0.15, 513-entry table with linear interpolation."""
    u = np.asarray(x, dtype=np.int64) + 32768
    idx, frac = u >> 7, u & 127
    a = lut[idx].astype(np.int64)
    b = lut[idx + 1].astype(np.int64)
    return a + (((b - a) * frac + 64) >> 7)


def _padded(x, in_offset, kh, kw, oh, ow, stride, pad):
    h, wd, c = x.shape
    need_h = (oh - 1) * stride[0] + kh
    need_w = (ow - 1) * stride[1] + kw
    xp = np.zeros((need_h + pad[0] + h, need_w + pad[1] + wd, c), dtype=np.int64)
    xp[pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = x.astype(np.int64) + in_offset
    return xp


def conv2d(x, w, bias, out_hw, stride, pad, in_offset):
    oh, ow = out_hw
    oc, kh, kw, c = w.shape
    xp = _padded(x, in_offset, kh, kw, oh, ow, stride, pad)
    acc = np.zeros((oh, ow, oc), dtype=np.int64) + bias.astype(np.int64)
    wl = w.astype(np.int64)
    for ky in range(kh):
        for kx in range(kw):
            patch = xp[ky:ky + (oh - 1) * stride[0] + 1:stride[0], kx:kx + (ow - 1) * stride[1] + 1:stride[1]]
            acc += patch @ wl[:, ky, kx, :].T
    return acc


def depthwise(x, w, bias, out_hw, stride, pad, in_offset):
    oh, ow = out_hw
    kh, kw, c = w.shape
    xp = _padded(x, in_offset, kh, kw, oh, ow, stride, pad)
    acc = np.zeros((oh, ow, c), dtype=np.int64) + bias.astype(np.int64)
    for ky in range(kh):
        for kx in range(kw):
            patch = xp[ky:ky + (oh - 1) * stride[0] + 1:stride[0], kx:kx + (ow - 1) * stride[1] + 1:stride[1]]
            acc += patch * w[ky, kx, :].astype(np.int64)
    return acc


def pool(x, k, stride, pad, out_hw, kind):
    """max or avg pooling, TFLM semantics (padded taps skipped)."""
    h, wd, c = x.shape
    oh, ow = out_hw
    res = np.zeros((oh, ow, c), dtype=np.int64)
    for oy in range(oh):
        y0 = oy * stride[0] - pad[0]
        ya, yb = max(y0, 0), min(y0 + k[0], h)
        for ox in range(ow):
            x0 = ox * stride[1] - pad[1]
            xa, xb = max(x0, 0), min(x0 + k[1], wd)
            win = x[ya:yb, xa:xb].astype(np.int64).reshape(-1, c)
            if kind == "max":
                res[oy, ox] = win.max(axis=0)
            else:
                s = win.sum(axis=0)
                n = win.shape[0]
                res[oy, ox] = np.where(s > 0, (s + n // 2) // n, -((-s + n // 2) // n))
    return res


def out_size(n, k, s, padding):
    if padding == "same":
        o = -(-n // s)
        total = max((o - 1) * s + k - n, 0)
        return o, total // 2
    return (n - k) // s + 1, 0


def pack_2bit(rows) -> np.ndarray:
    """2-bit weights (-2..1), one row per output channel, -> the packed bytes of nn.h: a row of n
    weights takes ceil(n / 16) groups of 4 bytes (zero weights pad the last group), and weight
    16g + 4f + b is field f (bits 2f+1:2f, two's complement) of byte 4g + b of its row."""
    rows = np.asarray(rows, dtype=np.int64)
    assert rows.ndim == 2 and rows.min() >= -2 and rows.max() <= 1
    groups = -(-rows.shape[1] // 16)
    codes = np.zeros((rows.shape[0], groups * 16), dtype=np.int64)
    codes[:, :rows.shape[1]] = rows & 3
    fields = codes.reshape(rows.shape[0], groups, 4, 4)  # [row][group][f][b]
    packed = (fields << (2 * np.arange(4)).reshape(1, 1, 4, 1)).sum(axis=2)  # [row][group][b]
    return packed.reshape(rows.shape[0], groups * 4).astype(np.uint8)


def act_table(act: str) -> tuple[np.ndarray, int]:
    """(256-entry int8 table, output zero point) of a table activation. Its input is the int8
    pre-activation (zero point 0) of real value q * r / 128, r = 8 (hard-swish) or 6 (hard-sigmoid).
    hard-swish x * relu6(x + 3) / 6: output scale (max - min) / 255 over [-3/8, 127r/128];
    hard-sigmoid relu6(x + 3) / 6: output scale 1/256, zero point -128 (TFLM's logistic output)."""
    q = np.arange(-128, 128)
    if act == "hswish":
        x = q * 8.0 / 128
        lo, hi = -3.0 / 8, 127 * 8.0 / 128
        scale = (hi - lo) / 255
        zp = int(round(-128 - lo / scale))
        real, out_scale = x * np.clip(x + 3, 0, 6) / 6, scale
    else:
        assert act == "hsigmoid", act
        zp, real, out_scale = -128, np.clip(q * 6.0 / 128 + 3, 0, 6) / 6, 1.0 / 256
    return np.clip(np.round(real / out_scale) + zp, -128, 127).astype(np.int8), zp


TABLE_ACTS = ("hswish", "hsigmoid")


def fnv1a32(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h


# ---------------------------------------------------------------------------------------------
# the network builder


@dataclass
class Tensor:
    name: str
    values: np.ndarray  # int8 or int16 values, shape (H, W, C) or (N,)
    zp: int = 0  # zero point (int8 activations)
    bytes_per: int = 1
    producer: int = -1  # layer index, -1: the network input
    last_use: int = -1
    location: str = "arena"  # "arena" | "input" | "output"
    offset: int = -1

    @property
    def shape(self):
        return self.values.shape

    @property
    def size(self) -> int:
        return int(self.values.size) * self.bytes_per

    def expr(self, ctype="int8_t") -> str:
        if self.location == "input":
            base = "nn_input"
        elif self.location == "output":
            base = "nn_output"
        else:
            base = f"(nn_arena + {self.offset})"
        return base if ctype == "int8_t" else f"({ctype} *){base}"


@dataclass
class Layer:
    name: str
    kind: str
    macs: int
    inputs: list
    output: Tensor
    call: str  # C statement with {in0} {in1}... {out} {scratch} placeholders
    scratch: int = 0  # bytes
    scratch_offset: int = -1
    info: str = ""
    weights: np.ndarray | None = None  # the layer's (unpacked) weights, 2-bit layers


def _c_array(ctype: str, name: str, values, per_line: int = 20, static=True, const=True, attrs="") -> str:
    vals = [int(v) for v in np.asarray(values).reshape(-1)]
    lines = []
    for i in range(0, len(vals), per_line):
        lines.append("    " + ", ".join(str(v) for v in vals[i:i + per_line]) + ",")
    prefix = ("static " if static else "") + ("const " if const else "")
    return f"{prefix}{ctype} {name}[{len(vals)}]{attrs} = {{\n" + "\n".join(lines) + "\n};\n"


def _align(n: int, a: int = 4) -> int:
    return (n + a - 1) // a * a


class Net:
    def __init__(self, name: str, seed: int, description: str = ""):
        self.name = name
        self.description = description
        self.rng = np.random.default_rng(seed)
        self.layers: list[Layer] = []
        self.tensors: list[Tensor] = []
        self.decls: list[str] = []  # C declarations (weights, params), in layer order
        self.input_tensor: Tensor | None = None
        self.output_tensor: Tensor | None = None
        self.tables: set[str] = set()  # activation tables already emitted (one per kind)
        self.header = "nn.h"  # nn_2bit.h (which includes nn.h) once a 2-bit layer or a MUL is added

    # ---- helpers ----
    def _weights(self, shape, out_axis=0, bits=8):
        """int8 symmetric weights with a random per-output-channel spread; bits=2: the same
        draw at a spread of about one step, rounded to the 2-bit two's complement -2..1."""
        n_out = shape[out_axis]
        spread, lo, hi = ((20.0, 60.0), -127, 127) if bits == 8 else ((0.6, 1.2), -2, 1)
        std = self.rng.uniform(*spread, size=n_out)
        shp = [1] * len(shape)
        shp[out_axis] = n_out
        w = self.rng.normal(0.0, 1.0, size=shape) * std.reshape(shp)
        return np.clip(np.round(w), lo, hi).astype(np.int8)

    def _bias(self, acc_nobias, axis=-1):
        a = acc_nobias.reshape(-1, acc_nobias.shape[-1]).astype(np.float64)
        std = a.std(axis=0) + 1.0
        return np.round(self.rng.normal(0.0, 0.3, size=std.shape) * std).astype(np.int32)

    @staticmethod
    def _scales(acc, act, per_channel=True):
        """(mult[], shift[], out_zp, act_min, act_max) from the accumulators' range."""
        a = np.abs(acc.reshape(-1, acc.shape[-1]).astype(np.float64))
        if per_channel:
            r = np.percentile(a, 99.5, axis=0)
        else:
            r = np.full(acc.shape[-1], np.percentile(a, 99.5))
        r = np.maximum(r, 1.0)
        if act == "relu":  # output zero point -128: [0, r] -> [-128, 52]
            target, zp, lo, hi = 180.0, -128, -128, 127
        else:
            target, zp, lo, hi = 100.0, 0, -128, 127
        ms = [quantize_multiplier(target / v) for v in r]
        mult = np.array([m for m, _ in ms], dtype=np.int64)
        shift = np.array([s for _, s in ms], dtype=np.int64)
        return mult, shift, zp, lo, hi

    def _tensor(self, name, values, zp=0, bytes_per=1):
        t = Tensor(name, values, zp=zp, bytes_per=bytes_per, producer=len(self.layers))
        self.tensors.append(t)
        return t

    def _use(self, *ts):
        for t in ts:
            t.last_use = len(self.layers)

    def _add_layer(self, layer: Layer):
        self.layers.append(layer)

    def _quant_arrays(self, name, bias, mult, shift):
        self.decls.append(_c_array("int32_t", f"{name}_b", bias))
        self.decls.append(_c_array("int32_t", f"{name}_m", mult))
        self.decls.append(_c_array("int32_t", f"{name}_s", shift))

    # ---- layers ----
    def input(self, values: np.ndarray, zp: int, in_arena: bool = False) -> Tensor:
        """The test vector, nn_input (flash). in_arena: nn_run() first copies it to its planned
        place in the arena (a camera driver delivering the frame to RAM), so the plan counts it."""
        t = Tensor("input", values.astype(np.int8), zp=zp, producer=-1, location="arena" if in_arena else "input")
        self.tensors.append(t)
        self.input_tensor = t
        return t

    def _act_table(self, act):
        """(C name, table, output zero point) of a table activation; emitted once per network."""
        lut, zp = act_table(act)
        cname = f"nn_{act}_lut"
        if cname not in self.tables:
            self.tables.add(cname)
            self.decls.append(_c_array("int8_t", cname, lut, per_line=16))
        return cname, lut, zp

    def _conv_like(self, kind, name, x, oc, k, stride, padding, act, per_channel=True, bits=8):
        h, w, c = x.shape
        kh, kw = k
        sh, sw = stride
        oh, ph = out_size(h, kh, sh, padding)
        ow, pw = out_size(w, kw, sw, padding)
        in_off = -x.zp
        if kind == "depthwise":
            oc = c
            wts = self._weights((kh, kw, c), out_axis=2, bits=bits)
            acc0 = depthwise(x.values, wts, np.zeros(c, np.int32), (oh, ow), stride, (ph, pw), in_off)
            macs = oh * ow * c * kh * kw
        else:
            wts = self._weights((oc, kh, kw, c), out_axis=0, bits=bits)
            acc0 = conv2d(x.values, wts, np.zeros(oc, np.int32), (oh, ow), stride, (ph, pw), in_off)
            macs = oh * ow * oc * kh * kw * c
        bias = self._bias(acc0)
        acc = acc0 + bias
        mult, shift, zp, lo, hi = self._scales(acc, act, per_channel)
        y = np.clip(requantize(acc, mult, shift) + zp, lo, hi).astype(np.int8)
        dims = f"{h}, {w}, {c}, {oh}, {ow}, {oc}, {kh}, {kw}, {sh}, {sw}, {ph}, {pw}, {in_off}, {zp}, {lo}, {hi}"
        st = f"{sh}" if sh == sw else f"{sh}x{sw}"
        info = f"{kind} {kh}x{kw}/{st} {padding} {h}x{w}x{c} -> {oh}x{ow}x{oc}" + (f" {act}" if act else "")
        if bits == 2:
            return self._conv_2bit(kind, name, x, wts, bias, mult, shift, zp, y, dims, act, macs, info)
        self.decls.append(_c_array("int8_t", f"{name}_w", wts))
        self._quant_arrays(name, bias, mult, shift)
        self.decls.append(
            f"static const nn_conv_params {name}_p = {{{dims}, {name}_w, {name}_b, {name}_m, {name}_s}};\n")
        self._use(x)
        out = self._tensor(name, y, zp=zp)
        scratch = 0
        if kind == "conv":
            fn = "nn_conv1d_s8" if (h == 1 and kh == 1) else "nn_conv2d_s8"
            call = f"{fn}(&{name}_p, {{in0}}, {{out}}, (int16_t *){{scratch}});"
            scratch = _align(2 * kh * kw * c)
        elif kind == "depthwise":
            call = f"nn_depthwise_conv_s8(&{name}_p, {{in0}}, {{out}});"
        else:
            call = f"nn_pointwise_conv_s8(&{name}_p, {{in0}}, {{out}});"
        self._add_layer(Layer(name, kind, macs, [x], out, call, scratch, info=info))
        return out

    def _conv_2bit(self, kind, name, x, wts, bias, mult, shift, zp, y, dims, act, macs, info):
        """The C of a 2-bit layer (nn_conv2b_params, nn_2bit.h). conv and pointwise fold the input
        offset into the bias, bias + in_offset * sum(w), and their padded taps read the input
        zero point: the same int32 accumulator as bias + sum (x + in_offset) * w. The DSP body
        sums x * 64w exactly (fields at the top of each byte), so |64w * x| * K must fit int32.
        depthwise unpacks its weights to int8 in the scratch and runs the int8 kernel."""
        self.header = "nn_2bit.h"
        rows = wts.reshape(1, -1) if kind == "depthwise" else wts.reshape(wts.shape[0], -1)
        assert 128 * 128 * rows.shape[1] < 2**31
        if kind != "depthwise":
            bias = bias + -x.zp * rows.sum(axis=1)
            assert np.abs(bias).max() < 2**31
        table = "NULL"
        if act in TABLE_ACTS:
            table, lut, zp = self._act_table(act)
            y = lut[y.astype(np.int64) + 128]
        self.decls.append(_c_array("uint8_t", f"{name}_w", pack_2bit(rows)))
        self._quant_arrays(name, bias, mult, shift)
        self.decls.append(f"static const nn_conv2b_params {name}_p = {{{{{dims}, (const int8_t *){name}_w, "
                          f"{name}_b, {name}_m, {name}_s}}, {table}}};\n")
        self._use(x)
        out = self._tensor(name, y, zp=zp)
        k_pad = _align(rows.shape[1], 16)
        scratch = {"conv": 2 * k_pad, "depthwise": _align(rows.size), "pointwise": 0}[kind]
        fn = {"conv": "nn_conv2d_2b_s8", "depthwise": "nn_depthwise_conv_2b_s8", "pointwise": "nn_pointwise_conv_2b_s8"}
        call = f"{fn[kind]}(&{name}_p, {{in0}}, {{out}}" + (", {scratch});" if scratch else ");")
        self._add_layer(Layer(name, kind, macs, [x], out, call, scratch, info=info + ", 2-bit", weights=wts))
        return out

    def conv2d(self, name, x, oc, k, stride=(1, 1), padding="same", act="relu", bits=8):
        return self._conv_like("conv", name, x, oc, k, stride, padding, act, bits=bits)

    def conv1d(self, name, x, oc, k, stride=1, padding="same", act="relu"):
        return self._conv_like("conv", name, x, oc, (1, k), (1, stride), padding, act)

    def depthwise(self, name, x, k=(3, 3), stride=(1, 1), padding="same", act="relu", bits=8):
        return self._conv_like("depthwise", name, x, None, k, stride, padding, act, bits=bits)

    def pointwise(self, name, x, oc, act="relu", bits=8, per_channel=True):
        """1x1 conv. On a 1x1xK tensor it is a fully connected layer (the 2-bit nets use it so,
        with per_channel=False as fc(): one output scale, not one per single value)."""
        return self._conv_like("pointwise", name, x, oc, (1, 1), (1, 1), "valid", act, per_channel, bits)

    def _pool(self, kind, name, x, k, stride, padding):
        h, w, c = x.shape
        oh, ph = out_size(h, k[0], stride[0], padding)
        ow, pw = out_size(w, k[1], stride[1], padding)
        y = pool(x.values, k, stride, (ph, pw), (oh, ow), kind).astype(np.int8)
        self.decls.append(f"static const nn_pool_params {name}_p = {{{h}, {w}, {c}, {oh}, {ow}, {k[0]}, {k[1]}, "
                          f"{stride[0]}, {stride[1]}, {ph}, {pw}, -128, 127}};\n")
        self._use(x)
        out = self._tensor(name, y, zp=x.zp)
        call = f"nn_{kind}pool_s8(&{name}_p, {{in0}}, {{out}});"
        st = f"{stride[0]}" if stride[0] == stride[1] else f"{stride[0]}x{stride[1]}"
        info = f"{kind}pool {k[0]}x{k[1]}/{st} {padding} {h}x{w}x{c} -> {oh}x{ow}x{c}"
        self._add_layer(Layer(name, f"{kind}pool", 0, [x], out, call, info=info))
        return out

    def maxpool(self, name, x, k, stride=None, padding="valid"):
        return self._pool("max", name, x, k, stride or k, padding)

    def maxpool1d(self, name, x, k, stride=None, padding="valid"):
        return self._pool("max", name, x, (1, k), (1, stride or k), padding)

    def avgpool(self, name, x, k, stride=None, padding="valid"):
        return self._pool("avg", name, x, k, stride or k, padding)

    def concat(self, name, xs):
        h, w = xs[0].shape[:2]
        assert all(t.shape[:2] == (h, w) for t in xs)
        y = np.concatenate([t.values for t in xs], axis=2)
        chans = ", ".join(str(t.shape[2]) for t in xs)
        self.decls.append(f"static const int16_t {name}_c[{len(xs)}] = {{{chans}}};\n")
        self._use(*xs)
        out = self._tensor(name, y, zp=xs[0].zp)
        ins = ", ".join(f"{{in{i}}}" for i in range(len(xs)))
        call = ("{{ const int8_t *const ins_[" + str(len(xs)) + "] = {{" + ins + "}}; nn_concat_s8(ins_, "
                + f"{name}_c, {len(xs)}, {h * w}, {{out}}); }}}}")
        info = f"concat {' + '.join(str(t.shape[2]) for t in xs)} ch, {h}x{w} -> {h}x{w}x{y.shape[2]}"
        self._add_layer(Layer(name, "concat", 0, list(xs), out, call, info=info))
        return out

    def add(self, name, a, b, act=None):
        """TFLM int8 ADD with left_shift 20; input scales 1 and ratio, output from the range."""
        left = 20
        s1, s2 = 0.5, 0.5 * self.rng.uniform(0.6, 1.0)  # real input multipliers (relative)
        m1, sh1 = quantize_multiplier(s1)
        m2, sh2 = quantize_multiplier(s2)
        x1 = (a.values.astype(np.int64) - a.zp) << left
        x2 = (b.values.astype(np.int64) - b.zp) << left
        raw = requantize(x1, m1, sh1) + requantize(x2, m2, sh2)
        r = max(float(np.percentile(np.abs(raw), 99.5)), 1.0)
        zp, lo, hi = (-128, -128, 127) if act == "relu" else (0, -128, 127)
        mo, sho = quantize_multiplier((180.0 if act == "relu" else 100.0) / r)
        y = np.clip(requantize(raw, mo, sho) + zp, lo, hi).astype(np.int8)
        n = a.values.size
        self.decls.append(f"static const nn_add_params {name}_p = {{{n}, {-a.zp}, {-b.zp}, {left}, {m1}, {sh1}, "
                          f"{m2}, {sh2}, {mo}, {sho}, {zp}, {lo}, {hi}}};\n")
        self._use(a, b)
        out = self._tensor(name, y, zp=zp)
        call = f"nn_add_s8(&{name}_p, {{in0}}, {{in1}}, {{out}});"
        self._add_layer(Layer(name, "add", 0, [a, b], out, call, info=f"add {a.shape}"))
        return out

    def mul_channel(self, name, x, gate):
        """TFLM int8 MUL of an H x W x C tensor by a C-vector broadcast over the pixels (the
        squeeze-and-excitation scale): y = clamp(requant((x - x_zp) * (g - g_zp)) + zp), one
        multiplier for the tensor, picked from the products' range."""
        self.header = "nn_2bit.h"
        h, w, c = x.shape
        assert gate.values.size == c
        raw = (x.values.astype(np.int64) - x.zp) * (gate.values.reshape(-1).astype(np.int64) - gate.zp)
        mult, shift, zp, lo, hi = self._scales(raw, "relu" if x.zp == -128 else None, per_channel=False)
        y = np.clip(requantize(raw, mult[0], shift[0]) + zp, lo, hi).astype(np.int8)
        self.decls.append(f"static const nn_mul_params {name}_p = {{{h * w}, {c}, {-x.zp}, {-gate.zp}, {mult[0]}, "
                          f"{shift[0]}, {zp}, {lo}, {hi}}};\n")
        self._use(x, gate)
        out = self._tensor(name, y, zp=zp)
        call = f"nn_mul_channel_s8(&{name}_p, {{in0}}, {{in1}}, {{out}});"
        self._add_layer(Layer(name, "mul", 0, [x, gate], out, call, info=f"mul {h}x{w}x{c} by a {c}-vector"))
        return out

    def fc(self, name, x, n_out, act=None, per_channel=False):
        flat = x.values.reshape(-1)
        k = flat.size
        wts = self._weights((n_out, k), out_axis=0)
        if x.bytes_per == 2:  # int16 input (symmetric)
            acc0 = wts.astype(np.int64) @ flat.astype(np.int64)
        else:
            acc0 = wts.astype(np.int64) @ (flat.astype(np.int64) - x.zp)
        bias = self._bias(acc0.reshape(1, -1))
        acc = acc0 + bias
        mult, shift, zp, lo, hi = self._scales(acc.reshape(1, -1), act, per_channel)
        y = np.clip(requantize(acc, mult, shift) + zp, lo, hi).astype(np.int8)
        self.decls.append(_c_array("int8_t", f"{name}_w", wts))
        self._quant_arrays(name, bias, mult, shift)
        in_off = 0 if x.bytes_per == 2 else -x.zp
        self.decls.append(f"static const nn_fc_params {name}_p = {{{k}, {n_out}, {in_off}, {zp}, {lo}, {hi}, "
                          f"{name}_w, {name}_b, {name}_m, {name}_s}};\n")
        self._use(x)
        out = self._tensor(name, y, zp=zp)
        if x.bytes_per == 2:
            call = f"nn_fully_connected_s16(&{name}_p, (const int16_t *){{in0}}, {{out}});"
        else:
            call = f"nn_fully_connected_s8(&{name}_p, {{in0}}, {{out}});"
        info = f"fully connected {k} -> {n_out}" + (" int16 input" if x.bytes_per == 2 else "")
        self._add_layer(Layer(name, "fc", k * n_out, [x], out, call, info=info))
        return out

    def softmax(self, name, x, spread=4.0):
        v = x.values.reshape(-1).astype(np.int64)
        rng_ = max(int(v.max() - v.min()), 1)
        beta = spread / rng_
        lut = np.round((1 << 20) * np.exp(-beta * np.arange(256))).astype(np.uint32)
        e = lut[v.max() - v].astype(np.int64)
        s = int(e.sum())
        y = np.clip((e * 256 + s // 2) // s - 128, -128, 127).astype(np.int8)
        self.decls.append(_c_array("uint32_t", f"{name}_lut", lut, per_line=8))
        self._use(x)
        out = self._tensor(name, y.reshape(x.shape), zp=-128)
        call = f"nn_softmax_s8({{in0}}, {{out}}, {v.size}, {name}_lut);"
        self._add_layer(Layer(name, "softmax", 0, [x], out, call, info=f"softmax {v.size}"))
        return out

    def sigmoid(self, name, x, in_range=4.0):
        """int8 sigmoid by a 256-entry table: input real = (q - zp) * in_range / 128,
        output scale 1/256, zero point -128 (TFLM's int8 logistic output)."""
        q = np.arange(-128, 128)
        real = (q - x.zp) * in_range / 128.0
        lut = np.clip(np.round(256.0 / (1.0 + np.exp(-real))) - 128, -128, 127).astype(np.int8)
        self.decls.append(_c_array("int8_t", f"{name}_lut", lut, per_line=16))
        y = lut[x.values.astype(np.int64) + 128]
        self._use(x)
        out = self._tensor(name, y, zp=-128)
        n = x.values.size
        call = f"nn_lut_s8({{in0}}, {{out}}, {n}, {name}_lut);"
        self._add_layer(Layer(name, "sigmoid", 0, [x], out, call, info=f"sigmoid (int8 table) {n}"))
        return out

    def gru(self, name, x, units):
        """GRU over the W axis of x (1, T, I); returns the final state, int16 Q0.15 (units,)."""
        _, steps, n_in = x.shape
        assert units <= 32
        in_off = -x.zp
        wx = self._weights((3 * units, n_in), out_axis=0)
        wh = self._weights((3 * units, units), out_axis=0)
        xs = x.values.reshape(steps, n_in).astype(np.int64) + in_off
        ax0 = xs @ wx.T.astype(np.int64)  # (T, 3U)
        bx = self._bias(ax0)
        ax = ax0 + bx
        bh = np.round(self.rng.normal(0.0, 1.0, 3 * units) * 2000000).astype(np.int32)
        grid = (np.arange(513) * 128 - 32768) / 4096.0
        sig = np.clip(np.round(32768.0 / (1.0 + np.exp(-grid))), -32768, 32767).astype(np.int16)
        tnh = np.clip(np.round(32768.0 * np.tanh(grid)), -32767, 32767).astype(np.int16)
        # gate pre-activations in Q3.12: the x part's p99.5 -> 2.0, the h part's -> 1.5
        mx, sx = zip(*[quantize_multiplier(2.0 * 4096 / max(np.percentile(np.abs(ax[:, g * units:(g + 1) * units]), 99.5), 1))
                       for g in range(3)])
        # the h part depends on h itself: a first pass with a bound-based guess, then calibrate
        bound = np.abs(wh.astype(np.int64)).sum(axis=1).max() * 16384
        guess = [quantize_multiplier(1.5 * 4096 / bound)] * 3
        _, ah = self._gru_run(ax, wh, bh, units, mx, sx, *zip(*guess), sig, tnh)
        mh, shh = zip(*[quantize_multiplier(1.5 * 4096 / max(np.percentile(np.abs(ah[:, g * units:(g + 1) * units]), 99.5), 1))
                        for g in range(3)])
        h, _ = self._gru_run(ax, wh, bh, units, mx, sx, mh, shh, sig, tnh)
        self.decls.append(_c_array("int16_t", f"{name}_sigmoid", sig, per_line=16))
        self.decls.append(_c_array("int16_t", f"{name}_tanh", tnh, per_line=16))
        self.decls.append(_c_array("int8_t", f"{name}_wx", wx))
        self.decls.append(_c_array("int8_t", f"{name}_wh", wh))
        self.decls.append(_c_array("int32_t", f"{name}_bx", bx))
        self.decls.append(_c_array("int32_t", f"{name}_bh", bh))
        arr = lambda v: "{" + ", ".join(str(int(a)) for a in v) + "}"  # noqa: E731
        self.decls.append(f"static const nn_gru_params {name}_p = {{{steps}, {n_in}, {units}, {in_off}, "
                          f"{name}_wx, {name}_wh, {name}_bx, {name}_bh, {arr(mx)}, {arr(sx)}, {arr(mh)}, {arr(shh)}, "
                          f"{name}_sigmoid, {name}_tanh}};\n")
        self._use(x)
        out = self._tensor(name, h.astype(np.int16), zp=0, bytes_per=2)
        call = f"nn_gru_s8_s16(&{name}_p, {{in0}}, (int16_t *){{out}}, (int16_t *){{scratch}});"
        macs = steps * 3 * units * (n_in + units)
        info = f"GRU {units} units, {steps} steps x {n_in} in, int16 state"
        self._add_layer(Layer(name, "gru", macs, [x], out, call, scratch=_align(2 * n_in), info=info))
        return out

    @staticmethod
    def _gru_run(ax, wh, bh, units, mx, sx, mh, shh, sig, tnh):
        steps = ax.shape[0]
        h = np.zeros(units, dtype=np.int64)
        ahs = np.zeros((steps, 3 * units), dtype=np.int64)
        whl = wh.astype(np.int64)
        mx, sx, mh, shh = (np.repeat(np.asarray(v, dtype=np.int64), units) for v in (mx, sx, mh, shh))
        for t in range(steps):
            ah = whl @ h + bh
            ahs[t] = ah
            px = sat16(requantize(ax[t], mx, sx))
            ph = sat16(requantize(ah, mh, shh))
            U = units
            z = act16_lut(sat16(px[:U] + ph[:U]), sig)
            r = act16_lut(sat16(px[U:2 * U] + ph[U:2 * U]), sig)
            n = act16_lut(sat16(px[2 * U:] + ((r * ph[2 * U:] + (1 << 14)) >> 15)), tnh)
            h = sat16(n + ((z * (h - n) + (1 << 14)) >> 15))
        return h, ahs

    def output(self, t: Tensor):
        t.location = "output"
        self.output_tensor = t

    # ---- planning and emission ----
    @property
    def macs(self) -> int:
        return sum(layer.macs for layer in self.layers)

    def plan(self):
        """Greedy first-fit by decreasing size over lifetimes [producer, last_use]."""
        items = []  # (size, first, last, setter)
        for t in self.tensors:
            if t.location != "arena":
                continue
            last = max(t.last_use, t.producer)
            items.append((_align(t.size), t.producer, last, t))
        for i, layer in enumerate(self.layers):
            if layer.scratch:
                items.append((layer.scratch, i, i, layer))
        items.sort(key=lambda it: (-it[0], it[1]))
        placed = []  # (offset, size, first, last)
        for size, first, last, obj in items:
            offset = 0
            for o, s, f, l in sorted(placed):
                if l < first or f > last:
                    continue
                if offset + size <= o:
                    break
                offset = max(offset, o + s)
            placed.append((offset, size, first, last))
            if isinstance(obj, Tensor):
                obj.offset = offset
            else:
                obj.scratch_offset = offset
        self.arena_size = _align(max((o + s for o, s, _, _ in placed), default=4), 8)

    def plan_text(self) -> str:
        out, inp = self.output_tensor, self.input_tensor
        copied = f", copied to arena@{inp.offset} by nn_run()" if inp.location == "arena" else ""
        lines = [f"# {self.name}: activation memory plan (generated by firmware/models/{self.name}.py)",
                 f"# {self.description}" if self.description else "#",
                 "# arena: one int8 buffer, offsets in bytes; tensors live from the layer that writes them",
                 "# to the last layer that reads them; greedy first-fit by decreasing size.",
                 f"# input: nn_input (flash), {inp.size} bytes{copied}; output: nn_output (RAM), {out.size} bytes",
                 "",
                 f"{'#':>3} {'layer':<14} {'MACs':>9}  {'input (offset+size)':<24} {'output (offset+size)':<22} {'scratch':<14} {'live':>6}  description"]
        for i, layer in enumerate(self.layers):
            ins = ",".join(self._loc(t) for t in layer.inputs)
            scratch = f"{layer.scratch_offset}+{layer.scratch}" if layer.scratch else "-"
            live = sum(_align(t.size) for t in self.tensors
                       if t.location == "arena" and t.producer <= i <= max(t.last_use, t.producer)) + layer.scratch
            lines.append(f"{i:>3} {layer.name:<14} {layer.macs:>9}  {ins:<24} {self._loc(layer.output):<22} "
                         f"{scratch:<14} {live:>6}  {layer.info}")
        peak_live = max(sum(_align(t.size) for t in self.tensors
                            if t.location == "arena" and t.producer <= i <= max(t.last_use, t.producer))
                        + layer.scratch for i, layer in enumerate(self.layers))
        lines += ["",
                  f"total MACs: {self.macs}",
                  f"peak activation RAM (arena): {self.arena_size} bytes (largest live set {peak_live} bytes)",
                  f"plus nn_output: {out.size} bytes; planned activation RAM total {self.arena_size + _align(out.size)} bytes",
                  f"output checksum (fnv1a32): 0x{self.checksum:08x}", ""]
        return "\n".join(lines)

    @staticmethod
    def _loc(t: Tensor) -> str:
        if t.location == "arena":
            return f"arena@{t.offset}+{t.size}"
        return f"{'nn_' + t.location}+{t.size}"

    @property
    def checksum(self) -> int:
        return fnv1a32(self.output_tensor.values.astype(np.int8).tobytes())

    def model_c(self) -> str:
        inp, out = self.input_tensor, self.output_tensor
        body = []
        for layer in self.layers:
            subs = {f"in{i}": t.expr() for i, t in enumerate(layer.inputs)}
            subs["out"] = layer.output.expr()
            subs["scratch"] = f"(nn_arena + {layer.scratch_offset})" if layer.scratch else "NULL"
            body.append(f"    MCUSIM_LAYER_BEGIN(\"{layer.name}\", {layer.macs});\n"
                        f"    {layer.call.format(**subs)}\n"
                        f"    MCUSIM_LAYER_END();\n"
                        f"    layer_check({len(body)}, {layer.output.expr()}, {layer.output.size});\n")
        head = (f"/* {self.name}: generated by firmware/models/{self.name}.py -- do not edit.\n"
                f" * {self.description}\n"
                f" * {len(self.layers)} layers, {self.macs} MACs, activation arena {self.arena_size} bytes\n"
                f" * (plan: firmware/models/{self.name}/plan.txt). */\n"
                "#include <stddef.h>\n#include <stdint.h>\n\n#include \"mcusim.h\"\n#include \"model.h\"\n"
                f"#include \"{self.header}\"\n\n"
                "/* NN_ARENA_IN_SECTION: the build puts the arena in its own section (.nn_arena), which the\n"
                " * linker script places in a RAM other than the board's main one. */\n"
                "#ifdef NN_ARENA_IN_SECTION\n__attribute__((section(\".nn_arena\")))\n#endif\n"
                f"int8_t nn_arena[NN_ARENA_SIZE] __attribute__((aligned(8)));\n"
                f"int8_t nn_output[NN_OUTPUT_SIZE] __attribute__((aligned(4)));\n\n")
        fnvs = [fnv1a32(layer.output.values.astype("<i2" if layer.output.bytes_per == 2 else np.int8).tobytes())
                for layer in self.layers]
        check = ("/* FNV-1a of every layer's output as NumPy computed it: after each layer (outside its\n"
                 " * markers) nn_run() hashes what the layer wrote, and records the first mismatch. */\n"
                 + _c_array("uint32_t", "layer_fnv", fnvs, per_line=6)
                 + "static const char *const layer_names[NN_LAYERS] = {"
                 + ", ".join(f'"{layer.name}"' for layer in self.layers) + "};\n"
                 "int nn_first_bad_layer = -1;\n"
                 "const char *nn_first_bad_layer_name;\n\n"
                 "static void layer_check(int i, const int8_t *p, int n)\n{\n"
                 "    uint32_t h = 0x811C9DC5u;\n"
                 "    for (int k = 0; k < n; k++)\n"
                 "        h = (h ^ (uint8_t)p[k]) * 0x01000193u;\n"
                 "    if (h != layer_fnv[i] && nn_first_bad_layer < 0) {\n"
                 "        nn_first_bad_layer = i;\n"
                 "        nn_first_bad_layer_name = layer_names[i];\n"
                 "    }\n}\n")
        io = (check + "\n" + _c_array("int8_t", "nn_input", inp.values, static=False, attrs=" __attribute__((aligned(4)))")
              + "\n" + _c_array("int8_t", "nn_expected", out.values, static=False))
        if inp.location == "arena":
            body.insert(0, "    /* the frame arrives in RAM, at its planned place (as a camera driver's DMA would put it) */\n"
                           f"    for (int i = 0; i < NN_INPUT_SIZE; i++)\n        {inp.expr()}[i] = nn_input[i];\n")
        return (head + io + "\n" + "\n".join(self.decls) + "\nvoid nn_run(void)\n{\n" + "".join(body) + "}\n")

    def model_h(self) -> str:
        return (f"/* {self.name}: generated by firmware/models/{self.name}.py -- do not edit. */\n"
                "#ifndef NN_MODEL_H\n#define NN_MODEL_H\n\n#include <stdint.h>\n\n"
                f"#define NN_MODEL_NAME \"{self.name}\"\n"
                f"#define NN_INPUT_SIZE {self.input_tensor.size}\n"
                f"#define NN_OUTPUT_SIZE {self.output_tensor.size}\n"
                f"#define NN_ARENA_SIZE {self.arena_size}\n"
                f"#define NN_TOTAL_MACS {self.macs}u\n"
                f"#define NN_LAYERS {len(self.layers)}\n"
                f"#define NN_EXPECTED_CHECKSUM 0x{self.checksum:08x}u\n\n"
                "extern const int8_t nn_input[NN_INPUT_SIZE];     /* the test vector (flash) */\n"
                "extern const int8_t nn_expected[NN_OUTPUT_SIZE]; /* NumPy reference output */\n"
                "extern int8_t nn_output[NN_OUTPUT_SIZE];\n"
                "extern int8_t nn_arena[NN_ARENA_SIZE];\n"
                "/* the first layer whose output differs from the reference (-1: none), by nn_run() */\n"
                "extern int nn_first_bad_layer;\n"
                "extern const char *nn_first_bad_layer_name;\n\n"
                "void nn_run(void); /* nn_input -> nn_output, one layer marker per layer */\n\n#endif\n")

    def write(self, outdir: Path) -> None:
        outdir = Path(outdir)
        assert self.output_tensor is not None and self.output_tensor.bytes_per == 1
        self.plan()
        (outdir / "generated").mkdir(parents=True, exist_ok=True)
        (outdir / "generated" / "model.c").write_text(self.model_c())
        (outdir / "generated" / "model.h").write_text(self.model_h())
        plan = self.plan_text()
        (outdir / "plan.txt").write_text(plan)
        (outdir / "expected_output.txt").write_text(
            "".join(f"{int(v)}\n" for v in self.output_tensor.values.reshape(-1)))
        print(plan)

    def layer_table(self) -> list[tuple[str, int]]:
        return [(layer.name, layer.macs) for layer in self.layers]


def main(build, name: str, argv=None) -> None:
    import argparse
    here = Path(__file__).resolve().parent
    ap = argparse.ArgumentParser(description=f"generate firmware/models/{name}/ (C sources, plan, reference output)")
    ap.add_argument("--out", type=Path, default=here / name, help="output directory (default: %(default)s)")
    args = ap.parse_args(argv)
    build().write(args.out)
