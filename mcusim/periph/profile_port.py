"""The mcusim profiling port: layer markers written by firmware/include/mcusim.h.

+0x4 MACS of the next layer, +0x0 BEGIN (address of the layer's name), +0x8 END. The cycle of
each write is exact (the core resolves the writing instruction), so a layer's cycles are those of
the instructions between the two marker stores. A few writes per layer: plain Python.
"""

from __future__ import annotations

from typing import Callable

from mcusim.result import LayerRecord

PORT_SIZE = 0x400
BEGIN, MACS, END = 0x0, 0x4, 0x8
MAX_NAME = 128


class ProfilePort:
    def __init__(self, core: str, read_memory: Callable[[int, int], bytes],
                 cycles_at_access: Callable[[], int]) -> None:
        self.core = core
        self.listeners: list = []  # objects with layer_begin(record) / layer_end(record)
        self.read_memory = read_memory
        self.cycles_at_access = cycles_at_access
        self.layers: list[LayerRecord] = []
        self.open: list[LayerRecord] = []
        self.pending_macs = 0
        self.protocol_errors = 0

    def read(self, offset: int, size: int) -> int:
        return 0

    def write(self, offset: int, size: int, value: int) -> None:
        if offset == MACS:
            self.pending_macs = value
        elif offset == BEGIN:
            record = LayerRecord(name=self._name(value), macs=self.pending_macs, core=self.core,
                                 begin_cycle=self.cycles_at_access(), end_cycle=None,
                                 depth=len(self.open))
            self.pending_macs = 0
            self.open.append(record)
            self.layers.append(record)
            for listener in self.listeners:
                listener.layer_begin(record)
        elif offset == END:
            if not self.open:
                self.protocol_errors += 1  # END without BEGIN
                return
            record = self.open.pop()
            record.end_cycle = self.cycles_at_access()
            for listener in self.listeners:
                listener.layer_end(record)
        else:
            self.protocol_errors += 1

    def _name(self, address: int) -> str:
        try:
            raw = self.read_memory(address, MAX_NAME)
        except Exception:  # noqa: BLE001 - a bad pointer from the firmware is its own bug
            self.protocol_errors += 1
            return f"<name at {address:#010x}>"
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
