"""Memory report: static sizes per region, stack and heap high-water, bytes written.

No per-access cost: stacks and the heap are painted before the run and scanned after it; the
bytes a run (or a layer) writes are found by comparing RAM with a snapshot. A firmware that
paints its own stack keeps working: the scan takes whatever fill the bottom of the stack holds
(ours or the firmware's) as the untouched value, so both measure the same high-water mark.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mcusim.board import Board, Region
from mcusim.elf import Firmware
from mcusim.memory import Memory
from mcusim.result import LayerRecord, MemoryReport, RegionMemory, StackUsage

PAINT = 0xA5


@dataclass(frozen=True)
class Area:
    """A stack or heap reservation inside one region."""

    name: str
    core: str
    region: Region
    start: int
    end: int


def _areas(firmware: Firmware, board: Board) -> tuple[list[Area], Area | None]:
    def area(name: str, core: str, start: int, end: int) -> Area | None:
        region = board.region_at(start, max(end - start, 1)) if end > start else None
        return Area(name, core, region, start, end) if region is not None and region.is_ram else None

    stacks: list[Area] = []
    symbol = firmware.symbol
    if symbol("__StackLimit") and symbol("__StackTop"):
        found = area("stack", board.cores[0].name, symbol("__StackLimit").address, symbol("__StackTop").address)
        if found:
            stacks.append(found)
    if not stacks:  # GAP8 runtime and others: reservations named like stacks
        cluster = [c.name for c in board.cores if c.name.startswith("cl")]
        for section in firmware.sections:
            if section.kind != "zi-data" or "stack" not in section.name:
                continue
            start, end = section.address, section.address + section.size
            if "fc" in section.name or not cluster or section.size % len(cluster):
                core = "fc" if "fc" in section.name or not cluster else "cluster"
                found = area(section.name, core, start, end)
                stacks += [found] if found else []
                continue
            # One stack per cluster core, core 0 at the top (the runtime's convention:
            # firmware/gap8/rt: SP = top - i * size).
            size = section.size // len(cluster)
            for i, core in enumerate(cluster):
                found = area(section.name, core, end - (i + 1) * size, end - i * size)
                stacks += [found] if found else []
    heap = None
    if symbol("__HeapBase") and symbol("__HeapLimit"):
        heap = area("heap", board.cores[0].name, symbol("__HeapBase").address, symbol("__HeapLimit").address)
    return stacks, heap


class MemoryWatch:
    def __init__(self, board: Board, firmware: Firmware, memory: Memory) -> None:
        self.board, self.firmware, self.memory = board, firmware, memory
        self.stacks, self.heap = _areas(firmware, board)
        for reservation in self.stacks + ([self.heap] if self.heap else []):
            self.memory.write(reservation.start, bytes([PAINT]) * (reservation.end - reservation.start))
        self.ram = [r for r in board.memory_regions() if r.is_ram and r.mapped]
        self.initial = self._snapshot()
        self._layer_snapshots: dict[int, dict[str, np.ndarray]] = {}

    def _snapshot(self) -> dict[str, np.ndarray]:
        return {r.name: self.memory.buffers[r.name].copy() for r in self.ram}

    # -- layers ------------------------------------------------------------------------------

    def layer_begin(self, record: LayerRecord) -> None:
        self._layer_snapshots[id(record)] = self._snapshot()

    def layer_end(self, record: LayerRecord) -> None:
        before = self._layer_snapshots.pop(id(record), None)
        if before is None:
            return
        record.touched_bytes = {
            r.name: int(np.count_nonzero(self.memory.buffers[r.name] != before[r.name]))
            for r in self.ram
        }
        deepest = None
        for stack in self.stacks:
            lo, hi = stack.start - stack.region.base, stack.end - stack.region.base
            changed = np.flatnonzero(self.memory.buffers[stack.region.name][lo:hi] != before[stack.region.name][lo:hi])
            if changed.size:
                depth = (hi - lo) - int(changed[0])
                deepest = depth if deepest is None else max(deepest, depth)
        record.stack_high_water_bytes = deepest

    # -- after the run -------------------------------------------------------------------------

    def _high_water(self, area: Area, from_top: bool) -> int:
        """Bytes used from the growing end: stacks grow down from `end`, the heap up from `start`."""
        data = self.memory.buffers[area.region.name][area.start - area.region.base:area.end - area.region.base]
        if data.size == 0:
            return 0
        untouched = data[0] if from_top else data[-1]  # the far end keeps the fill
        used = np.flatnonzero(data != untouched)
        if used.size == 0:
            return 0
        return int(data.size - used[0]) if from_top else int(used[-1] + 1)

    def report(self) -> MemoryReport:
        stack_usage = [StackUsage(core=s.core, region=s.region.name, size_bytes=s.end - s.start,
                                  high_water_bytes=self._high_water(s, from_top=True)) for s in self.stacks]
        heap_used = self._high_water(self.heap, from_top=False) if self.heap else 0
        reserved = [(a.start, a.end) for a in self.stacks + ([self.heap] if self.heap else [])]
        regions = []
        for region in self.board.memory_regions():
            static = 0
            for section in self.firmware.sections:
                inside = region.contains(section.address, max(section.size, 1))
                if not inside:
                    continue
                if any(start <= section.address < end for start, end in reserved):
                    continue  # the stack/heap reservation is reported as its use, not its size
                static += section.size
            for section in self.firmware.sections:  # .data's image in flash
                if section.load_address != section.address and section.kind == "rw-data" \
                        and region.contains(section.load_address, section.size):
                    static += section.size
            heap = heap_used if self.heap and self.heap.region is region else 0
            stack = sum(u.high_water_bytes for u, s in zip(stack_usage, self.stacks) if s.region is region)
            touched = 0
            if region.name in self.initial:
                touched = int(np.count_nonzero(self.memory.buffers[region.name] != self.initial[region.name]))
            regions.append(RegionMemory(name=region.name, kind=region.kind, size=region.size,
                                        static_bytes=static, heap_bytes=heap, stack_bytes=stack,
                                        peak_bytes=static + heap + stack, touched_bytes=touched))
        heap_info = {}
        if self.heap:
            heap_info = {"region": self.heap.region.name, "base": self.heap.start, "limit": self.heap.end,
                         "high_water_bytes": heap_used}
        return MemoryReport(regions=regions, stack=stack_usage, heap=heap_info)
