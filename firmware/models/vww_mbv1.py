#!/usr/bin/env python3
"""vww_mbv1: MobileNetV1 0.25 at 96x96x3, the MLPerf Tiny visual wake words model (int8),
random seeded weights.

    conv 3x3 stride 2 SAME 3 -> 8, ReLU6                                  48x48x8
    13 x (depthwise 3x3 SAME + ReLU6, pointwise + ReLU6):
        16, 32/2, 32, 64/2, 64, 128/2, 128 x 5, 256/2, 256                3x3x256
    average pool 3x3, fully connected 2, softmax

About 7.5 M MACs. ReLU6 is fused as the [-128, 127] clamp of an output with zero point -128 and
scale 6/255. Boards: disco-f746ng (arena in SRAM1: DTCM is 64 KiB), nucleo-h743zi (DTCM).

    python3 firmware/models/vww_mbv1.py [--out DIR]
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnref  # noqa: E402

NETWORK = "vww_mbv1"
BOARDS = ("disco-f746ng", "nucleo-h743zi")
STATED_MACS = 7_500_000  # "about 7.5 M MAC"
SEED = 20240403

# (pointwise output channels, depthwise stride) per block, width multiplier 0.25
BLOCKS = ((16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (128, 1), (128, 1),
          (128, 1), (128, 1), (256, 2), (256, 1))


def image(rng, n=96):
    """A synthetic RGB image: smooth gradients, a few blobs, noise; uint8 shifted to int8."""
    yy, xx = np.mgrid[0:n, 0:n] / n
    img = np.stack([0.5 + 0.3 * np.sin(3 * xx + c) * np.cos(2 * yy - c) for c in range(3)], axis=-1)
    for _ in range(5):
        cy, cx, r = rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0.05, 0.2)
        img += rng.uniform(-0.4, 0.4, 3) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))[..., None]
    img += rng.normal(0, 0.03, img.shape)
    return (np.clip(np.round(img * 255), 0, 255) - 128).astype(np.int8)


def build() -> nnref.Net:
    net = nnref.Net(NETWORK, SEED, "MobileNetV1 0.25 VWW: 96x96x3 -> conv 3x3/2 8 -> 13 x (dw 3x3 + pw) "
                    "-> avgpool 3x3 -> FC 2 -> softmax")
    rng = np.random.default_rng(SEED + 1)
    x = net.input(image(rng), zp=-128)
    t = net.conv2d("conv1", x, 8, (3, 3), (2, 2), "same", "relu")
    for i, (oc, s) in enumerate(BLOCKS, start=1):
        t = net.depthwise(f"dw{i}", t, (3, 3), (s, s), "same", "relu")
        t = net.pointwise(f"pw{i}", t, oc, "relu")
    t = net.avgpool("avgpool", t, (3, 3))
    t = net.fc("fc", t, 2)
    t = net.softmax("softmax", t, spread=2.0)
    net.output(t)
    return net


if __name__ == "__main__":
    nnref.main(build, NETWORK)
