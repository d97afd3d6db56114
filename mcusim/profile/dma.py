"""Per-layer DMA bytes: the transfers that complete while a layer runs, in simulated time.

A transfer counts for a layer when its completion time t satisfies begin <= t < end, where begin
and end are the layer's marker cycles on its core converted to time at that core's clock (a layer
the firmware never ended runs to its core's last cycle). A nested layer's transfers also count for
its parents, as its cycles do. "In" and "out" follow periph/gap8.py's DIRECTION_IS_IN: in = L3->L2,
L2->L1 and UART->L2, out = L1->L2, L2->L3 and L2->UART.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from mcusim.periph.gap8 import DmaLog, cycles_to_ps
from mcusim.result import LayerRecord


def attribute_dma(layers: Iterable[LayerRecord], log: DmaLog, clocks: dict[str, int],
                  last_cycles: dict[str, int]) -> None:
    """Set dma_bytes_in/out of every layer from every transfer in the log (records omitted from
    the result by its cap included)."""
    if not len(log.end_ps):
        return
    end = np.frombuffer(log.end_ps, dtype=np.int64)
    signed = np.frombuffer(log.signed_bytes, dtype=np.int64)
    order = np.argsort(end, kind="stable")  # completions are logged nearly, not exactly, in order
    end, signed = end[order], signed[order]
    cumulative_in = np.concatenate(([0], np.cumsum(np.where(signed > 0, signed, 0))))
    cumulative_out = np.concatenate(([0], np.cumsum(np.where(signed < 0, -signed, 0))))
    for layer in layers:
        clock = clocks[layer.core]
        stop = layer.end_cycle if layer.end_cycle is not None else max(last_cycles[layer.core], layer.begin_cycle)
        first, last = np.searchsorted(end, [cycles_to_ps(layer.begin_cycle, clock), cycles_to_ps(stop, clock)])
        layer.dma_bytes_in = int(cumulative_in[last] - cumulative_in[first])
        layer.dma_bytes_out = int(cumulative_out[last] - cumulative_out[first])
