#!/usr/bin/env python3
"""kws_dscnn: the MLPerf Tiny keyword-spotting DS-CNN (int8), random seeded weights.

    input 49x10x1 (MFCC frames x coefficients)
    conv 10x4 stride 2 SAME -> 25x5x64, ReLU
    4 x (depthwise 3x3 SAME + ReLU, pointwise 64 + ReLU)
    average pool 25x5 -> 1x1x64, fully connected 12, softmax

About 2.66 M MACs. Boards: nucleo-l4r5zi (the MLPerf Tiny reference board), disco-f746ng.

    python3 firmware/models/kws_dscnn.py [--out DIR]

writes firmware/models/kws_dscnn/{generated/model.c, generated/model.h, plan.txt,
expected_output.txt} (see nnref.py).
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnref  # noqa: E402

NETWORK = "kws_dscnn"
BOARDS = ("nucleo-l4r5zi", "disco-f746ng")
STATED_MACS = 2_700_000  # "about 2.7 M MAC"
SEED = 20240401


def build() -> nnref.Net:
    net = nnref.Net(NETWORK, SEED, "MLPerf Tiny KWS DS-CNN: 49x10x1 -> conv 10x4/2 64 -> "
                    "4 x (dw 3x3 + pw 64) -> avgpool -> FC 12 -> softmax")
    rng = np.random.default_rng(SEED + 1)
    # MFCC-like input: smooth along time, varying across coefficients
    base = rng.normal(0, 1, (49, 10)).cumsum(axis=0) * 6 + rng.normal(0, 25, (1, 10))
    x = net.input(np.clip(np.round(base), -128, 127).reshape(49, 10, 1), zp=-3)
    t = net.conv2d("conv1", x, 64, (10, 4), (2, 2), "same", "relu")
    for i in range(1, 5):
        t = net.depthwise(f"dw{i}", t, (3, 3), (1, 1), "same", "relu")
        t = net.pointwise(f"pw{i}", t, 64, "relu")
    t = net.avgpool("avgpool", t, (25, 5))
    t = net.fc("fc", t, 12)
    t = net.softmax("softmax", t)
    net.output(t)
    return net


if __name__ == "__main__":
    nnref.main(build, NETWORK)
