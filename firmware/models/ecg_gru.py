#!/usr/bin/env python3
"""ecg_gru: a small ECG classifier (int8 convolutions, int16-state GRU), random seeded weights.

    input 1250 x 1 (one ECG lead, e.g. 5 s at 250 Hz), 1-D tensors as W x C
    conv1d k9 stride 2 SAME 1 -> 8, ReLU                                   625 x 8
    maxpool 2                                                              312 x 8
    inception block: 1x1 -> 4 | k3 -> 4 | k5 -> 4 | maxpool 3 + 1x1 -> 4,
                     channel concatenation                                 312 x 16
    maxpool 4                                                               78 x 16
    GRU 12 units (z, r, n gates, int8 weights, int16 Q0.15 state), 78 steps   12 (int16)
    dense 12 -> 4, sigmoid (int8 table): four independent labels              4

About 224 k MACs. Board: nucleo-l432kc (256 KiB flash, 64 KiB RAM).

    python3 firmware/models/ecg_gru.py [--out DIR]
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nnref  # noqa: E402

NETWORK = "ecg_gru"
BOARDS = ("nucleo-l432kc",)
STATED_MACS = 220_000  # "about 220 k MAC"
SEED = 20240402


def ecg_signal(rng, n=1250, fs=250.0):
    """A synthetic ECG-like trace: P-QRS-T bumps at ~72 bpm with jitter, baseline wander, noise."""
    t = np.arange(n) / fs
    sig = 0.15 * np.sin(2 * np.pi * 0.3 * t)
    beat = 0.2
    while beat < t[-1]:
        for off, amp, width in ((-0.2, 0.12, 0.025), (-0.03, -0.1, 0.01), (0.0, 1.0, 0.012),
                                (0.03, -0.25, 0.012), (0.25, 0.3, 0.04)):
            sig += amp * np.exp(-0.5 * ((t - beat - off) / width) ** 2)
        beat += 60.0 / 72.0 * rng.uniform(0.9, 1.1)
    sig += rng.normal(0, 0.02, n)
    return np.clip(np.round(sig * 90), -128, 127).astype(np.int8)


def build() -> nnref.Net:
    net = nnref.Net(NETWORK, SEED, "ECG: conv1d k9/2 8 -> maxpool 2 -> inception (1x1|k3|k5|pool+1x1, "
                    "4 each, concat) -> maxpool 4 -> GRU 12 -> dense 4 -> sigmoid")
    rng = np.random.default_rng(SEED + 1)
    x = net.input(ecg_signal(rng).reshape(1, 1250, 1), zp=0)
    t = net.conv1d("conv1", x, 8, 9, 2, "same", "relu")
    t = net.maxpool1d("pool1", t, 2)
    b1 = net.pointwise("inc_1x1", t, 4, "relu")
    b3 = net.conv1d("inc_k3", t, 4, 3, 1, "same", "relu")
    b5 = net.conv1d("inc_k5", t, 4, 5, 1, "same", "relu")
    bp = net.maxpool1d("inc_pool", t, 3, 1, "same")
    bp = net.pointwise("inc_pool_1x1", bp, 4, "relu")
    t = net.concat("inc_concat", [b1, b3, b5, bp])
    t = net.maxpool1d("pool2", t, 4)
    h = net.gru("gru", t, 12)
    t = net.fc("dense", h, 4)
    t = net.sigmoid("sigmoid", t)
    net.output(t)
    return net


if __name__ == "__main__":
    nnref.main(build, NETWORK)
