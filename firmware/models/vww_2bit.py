#!/usr/bin/env python3
"""vww_2bit: a MobileNetV3-Small 0.25 visual wake words network at 256x256x3 with 2-bit packed
weights and int8 activations, random seeded weights.

    conv 3x3 stride 2 SAME 3 -> 4, hard-swish                               128x128x4
    11 bottlenecks (MobileNetV3-Small, Howard et al. 2019, table 2, width 0.25, channels rounded
    to a multiple of 4): [1x1 expansion + act] -> depthwise k x k + act -> [SE] -> 1x1 projection
    (linear) [-> + input, where stride 1 and in == out]

        #  k  exp  out  SE  act  stride  output
        1  3    4    4  SE  ReLU   2     64x64x4   (exp == in: no expansion conv)
        2  3   20    8  -   ReLU   2     32x32x8
        3  3   24    8  -   ReLU   1     32x32x8   + residual
        4  5   24   12  SE  h-sw   2     16x16x12
        5  5   60   12  SE  h-sw   1     16x16x12  + residual
        6  5   60   12  SE  h-sw   1     16x16x12  + residual
        7  5   32   12  SE  h-sw   1     16x16x12  + residual
        8  5   36   12  SE  h-sw   1     16x16x12  + residual
        9  5   72   24  SE  h-sw   2     8x8x24
       10  5  144   24  SE  h-sw   1     8x8x24    + residual
       11  5  144   24  SE  h-sw   1     8x8x24    + residual

    1x1 conv 144, hard-swish; global average pool 8x8; 1x1 conv (fully connected) 1024,
    hard-swish; 1x1 conv (fully connected) 2; softmax

SE (squeeze-and-excitation): global average pool -> 1x1 conv exp/4 (at least 4) + ReLU -> 1x1
conv exp + hard-sigmoid -> the block's tensor times the gate, per channel (int8 MUL).

Every conv (first conv, expansion, depthwise, projection, SE, head, classifier) has 2-bit
weights, two's complement -2..1, packed 4 per byte in the layout of firmware/nn/nn.h; the
per-output-channel weight scale lives in the requantisation multiplier, as for the int8 networks.
Activations are int8 with per-tensor zero points. Hard-swish and hard-sigmoid are 256-entry
tables on the requantised int8 pre-activation (nnref.act_table). About 8.3 M MACs.

Memory: the 256x256x3 input (192 KiB) is the camera frame: nn_run() copies it from flash to its
planned place in the arena. The peak is at the first conv: input + its 128x128x4 output (64 KiB)
+ the im2col of two pixels = 262,208 bytes, the whole arena; every later layer needs less (see
plan.txt). Board: nucleo-h743zi, the arena in AXI SRAM (512 KiB; DTCM is 128 KiB).

    python3 firmware/models/vww_2bit.py [--out DIR]
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnref  # noqa: E402
from vww_mbv1 import image  # noqa: E402

NETWORK = "vww_2bit"
BOARDS = ("nucleo-h743zi",)
STATED_MACS = 8_300_000  # "about 8.3 M MAC"
SEED = 20240404

# (kernel, expansion, output channels, SE, activation, stride): MobileNetV3-Small at width 0.25
BLOCKS = ((3, 4, 4, True, "relu", 2), (3, 20, 8, False, "relu", 2), (3, 24, 8, False, "relu", 1),
          (5, 24, 12, True, "hswish", 2), (5, 60, 12, True, "hswish", 1), (5, 60, 12, True, "hswish", 1),
          (5, 32, 12, True, "hswish", 1), (5, 36, 12, True, "hswish", 1), (5, 72, 24, True, "hswish", 2),
          (5, 144, 24, True, "hswish", 1), (5, 144, 24, True, "hswish", 1))
LAST_CONV, HEAD = 144, 1024


def fc(net, name, x, n_out, act):
    """a fully connected layer with 2-bit weights: the 1x1 conv on a 1x1xK tensor"""
    return net.pointwise(name, x, n_out, act, bits=2, per_channel=False)


def squeeze_excite(net, name, x):
    c = x.shape[2]
    s = net.avgpool(f"{name}_pool", x, x.shape[:2])
    s = fc(net, f"{name}_fc1", s, max(4, (c // 4 + 2) // 4 * 4), "relu")  # c/4, a multiple of 4
    gate = fc(net, f"{name}_fc2", s, c, "hsigmoid")
    return net.mul_channel(f"{name}_scale", x, gate)


def bottleneck(net, name, x, k, exp, out, se, act, stride):
    t = x
    if exp != x.shape[2]:
        t = net.pointwise(f"{name}_exp", t, exp, act, bits=2)
    t = net.depthwise(f"{name}_dw", t, (k, k), (stride, stride), "same", act, bits=2)
    if se:
        t = squeeze_excite(net, f"{name}_se", t)
    t = net.pointwise(f"{name}_pw", t, out, None, bits=2)
    if stride == 1 and x.shape[2] == out:
        t = net.add(f"{name}_add", x, t)
    return t


def build() -> nnref.Net:
    net = nnref.Net(NETWORK, SEED, "MobileNetV3-Small 0.25 VWW, 2-bit weights: 256x256x3 -> conv 3x3/2 4 h-swish "
                    "-> 11 bottlenecks (SE, h-swish) -> conv 1x1 144 -> avgpool -> FC 1024 -> FC 2 -> softmax")
    x = net.input(image(np.random.default_rng(SEED + 1), 256), zp=-128, in_arena=True)
    t = net.conv2d("conv1", x, 4, (3, 3), (2, 2), "same", "hswish", bits=2)
    for i, block in enumerate(BLOCKS, start=1):
        t = bottleneck(net, f"b{i}", t, *block)
    t = net.pointwise("conv_last", t, LAST_CONV, "hswish", bits=2)
    t = net.avgpool("avgpool", t, t.shape[:2])
    t = fc(net, "fc1", t, HEAD, "hswish")
    t = fc(net, "fc2", t, 2, None)
    t = net.softmax("softmax", t, spread=2.0)
    net.output(t)
    return net


if __name__ == "__main__":
    nnref.main(build, NETWORK)
