"""Guest memory: one NumPy buffer per board region, shared by every core that maps it.

Each core's Unicorn maps the same buffers with ``mem_map_ptr`` (at the region's base and at each
alias), so a store by one core is at once visible to the others and to the host, with no copy.
"""

from __future__ import annotations

import numpy as np
from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE, Uc

from mcusim.board import Board, Region
from mcusim.elf import Firmware
from mcusim.native import TlbRegion

_PERMS = {"r": UC_PROT_READ, "w": UC_PROT_WRITE, "x": UC_PROT_EXEC}


def _perms(letters: str) -> int:
    value = 0
    for letter in letters:
        value |= _PERMS[letter]
    return value


class Memory:
    def __init__(self, board: Board) -> None:
        self.board = board
        self.regions = board.memory_regions()
        self.buffers = {r.name: np.zeros(r.size, dtype=np.uint8) for r in self.regions}

    def load(self, firmware: Firmware) -> None:
        """Place every PT_LOAD segment's bytes at its load address (.data's image in flash)."""
        for segment in firmware.segments:
            if segment.data:
                self.write(segment.load_address, segment.data)

    def _locate(self, address: int, size: int) -> tuple[Region, int]:
        for region in self.regions:
            for start, end in region.spans():
                if start <= address and address + size <= end:
                    return region, address - start
        raise KeyError(f"{address:#x}+{size} is not inside one memory region")

    def write(self, address: int, data: bytes) -> None:
        region, offset = self._locate(address, len(data))
        self.buffers[region.name][offset:offset + len(data)] = np.frombuffer(data, dtype=np.uint8)

    def read(self, address: int, size: int) -> bytes:
        region, offset = self._locate(address, size)
        return self.buffers[region.name][offset:offset + size].tobytes()

    def map_into(self, uc: Uc, core_name: str) -> None:
        """Map every addressable region into one core's Unicorn, with that core's aliases."""
        for region in self.regions:
            if not region.mapped:
                continue
            buffer = self.buffers[region.name]
            for start, _ in region.spans_for(core_name):
                uc.mem_map_ptr(start, region.size, _perms(region.access), buffer.ctypes.data)

    def tlb_regions(self, core_name: str) -> list[TlbRegion]:
        """Permissions for the virtual TLB: RAM gets RW- on data accesses so stores stay on
        the fast path (docs/unicorn.md P5) and gains X only on a page that is fetched from."""
        out = []
        for region in self.regions:
            if not region.mapped:
                continue
            data = region.access.replace("x", "") if region.is_ram else region.access
            for start, end in region.spans_for(core_name):
                out.append(TlbRegion(start, end, _perms(data), _perms(region.access)))
        return out

    def translate(self, core_name: str, address: int) -> int:
        """The global address of what one core sees at ``address`` (its local aliases undone)."""
        return self.board.translate(core_name, address)

    def host_spans(self, core_name: str) -> list[tuple[int, int, np.ndarray]]:
        """(start, end, buffer) of every span one core addresses directly: for native code
        that reads and writes guest memory without going through Unicorn."""
        return [(start, end, self.buffers[r.name]) for r in self.regions if r.mapped
                for start, end in r.spans_for(core_name)]
